import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { MasterHit } from "../bindings";
import { commands, ok } from "../api";
import { t } from "../i18n";
import { debounce } from "../clock";

/** How many hits a lookup shows (the master has some 27,000 names). */
const SHOWN = 20;

/** The 傷病名 master looked up while typing: `look(key, text)` searches
 * ~250 ms after the last keystroke; `hits` belong to the field `key`. */
export function useMasterLookup(enabled: boolean) {
  const [hits, setHits] = useState<{ key: string; list: MasterHit[] } | null>(null);
  // Only the latest lookup's answer is shown.
  const seq = useRef(0);
  const search = useMemo(
    () =>
      debounce((key: string, text: string) => {
        const n = ++seq.current;
        ok(commands.lookupMaster("disease", text)).then(
          (list) => n === seq.current && setHits({ key, list }),
          () => n === seq.current && setHits(null),
        );
      }, 250),
    [],
  );
  useEffect(() => () => search.cancel(), [search]);
  const clear = () => {
    seq.current++;
    search.cancel();
    setHits(null);
  };
  const look = (key: string, text: string) => {
    if (!enabled || !text.trim()) return clear();
    search(key, text.trim());
  };
  return { hits, look, clear };
}

/** The master's entries for a name: a click takes the code. */
export function MasterHits({ list, pick }: { list: MasterHit[]; pick: (hit: MasterHit) => void }) {
  if (list.length === 0) return <p class="muted small master-none">{t("masterNoHit")}</p>;
  return (
    <ul class="master-hits" aria-label={t("masterHits")}>
      {list.slice(0, SHOWN).map((h) => (
        <li key={h.code}>
          <button type="button" class="master-hit" data-code={h.code} data-icd10={h.icd10 ?? ""} onClick={() => pick(h)}>
            <span class="mono">{h.code}</span> {h.name}
            {h.icd10 && (
              <span class="muted">
                {" "}
                {t("icd10")} {h.icd10}
              </span>
            )}
          </button>
        </li>
      ))}
    </ul>
  );
}
