import { useState } from "preact/hooks";
import type { HistoryItem } from "../bindings";
import { commands, message, ok } from "../api";
import { t } from "../i18n";
import { formatDateTime } from "../format";
import type { Shared } from "../state";

/** A button that shows who changed an entry, what and when (the same
 * data as `tsunagi history`), under the entry. */
export function HistoryButton({ shared, team, kind, id }: { shared: Shared; team: string; kind: string; id: string | null }) {
  const { lang } = shared;
  const [items, setItems] = useState<HistoryItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const open = items != null;
  return (
    <>
      <button
        class="link history-btn"
        aria-expanded={open}
        onClick={async () => {
          if (open) return setItems(null);
          try {
            setItems(await ok(commands.history(team, kind, id)));
          } catch (e) {
            setError(message(e));
          }
        }}
      >
        {t("history")}
      </button>
      {error && <span class="error">{error}</span>}
      {open && (
        <div class="history" role="region" aria-label={t("historyTitle")}>
          {items.length === 0 && <p class="muted">{t("noHistory")}</p>}
          <ol>
            {items.map((h) => (
              <li class="history-item">
                <span class="muted">{formatDateTime(h.at, lang)}</span> <strong>{h.who}</strong>
                <ul>
                  {h.changes.map((c) => (
                    <li>
                      {lang === "ja" ? c.label_ja : c.label_en}
                      {(lang === "ja" ? c.value_ja : c.value_en) != null && `: ${lang === "ja" ? c.value_ja : c.value_en}`}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ol>
          <button class="link" onClick={() => setItems(null)}>
            {t("close")}
          </button>
        </div>
      )}
    </>
  );
}
