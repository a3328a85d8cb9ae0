import { useState } from "preact/hooks";
import type { AttachmentView, OpenedFile } from "../bindings";
import { commands, message, ok } from "../api";
import { t } from "../i18n";
import { formatDateTime } from "../format";
import type { Shared } from "../state";

/** The file as base64 (IPC carries JSON), without the data URL's prefix. */
function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/** 写真・PDF を添付: a file, or the camera where the system offers one
 * (`capture` opens it on laptops that have one). */
export function AttachButton({
  team,
  to,
  entry,
  assessment,
  id,
  captions = false,
  onDone,
}: {
  team: string;
  to: "note" | "wound" | "profile";
  entry: string | null;
  assessment: string | null;
  id?: string;
  /** Offer 全体 / 近接 (a wide and a close-up photo each time, as the
   * dermatologists' guidance asks). */
  captions?: boolean;
  onDone: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [caption, setCaption] = useState("");
  const [error, setError] = useState<string | null>(null);
  const onPick = async (input: HTMLInputElement) => {
    const files = Array.from(input.files ?? []);
    if (files.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      for (const f of files) {
        if (f.size > 10 * 1024 * 1024) throw new Error(t("fileTooLarge", { name: f.name }));
        await ok(commands.attachFile(team, to, entry, assessment, caption || null, f.name, await readBase64(f)));
      }
      onDone();
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
      input.value = "";
    }
  };
  return (
    <span class="attach">
      {captions && (
        <select class="attach-caption" aria-label={t("photoCaption")} value={caption} onChange={(e) => setCaption((e.target as HTMLSelectElement).value)}>
          <option value="">{t("captionNone")}</option>
          <option value={t("captionWide")}>{t("captionWide")}</option>
          <option value={t("captionClose")}>{t("captionClose")}</option>
        </select>
      )}
      <label class="button attach-label">
        {busy ? t("attaching") : t("attachPhoto")}
        <input
          id={id}
          class="attach-input"
          type="file"
          accept="image/jpeg,image/png,application/pdf"
          capture="environment"
          multiple
          disabled={busy}
          onChange={(e) => onPick(e.target as HTMLInputElement)}
        />
      </label>
      {error && (
        <span class="error attach-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

/** Thumbnails (the full file opens on click, fetched if not here). */
export function Thumbs({ shared, team, files }: { shared: Shared; team: string; files: AttachmentView[] }) {
  const [open, setOpen] = useState<OpenedFile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState<string | null>(null);
  const show = async (a: AttachmentView) => {
    setError(null);
    setLoading(a.id);
    try {
      setOpen(await ok(commands.openAttachment(team, a.id)));
    } catch (e) {
      setError(message(e));
    } finally {
      setLoading(null);
    }
  };
  if (files.length === 0) return null;
  return (
    <div class="thumbs">
      {files.map((a) => (
        <figure class="thumb" key={a.id} data-id={a.id} data-here={String(a.here)}>
          <button class="thumb-open link" onClick={() => show(a)} title={a.name} aria-label={t("openFile", { name: a.name })}>
            {a.thumb ? (
              <img src={a.thumb} alt={a.caption ?? a.name} />
            ) : a.thumb_coming ? (
              <span class="thumb-coming">{t("thumbComing")}</span>
            ) : (
              <span class="thumb-file">{a.mime === "application/pdf" ? t("pdfLabel") : t("fileLabel")}</span>
            )}
          </button>
          <figcaption class="small muted">
            {a.caption && <span>{a.caption} · </span>}
            {formatDateTime(a.at, shared.lang)} · {a.by}
            {loading === a.id && <span class="loading"> {t("fileFetching")}</span>}
          </figcaption>
        </figure>
      ))}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {open && (
        <div class="viewer" id="file-viewer" role="dialog" aria-label={open.name}>
          {open.mime.startsWith("image/") ? <img id="file-viewer-img" src={open.data_url} alt={open.name} /> : <iframe id="file-viewer-pdf" src={open.data_url} title={open.name} />}
          <div class="actions">
            <a class="button" href={open.data_url} download={open.name}>
              {t("saveFile")}
            </a>
            <button id="file-viewer-close" onClick={() => setOpen(null)}>
              {t("close")}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

/** Files on the patient's profile (a scanned 指示書, a consent form …). */
export function ProfileFiles({ shared, team, files, readOnly, onChange }: { shared: Shared; team: string; files: AttachmentView[]; readOnly: boolean; onChange: () => void }) {
  const mine = files.filter((a) => a.to === "profile");
  return (
    <section id="profile-files" aria-labelledby="profile-files-h">
      <h2 id="profile-files-h">{t("profileFiles")}</h2>
      {mine.length === 0 && <p class="muted">{t("noFiles")}</p>}
      <Thumbs shared={shared} team={team} files={mine} />
      {!readOnly && <AttachButton id="profile-attach" team={team} to="profile" entry={null} assessment={null} onDone={onChange} />}
    </section>
  );
}
