import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import type { BandView, VitalsView } from "../bindings";
import { BAND_COLOUR, chartSeries, yRange, type ChartField } from "../logic";
import { lang, t } from "../i18n";

const DAY = 86400;

/** One measure over time, with the patient's bands as dashed lines across it. */
export function VitalsChart({ vitals, bands, field }: { vitals: VitalsView[]; bands: BandView[]; field: ChartField }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const s = chartSeries(vitals, field, bands);
    const axisDate = new Intl.DateTimeFormat(lang() === "ja" ? "ja-JP" : "en-GB", {
      timeZone: "Asia/Tokyo",
      month: "numeric",
      day: "numeric",
    });
    const plot = new uPlot(
      {
        width: Math.max(320, el.clientWidth - 8),
        height: 220,
        series: [{ label: t("takenAt"), value: (_u, v) => (v == null ? "--" : axisDate.format(v * 1000)) }, { label: t(field), stroke: "#117a6e", width: 2, points: { show: true, size: 6 } }],
        scales: {
          // A day either side, so one reading is not alone at the edge.
          x: {
            time: true,
            // No readings of this measure: the last month, not 1970.
            range: () => {
              const now = Date.now() / 1000;
              return s.x.length > 0 ? [s.x[0] - DAY, s.x[s.x.length - 1] + DAY] : [now - 30 * DAY, now];
            },
          },
          y: { range: () => yRange(s) },
        },
        // Dates as the user writes them (12/2), Tokyo time, in the interface language.
        axes: [{ values: (_u, splits) => splits.map((v) => axisDate.format(v * 1000)) }, { size: 50 }],
        hooks: {
          draw: [
            (u) => {
              const { ctx, bbox } = u;
              ctx.save();
              ctx.setLineDash([6, 4]);
              ctx.lineWidth = 1.5;
              for (const b of s.bands) {
                const y = u.valToPos(b.value, "y", true);
                ctx.strokeStyle = BAND_COLOUR[b.level];
                ctx.beginPath();
                ctx.moveTo(bbox.left, y);
                ctx.lineTo(bbox.left + bbox.width, y);
                ctx.stroke();
              }
              ctx.restore();
            },
          ],
        },
      },
      [s.x, s.y],
      el,
    );
    const w = window as any;
    if (w.__tsunagiChartStart != null) {
      const start = w.__tsunagiChartStart;
      w.__tsunagiChartStart = null;
      requestAnimationFrame(() => setTimeout(() => (w.__tsunagiChartPaintMs = performance.now() - start)));
    }
    return () => plot.destroy();
  }, [vitals, bands, field]);
  return (
    <div>
      <div class="chart" id="vitals-chart" data-points={vitals.filter((v) => v[field] != null).length} ref={box} />
      <p class="legend small">
        <span style={{ color: BAND_COLOUR.attention }}>- - {t("flagAttention")}</span>{" "}
        <span style={{ color: BAND_COLOUR.urgent }}>- - {t("flagUrgent")}</span>
      </p>
    </div>
  );
}
