import { useState } from "preact/hooks";
import type { ImportPreview } from "../bindings";
import { commands, message, ok } from "../api";
import { t } from "../i18n";
import type { Shared } from "../state";

/** A FHIR Bundle (a hospital's discharge data, another system's export)
 * read into a new team, or into `team`: first what it would add and what
 * it gives differently (never changed), then one click to import. */
export function ImportFhir({ shared, team }: { shared: Shared; team?: string }) {
  const [path, setPath] = useState("");
  const [plan, setPlan] = useState<ImportPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (f: () => Promise<void>) => {
    setError(null);
    setBusy(true);
    try {
      await f();
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };
  const preview = () => run(async () => setPlan(await ok(commands.fhirPreview(path.trim(), team ?? null))));
  const confirm = () =>
    run(async () => {
      const id = await ok(commands.fhirImport(path.trim(), team ?? null));
      shared.go({ name: "record", team: id });
    });
  // The Bundle's field codes in words.
  const field = (f: string) => t(`importField_${f}` as Parameters<typeof t>[0]);
  const list = (key: Parameters<typeof t>[0], items: string[]) =>
    items.length > 0 && (
      <li>
        <strong>{t(key)}</strong>: {items.join("、")}
      </li>
    );
  return (
    <div class="import-fhir" id="import-fhir-screen">
      <h1>{team ? t("importIntoTeam") : t("importNewTeam")}</h1>
      <p class="muted">{t("importHint")}</p>
      <label>
        {t("importPath")}
        <input id="import-path" value={path} onInput={(e) => setPath((e.target as HTMLInputElement).value)} />
      </label>
      <div class="actions">
        <button id="import-preview" disabled={busy || !path.trim()} onClick={preview}>
          {t("importPreview")}
        </button>
        <button onClick={() => (team ? shared.go({ name: "record", team }) : shared.go({ name: "today" }))}>{t("cancel")}</button>
      </div>
      {error && (
        <p class="error" role="alert" id="import-error">
          {error}
        </p>
      )}
      {plan && (
        <section id="import-plan">
          {plan.patient && <h2>{plan.patient}</h2>}
          {plan.empty ? (
            <p class="muted">{t("importNothing")}</p>
          ) : (
            <ul>
              {plan.fill.map((f) => (
                <li key={f.field}>
                  <strong>{t("importFill")}</strong> {field(f.field)}: {f.theirs}
                </li>
              ))}
              {list("importDiagnoses", plan.diagnoses)}
              {list("importMedications", plan.medications)}
              {list("importAllergies", plan.allergies)}
              {list("importContacts", plan.contacts)}
              {plan.readings > 0 && <li>{t("importReadings", { n: plan.readings })}</li>}
              {list("importTasks", plan.tasks)}
            </ul>
          )}
          {plan.differ.length > 0 && (
            <div class="warn" id="import-differ">
              <p>{t("importDiffer")}</p>
              <ul>
                {plan.differ.map((f) => (
                  <li key={f.field}>
                    {field(f.field)}: {f.ours} ≠ {f.theirs}
                  </li>
                ))}
              </ul>
            </div>
          )}
          {!plan.empty && (
            <button class="primary" id="import-confirm" disabled={busy} onClick={confirm}>
              {t("importConfirm")}
            </button>
          )}
        </section>
      )}
    </div>
  );
}
