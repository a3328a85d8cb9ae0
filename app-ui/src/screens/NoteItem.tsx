import { useState } from "preact/hooks";
import type { AttachmentView, MemberView, NoteView } from "../bindings";
import { commands, ok } from "../api";
import { t } from "../i18n";
import { formatDateTime } from "../format";
import { names } from "../logic";
import { label, type Shared } from "../state";
import { AttachButton, Thumbs } from "./Files";
import { HistoryButton } from "./History";
import { useRun } from "./Start";

/** One note in the timeline: who wrote it, acknowledgements of an urgent
 * one, a correction (a new version; earlier ones stay visible) and its
 * history. */
export function NoteItem({
  shared,
  team,
  n,
  members,
  files = [],
  readOnly,
  onAck,
  onChange,
  family = false,
}: {
  shared: Shared;
  team: string;
  n: NoteView;
  members: MemberView[];
  /** Photos and files attached to this note. */
  files?: AttachmentView[];
  readOnly: boolean;
  /** The viewer joined as family: only their own notes can be edited. */
  family?: boolean;
  onAck: (id: string) => void;
  onChange: () => void;
}) {
  const { vocab, lang } = shared;
  const { busy, error, run } = useRun();
  const [editing, setEditing] = useState<string | null>(null);
  const mine = members.some((m) => m.me && m.id === n.author);
  return (
    <li class={`note ${n.urgency}`} data-note={n.id}>
      <div class="meta">
        <span>{formatDateTime(n.written_at, lang)}</span>
        <strong>{n.author_name}</strong>
        <span class="muted">
          {label(vocab.professions, n.profession, lang)}・{n.organisation}
        </span>
        <span class="badge">{label(vocab.note_categories, n.category, lang)}</span>
        {n.urgency !== "routine" && <span class={`badge ${n.urgency}`}>{label(vocab.urgencies, n.urgency, lang)}</span>}
        {n.edits > 0 && <span class="muted">（{t("edited")}）</span>}
        <span class={`sync-state badge ${n.sent ? "sent" : "local"}`}>{t(n.sent ? "sentToRelay" : "onlyHere")}</span>
        {n.shared_with_family && !family && <span class="badge shared-family">{t("sharedWithFamily")}</span>}
      </div>
      {editing == null ? (
        <p class="note-text">{n.text}</p>
      ) : (
        <form
          class="note-edit-form"
          onSubmit={(e) => {
            e.preventDefault();
            run(async () => {
              await ok(commands.editNote(team, n.id, editing));
              setEditing(null);
              onChange();
            });
          }}
        >
          <textarea class="note-edit-text" rows={3} aria-label={t("editNote")} value={editing} onInput={(e) => setEditing((e.target as HTMLTextAreaElement).value)} />
          <button class="primary note-edit-save" disabled={busy || !editing.trim()}>
            {t("saveChanges")}
          </button>
          <button type="button" onClick={() => setEditing(null)}>
            {t("cancel")}
          </button>
        </form>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {n.versions.length > 1 && (
        <details class="versions">
          <summary>{t("earlierVersions", { n: n.versions.length - 1 })}</summary>
          <ol>
            {n.versions.slice(0, -1).map((v) => (
              <li>
                <span class="muted">
                  {formatDateTime(v.at, lang)} {v.by}
                </span>
                <p class="note-text">{v.text}</p>
              </li>
            ))}
          </ol>
        </details>
      )}
      {n.urgency === "urgent" && (
        <p class="acks">
          {n.acks.length > 0 ? t("acknowledgedBy", { names: names(n.acks) }) : t("unacknowledged")}{" "}
          {(() => {
            const waiting = members.filter((m) => m.id !== n.author && !n.acks.some((a) => a.member === m.id));
            return waiting.length > 0 ? <span class="muted">{t("notAcknowledgedBy", { names: names(waiting) })}</span> : null;
          })()}
          {!n.acked_by_me && !mine && !family && (
            <button class="ack" onClick={() => onAck(n.id)}>
              {t("acknowledge")}
            </button>
          )}
        </p>
      )}
      <Thumbs shared={shared} team={team} files={files} />
      {n.seen_by.length > 0 && (
        <p class="seen-by muted small">
          {t("seenBy")}{" "}
          {n.seen_by.map((s, i) => (
            <span key={s.member} class="seen" data-member={s.member} title={formatDateTime(s.at, lang)}>
              {i > 0 && "、"}
              {s.name}
            </span>
          ))}
        </p>
      )}
      <p class="note-actions">
        {!readOnly && editing == null && (!family || mine) && (
          <button class="link note-edit" onClick={() => setEditing(n.text)}>
            {t("editNote")}
          </button>
        )}
        {!readOnly && !family && (
          <button
            class="link share-family"
            disabled={busy}
            onClick={() =>
              run(async () => {
                await ok(commands.shareNote(team, n.id, !n.shared_with_family));
                onChange();
              })
            }
          >
            {t(n.shared_with_family ? "unshareWithFamily" : "shareWithFamily")}
          </button>
        )}
        <HistoryButton shared={shared} team={team} kind="note" id={n.id} />
        {!readOnly && !family && <AttachButton team={team} to="note" entry={n.id} assessment={null} onDone={onChange} />}
      </p>
    </li>
  );
}
