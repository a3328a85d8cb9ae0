import type { VisitView } from "../bindings";
import { t } from "../i18n";
import { formatDateTime } from "../format";
import { label, type Shared } from "../state";

/** The observations of recent visits, oldest first (a trend reads left to
 * right in time), and the latest levels of independence. */
export function Observations({ shared, visits }: { shared: Shared; visits: VisitView[] }) {
  const { vocab, lang } = shared;
  const rows = visits
    .filter((v) => v.observations)
    .sort((a, b) => a.start - b.start)
    .slice(-20);
  const latest = (f: (o: NonNullable<VisitView["observations"]>) => string | null) =>
    [...rows].reverse().map((v) => f(v.observations!)).find((x) => x) ?? "–";
  const lvl = (l: string) => (l === "自立" ? t("independent") : l);
  const dash = (v: number | string | null | undefined) => (v == null || v === "" ? "–" : String(v));
  return (
    <section id="observations-trend" aria-labelledby="observations-h">
      <h2 id="observations-h">{t("observationsTitle")}</h2>
      {rows.length === 0 ? (
        <p class="muted">{t("noObservations")}</p>
      ) : (
        <>
          <p class="independence">{t("independenceNow", { b: lvl(latest((o) => o.bedridden)), d: lvl(latest((o) => o.dementia)) })}</p>
          <div class="scroll-x">
            <table class="observations">
              <thead>
                <tr>
                  <th />
                  {(["bowel", "bristol", "urine", "food", "fluid", "sleep", "edema", "skin", "bedridden", "dementia"] as const).map((k) => (
                    <th key={k}>{t(`obs_${k}` as any)}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((v) => {
                  const o = v.observations!;
                  return (
                    <tr key={v.id} class="observation-row">
                      <td>{formatDateTime(v.start, lang)}</td>
                      <td class="obs-bowel">{dash(o.bowel)}</td>
                      <td>{dash(o.bristol)}</td>
                      <td>{dash(o.urine)}</td>
                      <td class="obs-food">{o.food == null ? "–" : t("tenths", { n: o.food })}</td>
                      <td>{dash(o.fluid_ml)}</td>
                      <td>{o.sleep ? label(vocab.sleeps, o.sleep, lang) : "–"}</td>
                      <td>{o.edema ? label(vocab.edemas, o.edema, lang) : "–"}</td>
                      <td>{dash(o.skin)}</td>
                      <td>{o.bedridden ? lvl(o.bedridden) : "–"}</td>
                      <td>{o.dementia ? lvl(o.dementia) : "–"}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
