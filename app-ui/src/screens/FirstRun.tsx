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

/** Step 1: who uses this laptop. Step 2: join a team, start one, or load the sample station. */
export function FirstRun({ shared }: { shared: Shared }) {
  const { vocab, lang, go } = shared;
  const [step, setStep] = useState<1 | 2>(1);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [profile, setProfile] = useState({ name: "", kana: "", profession: "nurse", organisation: "", phone: "" });
  const [code, setCode] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const [relay, setRelay] = useState({ url: "", fingerprint: "", enrol: "" });
  const [patient, setPatient] = useState<PatientInput>({
    name: "",
    kana: null,
    born: null,
    sex: null,
    care_level: null,
    address: null,
    phone: null,
    allergies: [],
  });

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
  const text = (value: string, set: (v: string) => void, id: string, label: string, required = false) => (
    <label class="field wide">
      <span>
        {label}
        {required && " *"}
      </span>
      <input id={id} value={value} required={required} onInput={(e) => set((e.target as HTMLInputElement).value)} />
    </label>
  );

  if (step === 1)
    return (
      <form
        class="first-run stack"
        id="first-run"
        onSubmit={(e) => {
          e.preventDefault();
          run(async () => {
            await ok(commands.initProfile({ ...profile, kana: profile.kana || null, phone: profile.phone || null }));
            setStep(2);
          });
        }}
      >
        <h1>{t("welcome")}</h1>
        <p>{t("firstRunLead")}</p>
        {text(profile.name, (v) => setProfile({ ...profile, name: v }), "p-name", t("name"), true)}
        {text(profile.kana, (v) => setProfile({ ...profile, kana: v }), "p-kana", t("kana"))}
        <label class="field wide">
          <span>{t("profession")}</span>
          <select id="p-profession" value={profile.profession} onChange={(e) => setProfile({ ...profile, profession: (e.target as HTMLSelectElement).value })}>
            {vocab.professions.map((p) => (
              <option value={p.code}>{p[lang]}</option>
            ))}
          </select>
        </label>
        {text(profile.organisation, (v) => setProfile({ ...profile, organisation: v }), "p-org", t("organisation"), true)}
        {text(profile.phone, (v) => setProfile({ ...profile, phone: v }), "p-phone", t("phone"))}
        {error && <p class="error" role="alert">{error}</p>}
        <button class="primary" id="create-profile" disabled={busy}>
          {t("createProfile")}
        </button>
      </form>
    );

  return (
    <div class="first-run stack" id="first-run-2">
      <h1>{t("welcome")}</h1>
      <p>{t("joinOrCreate")}</p>
      {error && <p class="error" role="alert">{error}</p>}
      <section class="card">
        <h2>{t("inviteCode")}</h2>
        <textarea id="join-code" rows={3} placeholder={t("pasteCode")} value={code} onInput={(e) => setCode((e.target as HTMLTextAreaElement).value)} />
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
        <button
          class="primary"
          id="join"
          disabled={busy || !code.trim()}
          onClick={() => run(async () => {
            const joined = await ok(commands.join(code));
            // On a link that cut out, say so; joining again finishes it.
            if (joined.pending || joined.record_pending) setNotice(t(joined.pending ? "joinPending" : "joinRecordPending"));
            else go({ name: "today" });
          })}
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
      <section class="card">
        <h2>{t("relay")}</h2>
        {text(relay.url, (v) => setRelay({ ...relay, url: v }), "fr-relay", "URL")}
        {text(relay.fingerprint, (v) => setRelay({ ...relay, fingerprint: v }), "fr-fingerprint", t("fingerprint"))}
        {text(relay.enrol, (v) => setRelay({ ...relay, enrol: v }), "fr-enrol", t("enrolCode"))}
        <button
          disabled={busy || !relay.url}
          onClick={() =>
            run(async () => {
              await ok(commands.setRelay(relay.url, relay.fingerprint || null));
              // A station's relay takes new teams from enrolled laptops only.
              if (relay.enrol.trim()) {
                await ok(commands.enrol(relay.enrol));
                setNotice(t("enrolled"));
              }
            })
          }
        >
          {t("saveRelay")}
        </button>
      </section>
      <section class="card">
        <h2>{t("createTeam")}</h2>
        {text(patient.name, (v) => setPatient({ ...patient, name: v }), "pt-name", t("name"))}
        {text(patient.kana ?? "", (v) => setPatient({ ...patient, kana: v || null }), "pt-kana", t("kana"))}
        {text(patient.born ?? "", (v) => setPatient({ ...patient, born: v || null }), "pt-born", `${t("born")}（昭和15年12月1日 / 1940-12-01）`)}
        <button
          id="create-team"
          disabled={busy || !patient.name.trim()}
          onClick={() => run(async () => {
            await ok(commands.createTeam(patient));
            go({ name: "today" });
          })}
        >
          {t("createTeam")}
        </button>
      </section>
      <section class="card">
        <button
          id="load-demo"
          disabled={busy}
          onClick={() => run(async () => {
            await ok(commands.loadDemo());
            go({ name: "today" });
          })}
        >
          {t("loadDemo")}（{t("sample")}）
        </button>
        <button class="link" onClick={() => go({ name: "today" })}>
          {t("skip")}
        </button>
      </section>
    </div>
  );
}
