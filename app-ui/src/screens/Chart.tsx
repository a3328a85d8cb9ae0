import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import type { BandView, VitalsView } from "../bindings";
import { chartSeries, type ChartField } from "../logic";
import { t } from "../i18n";

const BAND_COLOUR = { attention: "#b7791f", urgent: "#c53030" };

/** One measure over time, with the patient's bands as dashed lines. */
export function VitalsChart({ vitals, bands, field }: { vitals: VitalsView[]; bands: BandView[]; field: ChartField }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const s = chartSeries(vitals, field, bands);
    const data: uPlot.AlignedData = [s.x, s.y, ...s.bands.map((b) => s.x.map(() => b.value))];
    const plot = new uPlot(
      {
        width: Math.max(320, el.clientWidth),
        height: 220,
        series: [
          {},
          { label: t(field), stroke: "#117a6e", width: 2, points: { show: true, size: 6 } },
          ...s.bands.map((b) => ({
            label: b.level === "urgent" ? t("flagUrgent") : t("flagAttention"),
            stroke: BAND_COLOUR[b.level],
            dash: [6, 4],
            width: 1,
            points: { show: false },
          })),
        ],
        axes: [{}, { size: 50 }],
        legend: { show: true },
      },
      data,
      el,
    );
    return () => plot.destroy();
  }, [vitals, bands, field]);
  return <div class="chart" id="vitals-chart" data-points={vitals.filter((v) => v[field] != null).length} ref={box} />;
}
