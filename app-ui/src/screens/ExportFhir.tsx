import { useState } from "preact/hooks";
import { commands, message, ok } from "../api";
import { t } from "../i18n";
import type { Route } from "../state";

/** Saves the record as a FHIR R4 Bundle in the download folder (logged in
 * the access log) and says where. */
export function ExportFhir({ team, go }: { team: string; go: (r: Route) => void }) {
  const [said, setSaid] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setError(null);
    try {
      setSaid(await ok(commands.exportFhir(team)));
    } catch (e) {
      setError(message(e));
    }
  };
  return (
    <span class="export-fhir">
      <button id="export-fhir" onClick={run}>
        {t("exportFhir")}
      </button>
      <button id="import-fhir-here" onClick={() => go({ name: "import", team })}>
        {t("importFhirButton")}
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
    </span>
  );
}
