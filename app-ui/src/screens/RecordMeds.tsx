import { useState } from "preact/hooks";
import type { MedicationInput, MedicationView } from "../bindings";
import { commands, ok } from "../api";
import { t } from "../i18n";
import { formatDateTime, formatIsoDate, tokyoIso } from "../format";
import type { Shared } from "../state";
import { HistoryButton } from "./History";
import { useRun } from "./Start";

const empty: MedicationInput = { name: "", dose: "", schedule: "", prescriber: null, start: null, stop: null };

function MedFields({ m, set, prefix, withName }: { m: MedicationInput; set: (m: MedicationInput) => void; prefix: string; withName: boolean }) {
  const field = (key: keyof MedicationInput, label: string) => (
    <label class="field">
      <span>{label}</span>
      <input
        id={`${prefix}-${key}`}
        value={(m[key] as string | null) ?? ""}
        onInput={(e) => set({ ...m, [key]: (e.target as HTMLInputElement).value || (key === "name" || key === "dose" || key === "schedule" ? "" : null) })}
      />
    </label>
  );
  return (
    <div class="grid">
      {withName && field("name", t("drugName"))}
      {field("dose", t("dose"))}
      {field("schedule", t("schedule"))}
      {field("prescriber", t("prescriber"))}
      {withName && field("start", t("startDate"))}
    </div>
  );
}

/** Medications: add, change dose or schedule (a new revision), stop with
 * a reason; every revision stays readable. */
export function RecordMeds({
  shared,
  team,
  meds,
  readOnly,
  onChange,
}: {
  shared: Shared;
  team: string;
  meds: MedicationView[];
  readOnly: boolean;
  onChange: () => void;
}) {
  const { lang } = shared;
  const { busy, error, run } = useRun();
  const [adding, setAdding] = useState<MedicationInput>(empty);
  const [changing, setChanging] = useState<{ id: string; m: MedicationInput } | null>(null);
  const [stopping, setStopping] = useState<{ id: string; date: string; reason: string } | null>(null);
  const act = (f: () => Promise<unknown>) =>
    run(async () => {
      await f();
      setChanging(null);
      setStopping(null);
      onChange();
    });
  return (
    <section aria-labelledby="meds-h" id="record-meds">
      <h2 id="meds-h">{t("medications")}</h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <ul class="meds">
        {meds.map((m) => (
          <li key={m.id} class={m.active ? "med" : "med muted"} data-med={m.id}>
            <span class="med-text">
              {m.name} {m.dose} {m.schedule}
            </span>
            {m.prescriber && <span class="muted">（{m.prescriber}）</span>}
            {!m.active && <span class="badge">{t("stopped")}</span>}
            {m.stop && (
              <span class="muted stop-info"> {t("stoppedWith", { date: formatIsoDate(m.stop, lang), reason: m.stop_reason ?? "—" })}</span>
            )}
            {!readOnly && m.active && (
              <span class="actions">
                <button class="med-change" onClick={() => setChanging({ id: m.id, m: { name: m.name, dose: m.dose, schedule: m.schedule, prescriber: m.prescriber, start: m.start, stop: null } })}>
                  {t("changeDose")}
                </button>
                <button class="med-stop" onClick={() => setStopping({ id: m.id, date: tokyoIso(Date.now()), reason: "" })}>
                  {t("stopMedication")}
                </button>
              </span>
            )}
            {changing?.id === m.id && (
              <form
                class="med-change-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  act(() => ok(commands.changeMedication(team, m.id, changing.m)));
                }}
              >
                <MedFields m={changing.m} set={(x) => setChanging({ id: m.id, m: x })} prefix="med-change" withName={false} />
                <button class="primary" id="med-change-save" disabled={busy}>
                  {t("saveChanges")}
                </button>
                <button type="button" onClick={() => setChanging(null)}>
                  {t("cancel")}
                </button>
              </form>
            )}
            {stopping?.id === m.id && (
              <form
                class="med-stop-form row"
                onSubmit={(e) => {
                  e.preventDefault();
                  act(() => ok(commands.stopMedication(team, m.id, stopping.date, stopping.reason)));
                }}
              >
                <label class="field">
                  <span>{t("stopDate")}</span>
                  <input id="med-stop-date" value={stopping.date} onInput={(e) => setStopping({ ...stopping, date: (e.target as HTMLInputElement).value })} />
                </label>
                <label class="field">
                  <span>{t("stopReason")}</span>
                  <input id="med-stop-reason" value={stopping.reason} onInput={(e) => setStopping({ ...stopping, reason: (e.target as HTMLInputElement).value })} />
                </label>
                <button class="primary" id="med-stop-save" disabled={busy || !stopping.reason.trim()}>
                  {t("stopMedication")}
                </button>
                <button type="button" onClick={() => setStopping(null)}>
                  {t("cancel")}
                </button>
              </form>
            )}
            {m.revisions.length > 1 && (
              <details class="revisions">
                <summary>{t("revisions", { n: m.revisions.length })}</summary>
                <ol>
                  {m.revisions.map((r) => (
                    <li>
                      {r.dose} {r.schedule}
                      {r.stop && ` — ${t("stoppedWith", { date: formatIsoDate(r.stop, lang), reason: r.stop_reason ?? "—" })}`}
                      <span class="muted">
                        {" "}
                        {r.by} {formatDateTime(r.at, lang)}
                      </span>
                    </li>
                  ))}
                </ol>
              </details>
            )}
            <HistoryButton shared={shared} team={team} kind="medication" id={m.id} />
          </li>
        ))}
      </ul>
      {!readOnly && (
        <form
          class="add-med"
          onSubmit={(e) => {
            e.preventDefault();
            act(async () => {
              await ok(commands.addMedication(team, adding));
              setAdding(empty);
            });
          }}
        >
          <MedFields m={adding} set={setAdding} prefix="med-add" withName />
          <button id="add-med" disabled={busy || !adding.name.trim()}>
            {t("addMedication")}
          </button>
        </form>
      )}
    </section>
  );
}
