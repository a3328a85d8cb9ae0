import { useState } from "preact/hooks";
import type { MemberView, PlanInput, PlanView, VisitView } from "../bindings";
import { commands, ok } from "../api";
import { t } from "../i18n";
import { formatDateTime, formatIsoDate } from "../format";
import { label, type Shared } from "../state";
import { AssigneeOptions } from "./RecordTasks";
import { useRun } from "./Start";

/** A weekday number (1 = Monday) as the user reads it. */
export function weekdayName(n: number): string {
  const days = t("weekdays");
  return days.includes(",") ? days.split(",")[n - 1] : [...days][n - 1];
}

/** The record's visit plan (weekly patterns and dated visits, who goes)
 * and its recent visits. */
export function RecordPlans({
  shared,
  team,
  plans,
  visits,
  members,
  readOnly,
  onChange,
}: {
  shared: Shared;
  team: string;
  plans: PlanView[];
  visits: VisitView[];
  members: MemberView[];
  readOnly: boolean;
  onChange: () => void;
}) {
  const { vocab, lang } = shared;
  const { busy, error, run } = useRun();
  const [draft, setDraft] = useState<PlanInput>({ weekday: 1, date: null, start: "10:00", end: "11:00", who: null });
  const act = (f: () => Promise<unknown>) =>
    run(async () => {
      await f();
      onChange();
    });
  const who = (p: PlanView) =>
    p.who ? (p.who.startsWith("profession:") ? label(vocab.professions, p.who.slice(11), lang) : p.who) : t("anyone");
  return (
    <section aria-labelledby="plans-h" id="record-plans">
      <h2 id="plans-h">{t("plansSection")}</h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <ul class="plans">
        {plans.map((p) => (
          <li key={p.id} class={p.stopped ? "muted" : ""} data-plan={p.id}>
            {p.weekday != null ? t("everyWeek", { day: weekdayName(p.weekday) }) : t("onceOn", { date: formatIsoDate(p.from, lang) })} {p.start}–{p.end}{" "}
            <span class="muted">{who(p)}</span>
            {p.stopped && <span class="badge"> {t("planStopped", { date: formatIsoDate(p.stopped, lang) })}</span>}
            {!readOnly && !p.stopped && (
              <button class="link stop-plan" disabled={busy} onClick={() => act(() => ok(commands.stopPlan(team, p.id)))}>
                {t("stopPlan")}
              </button>
            )}
          </li>
        ))}
      </ul>
      {!readOnly && (
        <form
          class="add-plan row"
          onSubmit={(e) => {
            e.preventDefault();
            act(() => ok(commands.addPlan(team, draft)));
          }}
        >
          <label class="field">
            <span>{t("weekday")}</span>
            <select
              id="plan-weekday"
              value={draft.weekday ?? ""}
              onChange={(e) => {
                const v = (e.target as HTMLSelectElement).value;
                setDraft({ ...draft, weekday: v ? Number(v) : null });
              }}
            >
              {[1, 2, 3, 4, 5, 6, 7].map((d) => (
                <option value={d}>{t("everyWeek", { day: weekdayName(d) })}</option>
              ))}
              <option value="">{t("onceOnly")}</option>
            </select>
          </label>
          <label class="field">
            <span>{t("planFrom")}</span>
            <input id="plan-date" type="date" value={draft.date ?? ""} onInput={(e) => setDraft({ ...draft, date: (e.target as HTMLInputElement).value || null })} />
          </label>
          <label class="field">
            <span>{t("visitStart")}</span>
            <input id="plan-start" class="num" value={draft.start} onInput={(e) => setDraft({ ...draft, start: (e.target as HTMLInputElement).value })} />
          </label>
          <label class="field">
            <span>{t("visitEnd")}</span>
            <input id="plan-end" class="num" value={draft.end} onInput={(e) => setDraft({ ...draft, end: (e.target as HTMLInputElement).value })} />
          </label>
          <label class="field">
            <span>{t("assignee")}</span>
            <select id="plan-who" value={draft.who ?? ""} onChange={(e) => setDraft({ ...draft, who: (e.target as HTMLSelectElement).value || null })}>
              <AssigneeOptions shared={shared} members={members} />
            </select>
          </label>
          <button id="add-plan" disabled={busy}>
            {t("addPlan")}
          </button>
        </form>
      )}
      {visits.length > 0 && (
        <>
          <h3>{t("recentVisits")}</h3>
          <ul class="visits" id="recent-visits">
            {visits.slice(0, 10).map((v) => (
              <li key={v.id}>
                {formatDateTime(v.start, lang)} <span class="badge">{label(vocab.visit_kinds, v.kind, lang)}</span>{" "}
                <span class={`badge ${v.outcome}`}>{label(vocab.visit_outcomes, v.outcome, lang)}</span>{" "}
                {v.soft_signs.map((s) => (
                  <span class="badge warn soft-sign-badge">{label(vocab.soft_signs, s, lang)}</span>
                ))}{" "}
                <span class="muted">{v.by}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
