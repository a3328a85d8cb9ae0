import { useState } from "preact/hooks";
import type { AttachmentView, DesignR, WoundView } from "../bindings";
import { commands, message, ok } from "../api";
import { t } from "../i18n";
import { formatDate, formatDateTime, formatIsoDate } from "../format";
import { label, type Shared } from "../state";
import { AttachButton, Thumbs } from "./Files";

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
export function Wounds({ shared, team, wounds, files, readOnly, onChange }: { shared: Shared; team: string; wounds: WoundView[]; files: AttachmentView[]; readOnly: boolean; onChange: () => void }) {
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
            {w.assessments.length > 1 && <WoundChart shared={shared} wound={w} />}
            <WoundPhotos shared={shared} team={team} files={files.filter((f) => f.to === "wound" && f.entry === w.id)} />
            {!readOnly && !w.closed_on && (
              <div class="actions">
                <AttachButton captions team={team} to="wound" entry={w.id} assessment={w.assessments.length ? w.assessments[w.assessments.length - 1].id : null} onDone={onChange} />
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

/** The total over time: a small line chart, dates along the bottom, the
 * total (0–66, depth left out) up the side; falling is healing. */
function WoundChart({ shared, wound }: { shared: Shared; wound: WoundView }) {
  const points = wound.assessments;
  const [w, h, left, bottom] = [360, 140, 36, 28];
  const first = points[0].at;
  const span = Math.max(points[points.length - 1].at - first, 1);
  const top = Math.max(10, ...points.map((p) => p.total));
  const x = (at: number) => left + ((at - first) / span) * (w - left - 12);
  const y = (total: number) => 10 + (1 - total / top) * (h - bottom - 10);
  const line = points.map((p) => `${x(p.at).toFixed(1)},${y(p.total).toFixed(1)}`).join(" ");
  return (
    <figure class="wound-chart">
      <svg viewBox={`0 0 ${w} ${h}`} width={w} height={h} role="img" aria-label={t("woundChart")}>
        <line x1={left} y1={h - bottom} x2={w - 8} y2={h - bottom} class="axis" />
        <line x1={left} y1={10} x2={left} y2={h - bottom} class="axis" />
        <text x={4} y={14} class="axis-label">
          {top}
        </text>
        <text x={4} y={h - bottom} class="axis-label">
          0
        </text>
        <text x={left} y={h - 4} class="axis-label">
          {formatDate(first, shared.lang)}
        </text>
        <text x={w - 8} y={h - 4} class="axis-label" text-anchor="end">
          {formatDate(points[points.length - 1].at, shared.lang)}
        </text>
        <polyline points={line} class="wound-line" fill="none" />
        {points.map((p) => (
          <circle key={p.id} cx={x(p.at)} cy={y(p.total)} r={4} class="wound-point" data-total={p.total}>
            <title>{`${formatDate(p.at, shared.lang)} ${t("woundTotal", { n: p.total })}`}</title>
          </circle>
        ))}
      </svg>
      <figcaption class="small muted">{t("woundChartAxis")}</figcaption>
    </figure>
  );
}

/** The wound's photos side by side, one column per day (a wide and a
 * close-up each time, as the JSPU recommends). */
function WoundPhotos({ shared, team, files }: { shared: Shared; team: string; files: AttachmentView[] }) {
  if (files.length === 0) return null;
  const days = new Map<string, AttachmentView[]>();
  for (const f of files) {
    const day = formatDate(f.at, shared.lang, shared.era);
    days.set(day, [...(days.get(day) ?? []), f]);
  }
  return (
    <div class="wound-photos" aria-label={t("woundPhotos")}>
      {[...days.entries()].map(([day, list]) => (
        <div class="wound-day" key={day}>
          <div class="small">{day}</div>
          <Thumbs shared={shared} team={team} files={list} />
        </div>
      ))}
    </div>
  );
}
