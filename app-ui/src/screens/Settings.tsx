import { useEffect, useRef, useState } from "preact/hooks";
import type { DeviceCodeView, SyncView } from "../bindings";
import { commands, message, ok } from "../api";
import { t, type Lang } from "../i18n";
import { useLoad } from "../hooks";
import { label, type Shared } from "../state";
import { formatDateTime } from "../format";
import { passphraseProblem } from "../logic";
import { PassField } from "./Lock";

/** This member's laptops: add another (a code shown face to face), or take
 * one that was lost off every team at once. */
function MyDevicesSection({ lang }: { lang: Lang }) {
  const { data: devices, reload } = useLoad(() => ok(commands.myDevices()), []);
  const [code, setCode] = useState<DeviceCodeView | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const [note, setNote] = useState<{ text: string; ok: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const target = canvas.current;
    if (code && target) import("qrcode").then((QRCode) => QRCode.toCanvas(target, code.code, { width: 280, margin: 2 }));
  }, [code]);
  const act = async (f: () => Promise<void>) => {
    setBusy(true);
    setNote(null);
    try {
      await f();
    } catch (err) {
      setNote({ text: message(err), ok: false });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section id="my-devices">
      <h2>{t("myDevices")}</h2>
      <ul class="plain">
        {(devices ?? []).map((d) => (
          <li class="my-device" key={d.device} data-device={d.device} data-this={String(d.this)}>
            <code>{d.device.slice(0, 8)}</code> {d.this && <strong>{t("thisDevice")}</strong>}{" "}
            <span class="muted small">{t("deviceTeams", { n: d.teams })}</span>{" "}
            {!d.this && (
              <button class="link device-remove" disabled={busy} onClick={() => setRemoving(d.device)}>
                {t("deviceRemove")}
              </button>
            )}
          </li>
        ))}
      </ul>
      {removing && (
        <div class="confirm" role="alertdialog" aria-labelledby="device-confirm-text">
          <p id="device-confirm-text">{t("deviceRemoveConfirm", { id: removing.slice(0, 8) })}</p>
          <button
            class="danger"
            id="device-remove-confirm"
            disabled={busy}
            onClick={() =>
              act(async () => {
                const n = await ok(commands.removeMyDevice(removing));
                setRemoving(null);
                setNote({ text: t("deviceRemoved", { n }), ok: true });
                reload();
              })
            }
          >
            {t("confirm")}
          </button>
          <button onClick={() => setRemoving(null)}>{t("cancel")}</button>
        </div>
      )}
      <button id="device-add" disabled={busy} onClick={() => act(async () => setCode(await ok(commands.deviceAdd())))}>
        {t("deviceAdd")}
      </button>
      {code && (
        <div class="invite" id="device-code-box">
          <canvas ref={canvas} aria-label={t("deviceCode")} />
          <p>{t("deviceCodeHelp", { time: formatDateTime(code.expires_at, lang) })}</p>
          <textarea id="device-code" readOnly rows={3} aria-label={t("deviceCode")} value={code.code} />
          <button onClick={() => navigator.clipboard?.writeText(code.code)}>{t("copy")}</button>
        </div>
      )}
      {note && (
        <p class={note.ok ? "saved" : "error"} role={note.ok ? "status" : "alert"} id="device-note">
          {note.text}
        </p>
      )}
    </section>
  );
}

/** How long until the window locks, notification details, the passphrase. */
function SecuritySection({ shared }: { shared: Shared }) {
  const { data: security, setData } = useLoad(() => ok(commands.securitySettings()), []);
  const [minutes, setMinutes] = useState<string | null>(null);
  const [lockNote, setLockNote] = useState<string | null>(null);
  const [notifyNote, setNotifyNote] = useState<string | null>(null);
  const [pass, setPass] = useState({ old: "", next: "", again: "" });
  const [passNote, setPassNote] = useState<{ text: string; ok: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  if (!security) return null;
  const shown = minutes ?? String(security.lock_after_minutes);
  const saveLockAfter = async (e?: Event) => {
    e?.preventDefault();
    const n = Number(shown);
    try {
      await ok(commands.setLockAfter(n));
      setData({ ...security, lock_after_minutes: n });
      setMinutes(null);
      shared.setLockAfter(n);
      setLockNote(t("lockAfterSaved", { n }));
    } catch (err) {
      setLockNote(message(err));
    }
  };
  const change = async (e: Event) => {
    e.preventDefault();
    const problem = passphraseProblem(pass.next, pass.again);
    if (problem) return setPassNote({ text: t(problem), ok: false });
    setBusy(true);
    try {
      await ok(commands.changePassphrase(pass.old, pass.next));
      setPass({ old: "", next: "", again: "" });
      setPassNote({ text: t("passChanged"), ok: true });
    } catch (err) {
      setPassNote({ text: message(err), ok: false });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section id="security">
      <h2>{t("security")}</h2>
      <p class="muted" id="keychain-state">
        {security.uses_keychain ? t("keychainUsed") : t("keychainNotUsed")}
      </p>
      <form class="row" onSubmit={saveLockAfter}>
        <label class="field">
          <span>{t("lockAfter")}</span>
          <input
            id="lock-after"
            type="number"
            min={1}
            max={60}
            value={shown}
            onInput={(e) => setMinutes((e.target as HTMLInputElement).value)}
          />
        </label>
        <button id="save-lock-after">{t("saveLockAfter")}</button>
      </form>
      {lockNote && (
        <p role="status" id="lock-after-status">
          {lockNote}
        </p>
      )}
      <label class="tick">
        <input
          id="notify-details"
          type="checkbox"
          checked={security.notify_details}
          onChange={async (e) => {
            const on = (e.target as HTMLInputElement).checked;
            try {
              await ok(commands.setNotifyDetails(on));
              setData({ ...security, notify_details: on });
              setNotifyNote(t("notifySaved"));
            } catch (err) {
              setNotifyNote(message(err));
            }
          }}
        />
        {t("notifyDetails")}
      </label>
      <p class="muted small">{t("notifyDetailsNote")}</p>
      {notifyNote && (
        <p role="status" id="notify-status">
          {notifyNote}
        </p>
      )}
      <form class="stack" id="change-pass-form" onSubmit={change}>
        <h3>{t("changePassphrase")}</h3>
        <PassField id="old-pass" value={pass.old} set={(v) => setPass({ ...pass, old: v })} label={t("oldPassphrase")} />
        <PassField id="new-pass" value={pass.next} set={(v) => setPass({ ...pass, next: v })} label={t("newPassphrase")} />
        <PassField id="new-pass2" value={pass.again} set={(v) => setPass({ ...pass, again: v })} label={t("newPassphraseAgain")} />
        <button id="change-pass" disabled={busy || !pass.old || !pass.next}>
          {t("changePassphrase")}
        </button>
        {passNote && (
          <p role={passNote.ok ? "status" : "alert"} class={passNote.ok ? "saved" : "error"} id="change-pass-status">
            {passNote.text}
          </p>
        )}
      </form>
    </section>
  );
}

/** The 傷病名 master (支払基金's b_YYYYMMDD.txt, or the modifiers'
 * z_YYYYMMDD.txt) loaded from a file on this laptop. */
function MasterSection() {
  const [path, setPath] = useState("");
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<{ text: string; ok: boolean } | null>(null);
  const load = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setStatus(null);
    try {
      const m = await ok(commands.loadMaster(path.trim(), null, null));
      const lines = m.refused_lines;
      setStatus({
        text:
          t("masterLoaded", {
            kind: t(m.kind === "modifier" ? "masterKindModifier" : "masterKindDisease"),
            version: m.version,
            entries: m.entries.toLocaleString(),
            abolished: m.abolished.toLocaleString(),
            refused: lines.length,
          }) + (lines.length ? " " + t("masterRefusedLines", { lines: lines.slice(0, 10).join(", ") + (lines.length > 10 ? "…" : "") }) : ""),
        ok: true,
      });
    } catch (err) {
      setStatus({ text: message(err), ok: false });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section id="master">
      <h2>{t("masterTitle")}</h2>
      <p class="muted small">{t("masterHelp")}</p>
      <form class="stack" onSubmit={load}>
        <label class="field wide">
          <span>{t("masterPath")}</span>
          <input id="master-path" value={path} placeholder={t("masterPathPlaceholder")} onInput={(e) => setPath((e.target as HTMLInputElement).value)} />
        </label>
        <button id="load-master" disabled={busy || !path.trim()}>
          {busy ? t("masterLoading") : t("loadMaster")}
        </button>
        <p id="master-status" role="status" class={status ? (status.ok ? "saved" : "error") : ""}>
          {status?.text ?? ""}
        </p>
      </form>
    </section>
  );
}

export function Settings({ shared, sync }: { shared: Shared; sync: SyncView | null }) {
  const { vocab, lang } = shared;
  const { data: me } = useLoad(() => ok(commands.profile()), []);
  // The main relay first, then the others in front of the same store, one per line.
  const [url, setUrl] = useState([sync?.relay, ...(sync?.relay_also ?? [])].filter(Boolean).join("\n"));
  const [fp, setFp] = useState("");
  const [note, setNote] = useState<string | null>(null);
  const [enrolCode, setEnrolCode] = useState("");
  const [enrolNote, setEnrolNote] = useState<string | null>(null);
  const enrol = async (e: Event) => {
    e.preventDefault();
    try {
      await ok(commands.enrol(enrolCode));
      setEnrolNote(t("enrolled"));
      setEnrolCode("");
    } catch (err) {
      setEnrolNote(message(err));
    }
  };
  const saveRelay = async (e: Event) => {
    e.preventDefault();
    try {
      await ok(commands.setRelay(url, fp || null));
      setNote(t("relaySaved"));
    } catch (err) {
      setNote(message(err));
    }
  };
  return (
    <div class="settings" id="settings">
      <h1>{t("settingsTitle")}</h1>
      <section>
        <h2>{t("language")}</h2>
        <select id="language" value={lang} onChange={(e) => shared.setLang((e.target as HTMLSelectElement).value as any)}>
          <option value="ja">日本語</option>
          <option value="en">English</option>
        </select>
        <label class="tick">
          <input type="checkbox" checked={shared.era} onChange={(e) => shared.setEra((e.target as HTMLInputElement).checked)} />
          {t("eraJapanese")}
        </label>
      </section>
      <section>
        <h2>{t("relay")}</h2>
        <form onSubmit={saveRelay} class="stack">
          <label class="field wide">
            <span>{t("relayAddresses")}</span>
            <textarea id="relay-url" rows={Math.max(2, url.split("\n").length)} value={url} placeholder="https://192.168.1.10:8443" onInput={(e) => setUrl((e.target as HTMLTextAreaElement).value)} />
            <small class="muted">{t("relayAddressesHint")}</small>
          </label>
          {sync?.relay_in_use && (
            <p class="muted" id="relay-in-use">
              {t("relayInUse", { url: sync.relay_in_use })} — {sync.online ? t("online") : t("offline")}
            </p>
          )}
          <label class="field wide">
            <span>{t("fingerprint")}</span>
            <input id="relay-fingerprint" value={fp} onInput={(e) => setFp((e.target as HTMLInputElement).value)} />
          </label>
          <button class="primary" id="save-relay">
            {t("saveRelay")}
          </button>
          {note && (
            <p role="status" id="relay-status">
              {note}
            </p>
          )}
        </form>
        <form onSubmit={enrol} class="stack">
          <label class="field wide">
            <span>{t("enrolCode")}</span>
            <input id="enrol-code" value={enrolCode} placeholder="3f9c-81aa-…" onInput={(e) => setEnrolCode((e.target as HTMLInputElement).value)} />
          </label>
          <button id="enrol" disabled={!enrolCode.trim()}>
            {t("enrol")}
          </button>
          {enrolNote && (
            <p role="status" id="enrol-status">
              {enrolNote}
            </p>
          )}
        </form>
      </section>
      <MyDevicesSection lang={lang} />
      <SecuritySection shared={shared} />
      <MasterSection />
      {me && (
        <section>
          <h2>{t("thisDevice")}</h2>
          <p>
            {me.name} {me.kana && <span class="muted">{me.kana}</span>}・{label(vocab.professions, me.profession, lang)}・
            {me.organisation}
          </p>
          <p class="muted small">{t("deviceId")} {me.device}</p>
        </section>
      )}
    </div>
  );
}
