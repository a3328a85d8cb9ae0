import { useState } from "preact/hooks";
import type { DesignR, WoundView } from "../bindings";
import { commands, message, ok } from "../api";
import { t } from "../i18n";
import { formatDateTime, formatIsoDate } from "../format";
import { label, type Shared } from "../state";

/** The DESIGN-R 2020 items and their codes, in the scale's order. */
const ITEMS: { key: keyof DesignR; codes: string[] }[] = [
  { key: "depth", codes: ["d0", "d1", "d2", "D3", "D4", "D5", "DDTI", "DU"] },
  { key: "exudate", codes: ["e0", "e1", "e3", "E6"] },
  { key: "size", codes: ["s0", "s3", "s6", "s8", "s9", "s12", "S15"] },
  { key: "inflammation", codes: ["i0", "i1", "I3C", "I3", "I9"] },
  { key: "granulation", codes: ["g0", "g1", "g3", "G4", "G5", "G6"] },
  { key: "necrotic", codes: ["n0", "N3", "N6"] },
  { key: "pocket", codes: ["p0", "P6", "P9", "P12", "P24"] },
];

const blank: DesignR = { depth: "d0", exudate: "e0", size: "s0", inflammation: "i0", granulation: "g0", necrotic: "n0", pocket: "p0" };

/** Wounds (褥瘡 …) followed with DESIGN-R 2020: each assessment appended, the
 * total's course oldest first, a mark when one is due; healed ones closed. */
export function Wounds({ shared, team, wounds, readOnly, onChange }: { shared: Shared; team: string; wounds: WoundView[]; readOnly: boolean; onChange: () => void }) {
  const { vocab, lang, era } = shared;
  const [site, setSite] = useState("");
  const [kind, setKind] = useState("pressure_ulcer");
  const [assessing, setAssessing] = useState<{ wound: string; scores: DesignR } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (f: () => Promise<unknown>) => {
    setError(null);
    try {
      await f();
      onChange();
    } catch (e) {
      setError(message(e));
    }
  };
  return (
    <section id="wounds" aria-labelledby="wounds-h">
      <h2 id="wounds-h">{t("woundsTitle")}</h2>
      <ul class="plain">
        {wounds.map((w) => (
          <li class="wound card" key={w.id} data-id={w.id} data-due={String(w.due)}>
            <strong>{w.site}</strong> <span class="muted">{label(vocab.wound_kinds, w.kind, lang)}</span>{" "}
            <span class="muted small">{t("woundSince", { date: formatIsoDate(w.started_on, lang, era) })}</span>{" "}
            {w.closed_on && <span class="badge">{t("woundClosed", { date: formatIsoDate(w.closed_on, lang, era) })}</span>}
            {w.due && <span class="badge warn wound-due">{t("woundDue")}</span>}
            {w.assessments.length > 0 && (
              <table class="wound-course">
                <caption>{t("woundCourse")}</caption>
                <tbody>
                  {w.assessments.map((a) => (
                    <tr key={a.id} class="assessment">
                      <td>{formatDateTime(a.at, lang)}</td>
                      <td class="notation">{a.notation}</td>
                      <td class="total">{t("woundTotal", { n: a.total })}</td>
                      <td class="muted">{a.by}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {!readOnly && !w.closed_on && (
              <div class="actions">
                <button class="wound-assess" onClick={() => setAssessing({ wound: w.id, scores: w.assessments.length ? parse(w.assessments[w.assessments.length - 1].notation) : blank })}>
                  {t("woundAssess")}
                </button>
                <button class="link wound-close" onClick={() => run(() => ok(commands.closeWound(team, w.id)))}>
                  {t("woundHealed")}
                </button>
              </div>
            )}
            {assessing?.wound === w.id && (
              <form
                class="wound-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  run(async () => {
                    await ok(commands.assessWound(team, w.id, assessing.scores, null));
                    setAssessing(null);
                  });
                }}
              >
                {ITEMS.map((item) => (
                  <label class="field" key={item.key}>
                    <span>{t(`designR_${item.key}` as any)}</span>
                    <select
                      class={`designr-${item.key}`}
                      value={assessing.scores[item.key]}
                      onChange={(e) => setAssessing({ ...assessing, scores: { ...assessing.scores, [item.key]: (e.target as HTMLSelectElement).value } })}
                    >
                      {item.codes.map((c) => (
                        <option value={c} key={c}>
                          {c}
                        </option>
                      ))}
                    </select>
                  </label>
                ))}
                <button class="primary wound-save">{t("save")}</button>
              </form>
            )}
          </li>
        ))}
      </ul>
      {!readOnly && (
        <form
          class="wound-add"
          onSubmit={(e) => {
            e.preventDefault();
            run(async () => {
              await ok(commands.addWound(team, site, kind, null));
              setSite("");
            });
          }}
        >
          <label class="field">
            <span>{t("woundSite")}</span>
            <input id="wound-site" value={site} onInput={(e) => setSite((e.target as HTMLInputElement).value)} />
          </label>
          <label class="field">
            <span>{t("woundKind")}</span>
            <select id="wound-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
              {vocab.wound_kinds.map((k) => (
                <option value={k.code} key={k.code}>
                  {label(vocab.wound_kinds, k.code, lang)}
                </option>
              ))}
            </select>
          </label>
          <button id="wound-add-save" disabled={!site.trim()}>
            {t("woundAdd")}
          </button>
        </form>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

/** The items of a charted `D3-e3s9i1g3N3p0:19`, to start the next assessment from. */
export function parse(notation: string): DesignR {
  const m = /^(d0|d1|d2|D3|D4|D5|DDTI|DU)-(e0|e1|e3|E6)(s0|s3|s6|s8|s9|s12|S15)(i0|i1|I3C|I3|I9)(g0|g1|g3|G4|G5|G6)(n0|N3|N6)(p0|P6|P9|P12|P24):\d+$/.exec(notation);
  if (!m) return blank;
  return { depth: m[1], exudate: m[2], size: m[3], inflammation: m[4], granulation: m[5], necrotic: m[6], pocket: m[7] };
}
