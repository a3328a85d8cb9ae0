import { useEffect, useRef, useState } from "preact/hooks";
import type { SearchHit } from "../bindings";
import { commands, message, ok } from "../api";
import { t, type Key } from "../i18n";
import { formatDateTime } from "../format";
import type { Shared } from "../state";

/** Search across my patients as I type; a result opens its entry. Enter
 * opens the first, Escape clears. */
export function SearchBox({ shared }: { shared: Shared }) {
  const { lang, go } = shared;
  const [query, setQuery] = useState("");
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const seq = useRef(0);
  useEffect(() => {
    const q = query.trim();
    if (!q) return setHits(null);
    const mine = ++seq.current;
    // A short pause so each keystroke does not search.
    const timer = setTimeout(async () => {
      try {
        const started = performance.now();
        const found = await ok(commands.search(q));
        (window as any).__tsunagiSearchMs = performance.now() - started;
        if (mine === seq.current) (setHits(found), setError(null));
      } catch (e) {
        setError(message(e));
      }
    }, 120);
    return () => clearTimeout(timer);
  }, [query]);
  const open = (h: SearchHit) => {
    setQuery("");
    go({ name: "record", team: h.team, entry: h.entry || undefined, via: "search" });
  };
  const kind = (k: string) => t(`searchKind_${k}` as Key);
  return (
    <div class="search" role="search">
      <input
        id="search"
        type="search"
        aria-label={t("search")}
        placeholder={t("searchPlaceholder")}
        value={query}
        onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") setQuery("");
          if (e.key === "Enter" && hits && hits.length > 0) open(hits[0]);
        }}
      />
      {error && <p class="error">{error}</p>}
      {hits && (
        <ul class="search-results" id="search-results" aria-live="polite">
          {hits.length === 0 && <li class="muted">{t("searchNothing")}</li>}
          {hits.map((h) => (
            <li key={`${h.team}-${h.entry}`}>
              <button class="link search-hit" data-kind={h.kind} onClick={() => open(h)}>
                <strong>{h.patient}</strong> <span class="badge">{kind(h.kind)}</span>{" "}
                {h.kind !== "patient" && <span class="hit-text">{h.text}</span>}
                {h.at != null && <span class="muted small"> {formatDateTime(h.at, lang)}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
