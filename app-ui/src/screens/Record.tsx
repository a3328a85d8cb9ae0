import { useEffect, useLayoutEffect, useState } from "preact/hooks";
import { commands, message, ok } from "../api";
import { t } from "../i18n";
import { formatDateTime, formatIsoDate, telHref } from "../format";
import { CHART_FIELDS, filterNotes, NO_FILTER, type ChartField, type TimelineFilter } from "../logic";
import { useLoad } from "../hooks";
import { label, type Shared } from "../state";
import { VitalsChart } from "./Chart";
import { HistoryButton } from "./History";
import { RecordMeds } from "./RecordMeds";
import { RecordTasks } from "./RecordTasks";
import { RecordPlans } from "./RecordPlans";
import { NoteItem } from "./NoteItem";
import { useRun } from "./Start";
import { RecordClockButtons } from "./Emergency";
import { ExportRecord } from "./ExportRecord";
import { ConsentBox } from "./Consent";
import { Wounds } from "./Wounds";
import { ProfileFiles } from "./Files";
import { Observations } from "./Observations";
import type { RecordView } from "../bindings";

/** The whole record of one patient, with what matters in an emergency on top. */
export function Record({ shared, team, entry, via }: { shared: Shared; team: string; entry?: string; via?: "search" }) {
  const { vocab, lang, era, go, revision } = shared;
  // The access log: this window showed the patient's record (once per opening).
  useEffect(() => {
    ok(commands.opened(team, via ?? "record", entry ?? null)).catch(() => {});
  }, []);
  // Muted for me: routine notes addressed to me stop notifying (urgent still do).
  const [muted, setMuted] = useState<boolean | null>(null);
  useEffect(() => {
    ok(commands.isMuted(team)).then(setMuted, () => setMuted(null));
  }, [team]);
  // The newest notes first; older ones on request (five years is 500+ notes).
  const [limit, setLimit] = useState(20);
  // Readings of the last three months first (five years is 500+, each
  // costing time to read and draw); a year or all on request.
  const [days, setDays] = useState<number | null>(90);
  const { data: r, error, reload } = useLoad(async () => {
    const started = performance.now();
    const view = await ok(commands.record(team, limit, days));
    (window as any).__tsunagiRecordMs = performance.now() - started;
    return view;
  }, [team, revision, limit, days]);
  // Asked after the record is shown: finding them walks the whole document.
  const { data: conflicts } = useLoad(
    async () => (r ? ok(commands.conflicts(team)) : null),
    [team, revision, r == null],
  );
  // For BENCHMARKS.md: from the click on Today to the record in the DOM,
  // and to the frame that shows it painted (a task queued from the frame's
  // animation callback runs once that frame is drawn). The chart is drawn
  // just after, in its own effect (`__tsunagiChartPaintMs`).
  useLayoutEffect(() => {
    const w = window as any;
    if (r && w.__tsunagiOpenStart != null) {
      const start = w.__tsunagiOpenStart;
      w.__tsunagiOpenStart = null;
      w.__tsunagiChartStart = start;
      w.__tsunagiOpenCommitMs = performance.now() - start;
      requestAnimationFrame(() => setTimeout(() => (w.__tsunagiOpenPaintMs = performance.now() - start)));
    }
  }, [r]);
  // Opened from a search: make sure the entry is loaded, then show it.
  useEffect(() => {
    if (!r || !entry) return;
    const el = document.querySelector(`[data-note="${entry}"], [data-task="${entry}"], [data-med="${entry}"]`);
    if (el) {
      el.classList.add("found");
      el.scrollIntoView({ block: "center" });
    } else if (r.notes.length < r.notes_total) {
      setLimit(r.notes_total);
    }
  }, [r, entry]);
  // Photos and scans, with the thumbnails this laptop has.
  const { data: files, reload: reloadFiles } = useLoad(async () => ok(commands.attachments(team)), [team, revision]);
  const filesChanged = () => {
    reload();
    reloadFiles();
  };
  const [filter, setFilter] = useState<TimelineFilter>(NO_FILTER);
  const [field, setField] = useState<ChartField>("systolic");
  const [showTable, setShowTable] = useState(false);
  const { busy, error: actError, run } = useRun();

  if (error) return <p class="error" role="alert">{error}</p>;
  if (!r) return <p class="muted">…</p>;
  if (r.family) return <FamilyRecord shared={shared} team={team} r={r} reload={reload} />;
  const p = r.patient;
  const notes = filterNotes(r.notes, filter);
  const select = (key: keyof TimelineFilter, list: { code: string; ja: string; en: string }[]) => (
    <select
      id={`filter-${key}`}
      value={filter[key]}
      onChange={(e) => setFilter({ ...filter, [key]: (e.target as HTMLSelectElement).value })}
    >
      <option value="">{t("all")}</option>
      {list.map((x) => (
        <option value={x.code}>{x[lang]}</option>
      ))}
    </select>
  );
  const ack = (id: string) => ok(commands.acknowledge(team, id)).then(reload, (e) => alert(message(e)));
  const closed = r.case.closed;
  const f = r.form;

  return (
    <div class="record" id="record" data-team={team}>
      <header class="patient-header">
        <div>
          <h1>
            <ruby>
              {p.name}
              {p.kana && <rt>{p.kana}</rt>}
            </ruby>
            {p.age != null && <span class="age"> {t("age", { n: p.age })}</span>}
            {p.sex && <span class="muted"> {label(vocab.sexes, p.sex, lang)}</span>}
            {p.care_level && <span class="badge">{label(vocab.care_levels, p.care_level, lang)}</span>}
            {r.sample && <span class="badge sample">{t("sample")}</span>}
          </h1>
          {p.born && (
            <p class="muted">
              {t("born")}: {formatIsoDate(p.born, lang, era)}
            </p>
          )}
          {closed && (
            <p class="banner closed" role="note" id="closed-banner">
              {t("closedBanner", {
                reason: label(vocab.closure_reasons, r.case.reason, lang),
                date: r.case.date ? formatIsoDate(r.case.date, lang, era) : "",
                until: r.case.keep_until ? formatIsoDate(r.case.keep_until, lang, era) : "",
              })}{" "}
              {r.case.closed_by && <span class="muted">（{r.case.closed_by}）</span>}
              {r.admin && (
                <button id="reopen-case" disabled={busy} onClick={() => run(async () => (await ok(commands.reopenCase(team)), reload()))}>
                  {t("reopen")}
                </button>
              )}
            </p>
          )}
          {actError && (
            <p class="error" role="alert">
              {actError}
            </p>
          )}
          {r.renewal_due && !closed && f.certified_until && (
            <p class="banner" id="renewal-due">
              {t("renewalDue", { date: formatIsoDate(f.certified_until, lang, era) })}{" "}
              {!r.tasks.some((x) => x.status === "open" && x.title === t("renewalTaskTitle")) && (
                <button
                  id="make-renewal-task"
                  disabled={busy}
                  onClick={() =>
                    run(async () => {
                      await ok(commands.addTask(team, { title: t("renewalTaskTitle"), assignee: "profession:care-manager", due: f.certified_until, priority: "high" }));
                      reload();
                    })
                  }
                >
                  {t("makeRenewalTask")}
                </button>
              )}
            </p>
          )}
          {r.written_by_newer && (
            <p class="banner" role="note" id="newer-banner">
              {t("writtenByNewer")}
            </p>
          )}
          <p class={p.allergies.length ? "allergy" : "muted"}>
            {t("allergies")}: {p.allergies.length ? p.allergies.join("、") : t("noAllergies")}
          </p>
          {p.problems.length > 0 && (
            <p>
              {t("problems")}: {p.problems.join("、")}
            </p>
          )}
          {(p.acp || f.resuscitation) && (
            <p class="acp" id="acp">
              <strong>{t("acp")}:</strong> {f.resuscitation && <span class="badge dnar">{label(vocab.resuscitations, f.resuscitation, lang)}</span>} {p.acp}
              {f.acp_hospital && (
                <span>
                  {" "}
                  {t("acpHospital")}: {f.acp_hospital}
                </span>
              )}
              {f.acp_discussed_on && (
                <span class="muted">
                  {" "}
                  （{t("acpDiscussed", { date: formatIsoDate(f.acp_discussed_on, lang, era), with: f.acp_discussed_with ?? "" })}）
                </span>
              )}
            </p>
          )}
          <ConsentBox shared={shared} team={team} consents={r.consents} readOnly={closed} onChange={reload} />
          <dl class="details" id="patient-details">
            {f.diagnoses.length > 0 && (
              <>
                <dt>{t("diagnoses")}</dt>
                <dd>{f.diagnoses.map((d) => (d.code ? `${d.name}（${d.code}）` : d.name)).join("、")}</dd>
              </>
            )}
            {f.certified_until && (
              <>
                <dt>{t("certification")}</dt>
                <dd>
                  {f.certified_from && formatIsoDate(f.certified_from, lang, era)}〜{formatIsoDate(f.certified_until, lang, era)}
                </dd>
              </>
            )}
            {f.insurance && (
              <>
                <dt>{t("insurance")}</dt>
                <dd>
                  {label(vocab.insurance_kinds, f.insurance, lang)} {f.insurance_number}
                </dd>
              </>
            )}
            {[
              ["doctor", f.doctor],
              ["careManager", f.care_manager],
            ].map(([key, person]) =>
              person && typeof person === "object" ? (
                <>
                  <dt>{t(key as "doctor" | "careManager")}</dt>
                  <dd>
                    {person.name}
                    {person.organisation && `（${person.organisation}）`}
                    {person.phone && (
                      <a class="phone" href={telHref(person.phone)}>
                        {" "}
                        {t("call")} {person.phone}
                      </a>
                    )}
                    {person.fax && <span class="muted"> {t("fax")} {person.fax}</span>}
                  </dd>
                </>
              ) : null,
            )}
            {p.services.length > 0 && (
              <>
                <dt>{t("services")}</dt>
                <dd>{p.services.join("、")}</dd>
              </>
            )}
          </dl>
          <HistoryButton shared={shared} team={team} kind="patient" id={null} />
        </div>
        <div>
          <h2>{t("contacts")}</h2>
          <ol class="contacts">
            {p.contacts.map((c) => (
              <li>
                {c.name}（{c.relation}）{c.key_person && <span class="badge">{t("keyPerson")}</span>}{" "}
                <a class="phone" href={telHref(c.phone)}>
                  {t("call")} {c.phone}
                </a>
              </li>
            ))}
          </ol>
          <div class="actions">
            {!closed && (
              <button class="primary" onClick={() => go({ name: "visit", team })}>
                {t("recordVisit")}
              </button>
            )}
            {!closed && (
              <button id="edit-record" onClick={() => go({ name: "edit", team })}>
                {t("edit")}
              </button>
            )}
            <button onClick={() => go({ name: "team", team })}>{t("team")}</button>
            <RecordClockButtons shared={shared} team={team} instruction={r.instruction} onCall={r.on_call} />
            <ExportRecord team={team} go={go} />
            {muted != null && (
              <label class="check" title={t("muteHint")}>
                <input
                  type="checkbox"
                  id="mute-patient"
                  checked={muted}
                  onChange={(e) => {
                    const on = (e.target as HTMLInputElement).checked;
                    ok(commands.setMuted(team, on)).then(() => setMuted(on), (err) => alert(message(err)));
                  }}
                />{" "}
                {t("mutePatient")}
              </label>
            )}
          </div>
          {conflicts && conflicts.length > 0 && (
            <p class="badge warn" id="record-conflicts">
              <button class="link" onClick={() => go({ name: "review" })}>
                {t("conflicts", { n: conflicts.length })}
              </button>
            </p>
          )}
        </div>
      </header>
      <div class="columns">
        <section aria-labelledby="timeline-h">
          <h2 id="timeline-h">{t("timeline")}</h2>
          <div class="filters">
            <label>
              {t("filterProfession")} {select("profession", vocab.professions)}
            </label>
            <label>
              {t("filterCategory")} {select("category", vocab.note_categories)}
            </label>
            <label>
              {t("filterUrgency")} {select("urgency", vocab.urgencies)}
            </label>
          </div>
          {notes.length === 0 && <p class="muted">{t("noNotes")}</p>}
          <ol class="timeline" id="timeline">
            {notes.map((n) => (
              <NoteItem key={n.id} shared={shared} team={team} n={n} members={r.members} files={(files ?? []).filter((f) => f.to === "note" && f.entry === n.id)} readOnly={closed} onAck={ack} onChange={filesChanged} />
            ))}
          </ol>
          {r.notes.length < r.notes_total && (
            <button id="more-notes" onClick={() => setLimit(limit + 100)}>
              {t("moreNotes", { n: r.notes_total - r.notes.length })}
            </button>
          )}
        </section>
        <Wounds shared={shared} team={team} wounds={r.wounds} files={files ?? []} readOnly={closed} onChange={filesChanged} />
        <Observations shared={shared} visits={r.visits} />
        <ProfileFiles shared={shared} team={team} files={files ?? []} readOnly={closed} onChange={filesChanged} />
        <section aria-labelledby="vitals-h">
          <h2 id="vitals-h">{t("vitals")}</h2>
          <div class="filters">
            <select id="chart-field" value={field} onChange={(e) => setField((e.target as HTMLSelectElement).value as ChartField)}>
              {CHART_FIELDS.map((f) => (
                <option value={f}>{t(f)}</option>
              ))}
            </select>
            <button onClick={() => setShowTable(!showTable)}>{showTable ? t("chart") : t("table")}</button>
            <span class="range" role="group">
              {([90, 365, null] as const).map((d) => (
                <button
                  id={`range-${d ?? "all"}`}
                  aria-pressed={days === d}
                  class={days === d ? "selected" : ""}
                  onClick={() => setDays(d)}
                >
                  {t(d === 90 ? "range90" : d === 365 ? "range365" : "rangeAll")}
                </button>
              ))}
            </span>
            <span class="muted small" id="vitals-shown">
              {t("vitalsShown", { shown: r.vitals.length, total: r.vitals_total })}
            </span>
          </div>
          {showTable ? (
            <table class="vitals-table" id="vitals-table">
              <thead>
                <tr>
                  <th>{t("takenAt")}</th>
                  <th>{t("bp")}</th>
                  <th>{t("pulse")}</th>
                  <th>{t("temperature")}</th>
                  <th>{t("spo2")}</th>
                  <th>{t("weight")}</th>
                  <th>{t("news2Col")}</th>
                  <th>{t("by")}</th>
                  <th>{t("sentCol")}</th>
                </tr>
              </thead>
              <tbody>
                {[...r.vitals].reverse().map((v) => {
                  const flagged = (f: string) => v.flags.find((x) => x.field === f)?.level ?? "";
                  return (
                    <tr key={v.id}>
                      <td>{formatDateTime(v.taken_at, lang)}</td>
                      <td class={flagged("systolic") || flagged("diastolic")}>
                        {v.systolic != null ? `${v.systolic}/${v.diastolic}` : ""}
                      </td>
                      <td class={flagged("pulse")}>{v.pulse ?? ""}</td>
                      <td class={flagged("temperature")}>{v.temperature?.toFixed(1) ?? ""}</td>
                      <td class={flagged("spo2")}>{v.spo2 ?? ""}</td>
                      <td>{v.weight?.toFixed(1) ?? ""}</td>
                      <td class={v.news2?.suggests === "routine" ? "" : (v.news2?.suggests ?? "")}>
                        {v.news2 ? `${v.news2.total}${v.news2.missing.length > 0 ? "*" : ""}` : ""}
                      </td>
                      <td>{v.author_name}</td>
                      <td>
                        <span class={`sync-state badge ${v.sent ? "sent" : "local"}`}>{t(v.sent ? "sentToRelay" : "onlyHere")}</span>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          ) : (
            <VitalsChart vitals={r.vitals} bands={r.thresholds} field={field} />
          )}
          <RecordPlans shared={shared} team={team} plans={r.plans} visits={r.visits} members={r.members} readOnly={closed} onChange={reload} />
          <RecordTasks shared={shared} team={team} tasks={r.tasks} members={r.members} readOnly={closed} onChange={reload} />
          <RecordMeds shared={shared} team={team} meds={r.medications} readOnly={closed} onChange={reload} />
          <h2>{t("members")}</h2>
          <ul class="members">
            {r.members.map((m) => (
              <li key={m.id}>
                <strong>{m.name}</strong> {label(vocab.professions, m.profession, lang)}・{m.organisation}
                {m.me && <span class="badge">{t("me")}</span>}
                {m.on_call && <span class="badge">{t("onCall")}</span>}
                {m.phone && (
                  <a class="phone" href={telHref(m.phone)}>
                    {" "}
                    {m.phone}
                  </a>
                )}
                {m.email && <a href={`mailto:${m.email}`}> {m.email}</a>}
              </li>
            ))}
          </ul>
        </section>
      </div>
    </div>
  );
}

/** The record as a family member sees it (家族): the notes the team shares
 * with the family and their own, the visit plans, the contacts, and a box
 * to write their own note (連絡帳). */
function FamilyRecord({ shared, team, r, reload }: { shared: Shared; team: string; r: RecordView; reload: () => void }) {
  const [text, setText] = useState("");
  const { busy, error, run } = useRun();
  const closed = r.case.closed;
  return (
    <div class="record family" id="record">
      <h1>{r.patient.name}</h1>
      <p class="banner" role="note" id="family-banner">
        {t("familyBanner")}
      </p>
      {r.patient.contacts.length > 0 && (
        <section>
          <h2>{t("contacts")}</h2>
          <ul class="plain">
            {r.patient.contacts.map((c, i) => (
              <li key={i}>
                {c.name}（{c.relation}） <a href={telHref(c.phone)}>{c.phone}</a>
              </li>
            ))}
          </ul>
        </section>
      )}
      <RecordPlans shared={shared} team={team} plans={r.plans} visits={r.visits} members={r.members} readOnly={true} onChange={reload} />
      <section>
        <h2>{t("timeline")}</h2>
        {!closed && (
          <form
            class="stack"
            onSubmit={(e) => {
              e.preventDefault();
              run(async () => {
                await ok(commands.addNote(team, text));
                setText("");
                reload();
              });
            }}
          >
            <textarea id="family-note" rows={3} aria-label={t("familyNote")} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
            <button class="primary" id="family-note-save" disabled={busy || !text.trim()}>
              {t("save")}
            </button>
          </form>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <ul class="notes plain" id="family-notes">
          {r.notes.map((n) => (
            <NoteItem key={n.id} shared={shared} team={team} n={n} members={r.members} readOnly={closed} onAck={() => {}} onChange={reload} family />
          ))}
        </ul>
      </section>
    </div>
  );
}
