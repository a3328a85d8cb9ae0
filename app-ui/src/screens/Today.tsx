import { useEffect, useState } from "preact/hooks";
import { commands, message, ok } from "../api";
import { t } from "../i18n";
import { formatDate, formatDateTime, formatIsoDate } from "../format";
import { useLoad, useNow } from "../hooks";
import { label, type Shared } from "../state";
import { filterPatients, flagText, NO_PATIENT_FILTER, type PatientFilter } from "../logic";
import { instructionDue, nextEscalation, stageText } from "../clock";
import { TodayOnCall } from "./OnCallBox";
import { InstructionBadge, InstructionsDue } from "./Instructions";
import { Emergency } from "./Emergency";

let startupMs: number | null = null;

/** The nurse on rounds: urgent items first, then tasks due, then patients. */
export function Today({ shared }: { shared: Shared }) {
  const { vocab, lang, go, revision } = shared;
  const { data, error, reload } = useLoad(() => ok(commands.today()), [revision]);
  const [filter, setFilter] = useState<PatientFilter>(NO_PATIENT_FILTER);
  const [station, setStation] = useState(false);
  const [onlyMine, setOnlyMine] = useState(false);
  // The 急変時 panel of one patient, over the list.
  const [emergency, setEmergency] = useState<string | null>(null);
  // The countdown to the on-call step; the list is read again when a step falls due.
  const now = useNow(30_000);
  useEffect(() => {
    const due = data && nextEscalation(data.urgent, Date.now());
    if (due == null) return;
    const timer = setTimeout(reload, Math.max(due - Date.now(), 0) + 3000);
    return () => clearTimeout(timer);
  }, [data]);

  useEffect(() => {
    if (data && startupMs == null) {
      // The first interactive Today: the cold-start figure.
      commands.uiReady().then((ms) => {
        startupMs = ms;
        (window as any).__tsunagiStartupMs = ms;
      });
    }
  }, [data]);

  if (error) return <p class="error" role="alert">{error}</p>;
  if (!data) return <p class="muted">…</p>;

  const ack = async (team: string, id: string, kind: string) => {
    try {
      await ok(kind === "vitals" ? commands.acknowledgeReading(team, id) : commands.acknowledge(team, id));
      reload();
    } catch (e) {
      alert(message(e));
    }
  };

  const shown = filterPatients(data.patients, filter);
  const todays = data.visits.filter((v) => !v.missed && (station || v.mine));
  const missed = data.visits.filter((v) => v.missed && (station || v.mine));
  const absent = async (team: string, occurrence: string) => {
    try {
      await ok(commands.absent(team, occurrence));
      reload();
    } catch (e) {
      alert(message(e));
    }
  };
  const visitRow = (v: (typeof data.visits)[number]) => (
    <li key={v.occurrence} class={`planned-visit ${v.outcome ?? ""} ${v.missed ? "missed" : ""}`} data-occurrence={v.occurrence}>
      <span class="time">
        {v.missed && `${formatIsoDate(v.date, lang)} `}
        {v.start}–{v.end}
      </span>{" "}
      <button class="link strong" onClick={() => go({ name: "record", team: v.team })}>
        {v.patient}
      </button>
      {v.who && (
        <span class="muted">
          {" "}
          {v.who.startsWith("profession:") ? label(vocab.professions, v.who.slice(11), lang) : v.who}
        </span>
      )}
      {v.outcome && <span class="badge">{label(vocab.visit_outcomes, v.outcome, lang)}</span>}
      {v.missed && <span class="badge warn">{t("missed")}</span>}
      {!v.outcome && (
        <span class="actions">
          <button class="primary planned-visit-btn" onClick={() => go({ name: "visit", team: v.team, planned: v.occurrence })}>
            {t("recordVisit")}
          </button>
          <button class="absent-btn" onClick={() => absent(v.team, v.occurrence)}>
            {t("absent")}
          </button>
        </span>
      )}
    </li>
  );
  const closedCount = data.patients.filter((p) => p.closed).length;
  const check = (key: "myTasks" | "urgent" | "closed", text: string) => (
    <label class="check">
      <input
        type="checkbox"
        id={`filter-${key}`}
        checked={filter[key]}
        onChange={(e) => setFilter({ ...filter, [key]: (e.target as HTMLInputElement).checked })}
      />{" "}
      {text}
    </label>
  );

  return (
    <div class="today" id="today">
      <div class="title-row">
        <h1>{t("todayTitle", { date: formatIsoDate(data.date, lang, shared.era) })}</h1>
        <div class="actions">
          <button id="add-patient" onClick={() => go({ name: "start" })}>
            {t("addPatient")}
          </button>
          <button id="join-team" onClick={() => go({ name: "start" })}>
            {t("joinTeam")}
          </button>
          <button id="import-fhir" onClick={() => go({ name: "import" })}>
            {t("importFhirButton")}
          </button>
        </div>
      </div>
      {data.patients.some((p) => p.sample) && <p class="sample-banner">{t("sampleBanner")}</p>}
      <TodayOnCall list={data.on_call} lang={lang} open={() => go({ name: "oncall" })} />
      <section aria-labelledby="visits-h" class="visits-list" id="todays-visits">
        <div class="title-row">
          <h2 id="visits-h">{t("todaysVisits")}</h2>
          <label class="check">
            <input type="checkbox" id="station-visits" checked={station} onChange={(e) => setStation((e.target as HTMLInputElement).checked)} />{" "}
            {t("stationVisits")}
          </label>
        </div>
        {todays.length === 0 && <p class="muted">{t("noVisits")}</p>}
        <ol class="planned">{todays.map(visitRow)}</ol>
        {missed.length > 0 && (
          <>
            <h3>{t("missedVisits")}</h3>
            <ol class="planned" id="missed-visits">
              {missed.map(visitRow)}
            </ol>
          </>
        )}
      </section>
      <section aria-labelledby="urgent-h" class="urgent-list">
        <h2 id="urgent-h">{t("urgentItems")}</h2>
        {data.urgent.length === 0 && <p class="muted">{t("nothingUrgent")}</p>}
        <ul>
          {data.urgent.map((u) => (
            <li key={u.id} class={`urgent-item ${u.unacknowledged ? "unack" : ""}`} data-kind={u.kind}>
              <button class="link strong" onClick={() => go({ name: "record", team: u.team })}>
                {u.patient}
              </button>
              <span class="badge urgent">{u.kind === "note" ? t("urgentItems") : t("vitalsUrgent")}</span>
              {u.unacknowledged && <span class="badge warn">{t("unacknowledged")}</span>}
              <span class="text">{u.kind === "vitals" ? u.flags.map(flagText).join("、") : u.text}</span>
              <span class="muted">
                {u.author} {formatDateTime(u.at, lang)}
              </span>
              <span class={`stage stage-${u.stage}`} data-stage={u.stage}>
                {stageText(u, now)}
              </span>
              {u.acked.length > 0 && (
                <span class="acked muted">
                  {t("ackedBy", { who: u.acked.map((a) => `${a.name} ${formatDateTime(a.at, lang)}`).join("、") })}
                </span>
              )}
              {!u.acked_by_me && !u.mine && (
                <button class="ack" onClick={() => ack(u.team, u.id, u.kind)}>
                  {t("acknowledge")}
                </button>
              )}
            </li>
          ))}
        </ul>
      </section>
      <InstructionsDue
        cards={data.patients.filter((p) => !p.closed && !p.family && instructionDue(p.instruction))}
        open={(team) => go({ name: "record", team })}
      />
      <div class="columns">
        <section aria-labelledby="tasks-h">
          <h2 id="tasks-h">{t("tasksDue")}</h2>
          <label class="check small">
            <input type="checkbox" id="only-my-tasks" checked={onlyMine} onChange={(e) => setOnlyMine((e.target as HTMLInputElement).checked)} />{" "}
            {t("onlyMyTasks")}
          </label>
          {data.tasks.length === 0 && <p class="muted">{t("noTasks")}</p>}
          <ul class="tasks" id="today-tasks">
            {data.tasks.filter((task) => !onlyMine || task.mine).map((task) => (
              <li key={task.id} class={task.overdue ? "overdue" : ""}>
                <button class="link" onClick={() => go({ name: "visit", team: task.team })}>
                  {task.patient}
                </button>{" "}
                {task.title}
                {task.overdue && <span class="badge warn">{t("overdue")}</span>}
                {task.due && <span class="muted"> {t("due")} {formatIsoDate(task.due, lang)}</span>}
                {task.priority === "high" && <span class="badge">{label(vocab.priorities, "high", lang)}</span>}
                {task.assignee && (
                  <span class={task.mine ? "badge mine" : "muted"}>
                    {" "}
                    {t("assignee")}: {task.mine ? t("mine") : task.assignee.startsWith("profession:") ? label(vocab.professions, task.assignee.slice(11), lang) : task.assignee}
                  </span>
                )}
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="patients-h">
          <h2 id="patients-h">{filter.closed ? t("closedList", { n: closedCount }) : t("myPatients")}</h2>
          <div class="filters" role="group" aria-label={t("myPatients")}>
            <label>
              {t("filterCareLevel")}{" "}
              <select
                id="filter-care-level"
                value={filter.careLevel}
                onChange={(e) => setFilter({ ...filter, careLevel: (e.target as HTMLSelectElement).value })}
              >
                <option value="">{t("all")}</option>
                {vocab.care_levels.map((c) => (
                  <option value={c.code}>{c[lang]}</option>
                ))}
              </select>
            </label>
            {check("myTasks", t("filterMyTasks"))}
            {check("urgent", t("filterUrgent"))}
            {check("closed", `${t("filterClosed")} (${closedCount})`)}
          </div>
          {data.patients.length === 0 && <p class="muted">{t("noPatients")}</p>}
          {data.patients.length > 0 && shown.length === 0 && <p class="muted">{t("noMatch")}</p>}
          <ul class="cards" id="patient-list">
            {shown.map((p) => (
              <li key={p.team} class={`card patient-card ${p.closed ? "closed" : ""}`} data-team={p.team}>
                <div>
                  <ruby>
                    <strong>{p.name}</strong>
                    {p.kana && <rt>{p.kana}</rt>}
                  </ruby>
                  {p.age != null && <span> {t("age", { n: p.age })}</span>}
                  {p.care_level && <span class="muted"> {label(vocab.care_levels, p.care_level, lang)}</span>}
                  {p.sample && <span class="badge sample">{t("sample")}</span>}
                </div>
                <div class="muted small">
                  {t("openTasks", { n: p.open_tasks })}
                  {p.overdue > 0 && <span class="badge warn">{t("overdue")} {p.overdue}</span>}
                  {p.urgent > 0 && <span class="badge urgent">{t("urgentItems")} {p.urgent}</span>}
                  {p.pending > 0 && <span class="badge">{t("pending", { n: p.pending })}</span>}
                  {p.my_tasks_due > 0 && <span class="badge mine">{t("myTasksDue", { n: p.my_tasks_due })}</span>}
                  {p.closed && (
                    <span class="badge closed">
                      {t("filterClosed")}: {label(vocab.closure_reasons, p.closed_reason, lang)} {p.closed_on && formatIsoDate(p.closed_on, lang, shared.era)}
                    </span>
                  )}
                  {p.renewal_due && !p.closed && <span class="badge warn">{t("certification")}</span>}
                  {!p.closed && !p.family && <InstructionBadge state={p.instruction} />}
                  {!p.closed && !p.consent && !p.family && <span class="badge warn consent-missing">{t("consentMissing")}</span>}
                  {!p.closed && p.wounds_due > 0 && <span class="badge warn wounds-due">{t("woundsDueToday", { n: p.wounds_due })}</span>}
                  {p.last_visit != null && <span> {t("lastVisit", { date: formatDate(p.last_visit, lang) })}</span>}
                </div>
                <div class="actions">
                  {!p.closed && (
                    <button class="primary visit-btn" onClick={() => go({ name: "visit", team: p.team })}>
                      {t("recordVisit")}
                    </button>
                  )}
                  <button
                    class="open-btn"
                    onClick={() => {
                      (window as any).__tsunagiOpenStart = performance.now();
                      go({ name: "record", team: p.team });
                    }}
                  >
                    {t("openRecord")}
                  </button>
                  <button class="emergency-button" data-team={p.team} onClick={() => setEmergency(p.team)}>
                    {t("emergencyButton")}
                  </button>
                </div>
              </li>
            ))}
          </ul>
        </section>
      </div>
      {emergency && <Emergency shared={shared} team={emergency} onClose={() => setEmergency(null)} />}
    </div>
  );
}
