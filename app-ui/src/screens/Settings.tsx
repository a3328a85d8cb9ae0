import { useState } from "preact/hooks";
import type { SyncView } from "../bindings";
import { commands, message, ok } from "../api";
import { t } from "../i18n";
import { useLoad } from "../hooks";
import { label, type Shared } from "../state";

export function Settings({ shared, sync }: { shared: Shared; sync: SyncView | null }) {
  const { vocab, lang } = shared;
  const { data: me } = useLoad(() => ok(commands.profile()), []);
  const [url, setUrl] = useState(sync?.relay ?? "");
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
            <span>URL</span>
            <input id="relay-url" value={url} placeholder="https://192.168.1.10:8443" onInput={(e) => setUrl((e.target as HTMLInputElement).value)} />
          </label>
          <label class="field wide">
            <span>{t("fingerprint")}</span>
            <input id="relay-fingerprint" value={fp} onInput={(e) => setFp((e.target as HTMLInputElement).value)} />
          </label>
          <button class="primary" id="save-relay">
            {t("saveRelay")}
          </button>
          {note && <p role="status">{note}</p>}
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
