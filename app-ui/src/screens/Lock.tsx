// The lock: the Unlock screen (and recovery with the recovery key), the
// Encrypt screen for a profile made before encryption, and the recovery key
// shown once. While locked nothing of a patient is on screen.
import { useEffect, useRef, useState } from "preact/hooks";
import type { LockView, UnlockedView } from "../bindings";
import { code, commands, message, ok } from "../api";
import { t } from "../i18n";
import { passphraseProblem } from "../logic";
import { useRun } from "./Start";

/** A password field with its label. */
export function PassField({ id, value, set, label, autoFocus }: { id: string; value: string; set: (v: string) => void; label: string; autoFocus?: boolean }) {
  return (
    <label class="field wide">
      <span>{label}</span>
      <input
        id={id}
        type="password"
        autoComplete="off"
        autoFocus={autoFocus}
        value={value}
        onInput={(e) => set((e.target as HTMLInputElement).value)}
      />
    </label>
  );
}

/** A new passphrase typed twice, and "passphrase only" when there is no keychain. */
export function NewPassphrase({
  ids,
  lock,
  pass,
  setPass,
  again,
  setAgain,
  only,
  setOnly,
}: {
  ids: [string, string, string];
  lock: LockView | null;
  pass: string;
  setPass: (v: string) => void;
  again: string;
  setAgain: (v: string) => void;
  only: boolean;
  setOnly: (v: boolean) => void;
}) {
  return (
    <>
      <p class="muted">{t("passphraseHelp")}</p>
      <PassField id={ids[0]} value={pass} set={setPass} label={t("passphrase")} />
      <PassField id={ids[1]} value={again} set={setAgain} label={t("passphraseAgain")} />
      {lock && !lock.keychain_available && (
        <div class="warn-box" id={`${ids[2]}-box`}>
          <p>{t("passphraseOnlyWarning")}</p>
          <label class="tick">
            <input id={ids[2]} type="checkbox" checked={only} onChange={(e) => setOnly((e.target as HTMLInputElement).checked)} />
            {t("passphraseOnly")}
          </label>
        </div>
      )}
    </>
  );
}

/** What stops a new passphrase from being set, in words, or null. */
export function newPassProblem(lock: LockView | null, pass: string, again: string, only: boolean): string | null {
  const p = passphraseProblem(pass, again);
  if (p) return t(p);
  if (lock && !lock.keychain_available && !only) return t("passOnlyRequired");
  return null;
}

/** The recovery key, shown once, to print or write down. */
export function RecoveryKey({ keyText, onContinue }: { keyText: string; onContinue: () => void }) {
  const [ack, setAck] = useState(false);
  return (
    <div class="first-run stack" id="recovery-key-screen">
      <h1>{t("recoveryTitle")}</h1>
      <p>{t("recoveryLead")}</p>
      <p class="recovery-key" id="recovery-key">
        {keyText}
      </p>
      <p class="warn-box">{t("recoveryKeep")}</p>
      <div class="actions no-print">
        <button type="button" id="recovery-print" onClick={() => window.print()}>
          {t("print")}
        </button>
      </div>
      <label class="tick no-print">
        <input id="recovery-ack" type="checkbox" checked={ack} onChange={(e) => setAck((e.target as HTMLInputElement).checked)} />
        {t("recoveryAck")}
      </label>
      <button class="primary no-print" id="recovery-continue" disabled={!ack} onClick={onContinue}>
        {t("continue")}
      </button>
    </div>
  );
}

/** A profile made before encryption: a passphrase, then it is encrypted in place. */
export function Encrypt({ lock, done }: { lock: LockView | null; done: (v: UnlockedView) => void }) {
  const { busy, error, run, setError } = useRun();
  const [pass, setPass] = useState("");
  const [again, setAgain] = useState("");
  const [only, setOnly] = useState(false);
  return (
    <form
      class="first-run stack"
      id="encrypt-screen"
      onSubmit={(e) => {
        e.preventDefault();
        const problem = newPassProblem(lock, pass, again, only);
        if (problem) return setError(problem);
        run(async () => done(await ok(commands.encryptProfile(pass, only))));
      }}
    >
      <h1>{t("encryptTitle")}</h1>
      <p>{t("encryptLead")}</p>
      <NewPassphrase ids={["encrypt-pass", "encrypt-pass2", "encrypt-pass-only"]} lock={lock} {...{ pass, setPass, again, setAgain, only, setOnly }} />
      {error && (
        <p class="error" role="alert" id="encrypt-error">
          {error}
        </p>
      )}
      <button class="primary" id="encrypt-profile" disabled={busy}>
        {busy ? t("encrypting") : t("encryptProfile")}
      </button>
    </form>
  );
}

/** The window is locked: the passphrase, or the recovery key to set a new one. */
export function Unlock({ lock, done }: { lock: LockView | null; done: (v: UnlockedView) => void }) {
  const [view, setView] = useState<LockView | null>(lock);
  const [forgot, setForgot] = useState(false);
  const [pass, setPass] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [errorCode, setErrorCode] = useState<string | null>(null);
  const [wait, setWait] = useState(lock?.wait_seconds ?? 0);
  const [key, setKey] = useState("");
  const [newPass, setNewPass] = useState("");
  const [newAgain, setNewAgain] = useState("");
  const field = useRef<HTMLInputElement>(null);

  useEffect(() => {
    ok(commands.lockState()).then(
      (v) => {
        setView(v);
        setWait(v.wait_seconds);
      },
      () => {},
    );
  }, []);
  // The wait after too many wrong tries, counted down.
  useEffect(() => {
    if (wait <= 0) return;
    const timer = setTimeout(() => setWait((w) => Math.max(0, w - 1)), 1000);
    return () => clearTimeout(timer);
  }, [wait]);
  useEffect(() => field.current?.focus(), [forgot]);

  const failed = async (e: unknown) => {
    setError(message(e));
    setErrorCode(code(e));
    try {
      const v = await ok(commands.lockState());
      setView(v);
      setWait(v.wait_seconds);
    } catch {}
  };
  const unlock = async (e: Event) => {
    e.preventDefault();
    if (busy || !pass) return;
    setBusy(true);
    setError(null);
    try {
      const v = await ok(commands.unlock(pass));
      setPass("");
      done(v);
    } catch (err) {
      setPass("");
      await failed(err);
    } finally {
      setBusy(false);
    }
  };
  const recover = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const problem = passphraseProblem(newPass, newAgain);
    if (problem) return (setError(t(problem)), setErrorCode("invalid"));
    setBusy(true);
    setError(null);
    try {
      done(await ok(commands.recover(key.trim(), newPass)));
    } catch (err) {
      await failed(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="first-run stack" id="unlock-screen">
      <h1>{t("appName")}</h1>
      {!forgot ? (
        <form class="stack" id="unlock-form" onSubmit={unlock}>
          <h2>{t("unlockTitle")}</h2>
          <p>{t("unlockLead")}</p>
          <label class="field wide">
            <span>{t("passphrase")}</span>
            <input
              id="unlock-pass"
              ref={field}
              type="password"
              autoComplete="off"
              value={pass}
              onInput={(e) => setPass((e.target as HTMLInputElement).value)}
            />
          </label>
          <button class="primary" id="unlock-button" disabled={busy || wait > 0}>
            {busy ? t("unlocking") : t("unlockButton")}
          </button>
        </form>
      ) : (
        <form class="stack" id="recover-form" onSubmit={recover}>
          <h2>{t("forgot")}</h2>
          <p>{t("recoverLead")}</p>
          <label class="field wide">
            <span>{t("recoveryKeyField")}</span>
            <input
              id="recover-key"
              ref={field}
              class="mono"
              autoComplete="off"
              spellcheck={false}
              placeholder="ABCD-EFGH-…"
              value={key}
              onInput={(e) => setKey((e.target as HTMLInputElement).value)}
            />
          </label>
          <PassField id="recover-pass" value={newPass} set={setNewPass} label={t("newPassphrase")} />
          <PassField id="recover-pass2" value={newAgain} set={setNewAgain} label={t("newPassphraseAgain")} />
          <button class="primary" id="recover-button" disabled={busy || wait > 0}>
            {t("recoverButton")}
          </button>
        </form>
      )}
      {error && (
        <div class="error" role="alert" id="unlock-error" data-code={errorCode ?? ""}>
          <p>{error}</p>
          {errorCode === "keychain-secret-missing" && <p>{t("keychainMissingHint")}</p>}
        </div>
      )}
      {wait > 0 && (
        <p class="warn-box" id="unlock-wait" role="status">
          {t("waitSeconds", { n: wait })}
        </p>
      )}
      {view && view.failures > 0 && <p class="muted small">{t("failures", { n: view.failures })}</p>}
      <button
        type="button"
        class="link"
        id="forgot"
        onClick={() => {
          setForgot(!forgot);
          setError(null);
        }}
      >
        {forgot ? t("backToUnlock") : t("forgot")}
      </button>
      {view && view.state !== "new" && !view.uses_keychain && <p class="muted small" id="passphrase-only-note">{t("passphraseOnlyNote")}</p>}
    </div>
  );
}
