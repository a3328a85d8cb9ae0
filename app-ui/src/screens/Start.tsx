import { useState } from "preact/hooks";
import type { PatientInput } from "../bindings";
import { commands, message, ok } from "../api";
import { t } from "../i18n";
import type { Shared } from "../state";

/** Reads an invite code from a photo or screenshot of its QR code. */
async function readQr(file: File): Promise<string | null> {
  const bitmap = await createImageBitmap(file);
  const canvas = document.createElement("canvas");
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const ctx = canvas.getContext("2d")!;
  ctx.drawImage(bitmap, 0, 0);
  const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
  // Loaded on demand: the decoder is most of the bundle and is rarely used.
  const { default: jsQR } = await import("jsqr");
  return jsQR(img.data, img.width, img.height)?.data ?? null;
}

/** Runs one action with a busy flag and one error line. */
export function useRun() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await f();
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, setError };
}

/** Join a team with an invite code, pasted or read from a QR image. */
export function JoinCard({ shared }: { shared: Shared }) {
  const { go } = shared;
  const { busy, error, run } = useRun();
  const [code, setCode] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <section class="card" aria-labelledby="join-h">
      <h2 id="join-h">{t("inviteCode")}</h2>
      <textarea
        id="join-code"
        rows={3}
        aria-label={t("inviteCode")}
        placeholder={t("pasteCode")}
        value={code}
        onInput={(e) => setCode((e.target as HTMLTextAreaElement).value)}
      />
      <label class="field wide">
        <span>{t("scanQr")}</span>
        <input
          type="file"
          accept="image/*"
          onChange={async (e) => {
            const file = (e.target as HTMLInputElement).files?.[0];
            if (file) setCode((await readQr(file)) ?? "");
          }}
        />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button
        class="primary"
        id="join"
        disabled={busy || !code.trim()}
        onClick={() =>
          run(async () => {
            // A code from her own other laptop: this one becomes hers.
            if (code.trim().startsWith("tsunagi-device1.")) {
              const done = await ok(commands.deviceJoin(code));
              const failed = done.failed.length ? " " + t("deviceJoinFailed", { n: done.failed.length }) : "";
              setNotice(t("deviceJoined", { name: done.name, n: done.teams }) + failed);
              return;
            }
            const joined = await ok(commands.join(code));
            // On a link that cut out, say so; joining again finishes it.
            if (joined.pending || joined.record_pending) setNotice(t(joined.pending ? "joinPending" : "joinRecordPending"));
            else go({ name: "today" });
          })
        }
      >
        {t("join")}
      </button>
      {notice && (
        <p class="saved" role="status" id="join-status">
          {notice}{" "}
          <button class="link" onClick={() => go({ name: "today" })}>
            {t("navToday")}
          </button>
        </p>
      )}
    </section>
  );
}

const emptyPatient: PatientInput = {
  name: "",
  kana: null,
  born: null,
  sex: null,
  care_level: null,
  address: null,
  phone: null,
  allergies: [],
};

/** Start a patient's team: this laptop's member becomes its first admin. */
export function NewPatientCard({ shared }: { shared: Shared }) {
  const { vocab, lang, go } = shared;
  const { busy, error, run } = useRun();
  const [patient, setPatient] = useState<PatientInput>(emptyPatient);
  const text = (value: string, set: (v: string) => void, id: string, label: string) => (
    <label class="field wide">
      <span>{label}</span>
      <input id={id} value={value} onInput={(e) => set((e.target as HTMLInputElement).value)} />
    </label>
  );
  return (
    <section class="card" aria-labelledby="new-patient-h">
      <h2 id="new-patient-h">{t("createTeam")}</h2>
      {text(patient.name, (v) => setPatient({ ...patient, name: v }), "pt-name", `${t("name")} *`)}
      {text(patient.kana ?? "", (v) => setPatient({ ...patient, kana: v || null }), "pt-kana", t("kana"))}
      {text(patient.born ?? "", (v) => setPatient({ ...patient, born: v || null }), "pt-born", `${t("born")}（昭和15年12月1日 / 1940-12-01）`)}
      <label class="field wide">
        <span>{t("careLevel")}</span>
        <select
          id="pt-care-level"
          value={patient.care_level ?? ""}
          onChange={(e) => setPatient({ ...patient, care_level: (e.target as HTMLSelectElement).value || null })}
        >
          <option value="">—</option>
          {vocab.care_levels.map((c) => (
            <option value={c.code}>{c[lang]}</option>
          ))}
        </select>
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button
        id="create-team"
        class="primary"
        disabled={busy || !patient.name.trim()}
        onClick={() =>
          run(async () => {
            const team = await ok(commands.createTeam(patient));
            setPatient(emptyPatient);
            go({ name: "record", team });
          })
        }
      >
        {t("createTeam")}
      </button>
    </section>
  );
}

/** From Today at any time: start a patient's team or join one. */
export function Start({ shared }: { shared: Shared }) {
  return (
    <div class="stack" id="start">
      <h1>{t("startTitle")}</h1>
      <div class="columns">
        <NewPatientCard shared={shared} />
        <JoinCard shared={shared} />
      </div>
      <button class="link" onClick={() => shared.go({ name: "today" })}>
        {t("back")}
      </button>
    </div>
  );
}
