import { useState } from "preact/hooks";
import { commands, message, ok } from "../api";
import { t } from "../i18n";
import type { Route } from "../state";
import { PrintButton } from "./Sheets";

/** Saves the record in the download folder as FHIR R4, CSV for Excel or
 * the automerge document (logged in the access log) and says where; and
 * the way to import a FHIR Bundle into this record. */
export function ExportRecord({ team, go }: { team: string; go: (r: Route) => void }) {
  const [said, setSaid] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (format: "fhir" | "csv" | "automerge") => {
    setError(null);
    try {
      setSaid(await ok(commands.exportRecord(team, format)));
    } catch (e) {
      setError(message(e));
    }
  };
  return (
    <details class="export-fhir" id="exchange-menu">
      <summary id="exchange-open">{t("exchangeMenu")}</summary>
      <PrintButton team={team} sheet="emergency" id="print-emergency" label={t("printEmergency")} />
      <button id="open-summary" onClick={() => go({ name: "sheets", team, sheet: "summary" })}>
        {t("openSummary")}
      </button>
      <button id="open-report" onClick={() => go({ name: "sheets", team, sheet: "report" })}>
        {t("openReport")}
      </button>
      <button id="export-fhir" onClick={() => run("fhir")}>
        {t("exportFhir")}
      </button>
      <button id="export-csv" onClick={() => run("csv")}>
        {t("exportCsv")}
      </button>
      <button id="export-automerge" onClick={() => run("automerge")}>
        {t("exportAutomerge")}
      </button>
      <button id="import-fhir-here" onClick={() => go({ name: "import", team })}>
        {t("importFhirButton")}
      </button>
      <button id="import-vitals" onClick={() => go({ name: "import-vitals", team })}>
        {t("importVitalsButton")}
      </button>
      {said && (
        <span id="export-fhir-status" class="muted" role="status">
          {t("exportedTo", { path: said })}
        </span>
      )}
      {error && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </details>
  );
}
