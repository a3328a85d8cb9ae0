import { useState } from "preact/hooks";
import type { LockView, UnlockedView } from "../bindings";
import { commands, ok } from "../api";
import { t } from "../i18n";
import type { Shared } from "../state";
import { JoinCard, NewPatientCard, useRun } from "./Start";
import { NewPassphrase, newPassProblem, RecoveryKey } from "./Lock";

/** Step 1: who uses this laptop, and the passphrase that locks it; then the
 * recovery key, once. Step 2: join a team, start one, or load the sample station. */
export function FirstRun({ shared, lock }: { shared: Shared; lock: LockView | null }) {
  const { vocab, lang, go } = shared;
  const [step, setStep] = useState<1 | "key" | 2>(1);
  const { busy, error, run, setError } = useRun();
  const [pass, setPass] = useState("");
  const [again, setAgain] = useState("");
  const [only, setOnly] = useState(false);
  const [made, setMade] = useState<UnlockedView | null>(null);
  const [profile, setProfile] = useState({ name: "", kana: "", profession: "nurse", organisation: "", phone: "" });
  const [notice, setNotice] = useState<string | null>(null);
  const [relay, setRelay] = useState({ url: "", fingerprint: "", enrol: "" });

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
          const problem = newPassProblem(lock, pass, again, only);
          if (problem) return setError(problem);
          run(async () => {
            const v = await ok(
              commands.initProfile({ ...profile, kana: profile.kana || null, phone: profile.phone || null }, pass, only),
            );
            setPass("");
            setAgain("");
            shared.unlocked(v);
            setMade(v);
            setStep(v.recovery_key ? "key" : 2);
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
        <NewPassphrase ids={["p-pass", "p-pass2", "p-pass-only"]} lock={lock} {...{ pass, setPass, again, setAgain, only, setOnly }} />
        {error && <p class="error" role="alert">{error}</p>}
        <button class="primary" id="create-profile" disabled={busy}>
          {t("createProfile")}
        </button>
      </form>
    );

  if (step === "key" && made?.recovery_key)
    return (
      <RecoveryKey
        keyText={made.recovery_key}
        onContinue={() => {
          setMade(null);
          setStep(2);
        }}
      />
    );

  return (
    <div class="first-run stack" id="first-run-2">
      <h1>{t("welcome")}</h1>
      <p>{t("joinOrCreate")}</p>
      {error && <p class="error" role="alert">{error}</p>}
      <JoinCard shared={shared} />
      <section class="card">
        <h2>{t("relay")}</h2>
        {text(relay.url, (v) => setRelay({ ...relay, url: v }), "fr-relay", "URL")}
        {text(relay.fingerprint, (v) => setRelay({ ...relay, fingerprint: v }), "fr-fingerprint", t("fingerprint"))}
        {text(relay.enrol, (v) => setRelay({ ...relay, enrol: v }), "fr-enrol", t("enrolCode"))}
        <button
          id="fr-save-relay"
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
        {notice && (
          <p class="saved" role="status" id="enrol-notice">
            {notice}
          </p>
        )}
      </section>
      <NewPatientCard shared={shared} />
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
