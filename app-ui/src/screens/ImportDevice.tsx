import { useState } from "preact/hooks";
import type { DeviceRowView } from "../bindings";
import { commands, message, ok } from "../api";
import { t } from "../i18n";
import { formatDateTime } from "../format";
import { flagText } from "../logic";
import type { Shared } from "../state";

const PRESETS = ["bp", "spo2", "glucose"] as const;

/** Readings from a measuring device's CSV (血圧計, パルスオキシメーター,
 * 血糖測定器), so nobody re-types them: each line's fate first (new with
 * its flags, already in the record, refused and why), then one click. */
export function ImportDevice({ shared, team }: { shared: Shared; team: string }) {
  const { lang, go } = shared;
  const [path, setPath] = useState("");
  const [preset, setPreset] = useState<string>("bp");
  const [columns, setColumns] = useState("");
  const [rows, setRows] = useState<DeviceRowView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<number | null>(null);
  const custom = preset === "custom";
  const args = () => [team, path.trim(), custom ? null : preset, custom ? columns : null] as const;
  const run = async (f: () => Promise<void>) => {
    setError(null);
    try {
      await f();
    } catch (e) {
      setError(message(e));
    }
  };
  const values = (r: DeviceRowView) =>
    [
      r.systolic != null && r.diastolic != null ? `${r.systolic}/${r.diastolic}` : null,
      r.pulse != null ? `${t("pulse")} ${r.pulse}` : null,
      r.spo2 != null ? `SpO2 ${r.spo2}%` : null,
      r.temperature != null ? `${r.temperature}℃` : null,
      r.glucose != null ? `${t("glucose")} ${r.glucose}` : null,
      r.weight != null ? `${r.weight}kg` : null,
    ]
      .filter(Boolean)
      .join("  ");
  const fresh = rows?.filter((r) => r.outcome === "new").length ?? 0;
  return (
    <div class="import-device" id="import-device-screen">
      <h1>{t("deviceTitle")}</h1>
      <p class="muted">{t("deviceHint")}</p>
      <label>
        {t("importPath")}
        <input id="device-path" value={path} onInput={(e) => setPath((e.target as HTMLInputElement).value)} />
      </label>
      <label>
        {t("devicePreset")}
        <select id="device-preset" value={preset} onChange={(e) => setPreset((e.target as HTMLSelectElement).value)}>
          {PRESETS.map((p) => (
            <option key={p} value={p}>
              {t(`devicePreset_${p}` as Parameters<typeof t>[0])}
            </option>
          ))}
          <option value="custom">{t("devicePreset_custom")}</option>
        </select>
      </label>
      {custom && (
        <label>
          {t("deviceColumns")}
          <input
            id="device-columns"
            value={columns}
            placeholder={t("deviceColumnsExample")}
            onInput={(e) => setColumns((e.target as HTMLInputElement).value)}
          />
        </label>
      )}
      <div class="actions">
        <button id="device-preview" disabled={!path.trim()} onClick={() => run(async () => setRows(await ok(commands.devicePreview(...args()))))}>
          {t("importPreview")}
        </button>
        <button onClick={() => go({ name: "record", team })}>{t("cancel")}</button>
      </div>
      {error && (
        <p class="error" role="alert" id="device-error">
          {error}
        </p>
      )}
      {rows && (
        <section>
          <table id="device-rows">
            <thead>
              <tr>
                <th>{t("deviceLine")}</th>
                <th>{t("deviceTime")}</th>
                <th>{t("deviceValues")}</th>
                <th>{t("deviceOutcome")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.line} class={`device-row ${r.outcome}`} data-outcome={r.outcome}>
                  <td>{r.line}</td>
                  <td>{r.taken_at != null ? formatDateTime(r.taken_at, lang) : ""}</td>
                  <td>
                    {values(r)}
                    {r.flags.length > 0 && <span class="badge warn"> {r.flags.map(flagText).join("、")}</span>}
                  </td>
                  <td>{r.outcome === "refused" ? r.reason : t(`deviceOutcome_${r.outcome}` as Parameters<typeof t>[0])}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {fresh > 0 && done == null && (
            <button
              class="primary"
              id="device-import"
              onClick={() =>
                run(async () => {
                  setDone(await ok(commands.deviceImport(...args())));
                  setRows(null);
                })
              }
            >
              {t("deviceImport", { n: fresh })}
            </button>
          )}
        </section>
      )}
      {done != null && (
        <p id="device-status" role="status">
          {t("deviceDone", { n: done })}{" "}
          <button class="link" onClick={() => go({ name: "record", team })}>
            {t("openRecord")}
          </button>
        </p>
      )}
    </div>
  );
}
