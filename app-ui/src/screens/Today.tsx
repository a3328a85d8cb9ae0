import { useEffect } from "preact/hooks";
import { commands, message, ok } from "../api";
import { t } from "../i18n";
import { formatDate, formatDateTime, formatIsoDate } from "../format";
import { useLoad } from "../hooks";
import { label, type Shared } from "../state";

let startupMs: number | null = null;

/** The nurse on rounds: urgent items first, then tasks due, then patients. */
export function Today({ shared }: { shared: Shared }) {
  const { vocab, lang, go, revision } = shared;
  const { data, error, reload } = useLoad(() => ok(commands.today()), [revision]);

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

  const ack = async (team: string, note: string) => {
    try {
      await ok(commands.acknowledge(team, note));
      reload();
    } catch (e) {
      alert(message(e));
    }
  };

  return (
    <div class="today" id="today">
      <h1>{t("todayTitle", { date: formatIsoDate(data.date, lang, shared.era) })}</h1>
      {data.patients.some((p) => p.sample) && <p class="sample-banner">{t("sampleBanner")}</p>}
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
              <span class="text">{u.text}</span>
              <span class="muted">
                {u.author} {formatDateTime(u.at, lang)}
              </span>
              {u.kind === "note" && !u.acked_by_me && !u.mine && (
                <button class="ack" onClick={() => ack(u.team, u.id)}>
                  {t("acknowledge")}
                </button>
              )}
            </li>
          ))}
        </ul>
      </section>
      <div class="columns">
        <section aria-labelledby="tasks-h">
          <h2 id="tasks-h">{t("tasksDue")}</h2>
          {data.tasks.length === 0 && <p class="muted">{t("noTasks")}</p>}
          <ul class="tasks">
            {data.tasks.map((task) => (
              <li key={task.id} class={task.overdue ? "overdue" : ""}>
                <button class="link" onClick={() => go({ name: "visit", team: task.team })}>
                  {task.patient}
                </button>{" "}
                {task.title}
                {task.overdue && <span class="badge warn">{t("overdue")}</span>}
                {task.due && <span class="muted"> {t("due")} {formatIsoDate(task.due, lang)}</span>}
                {task.priority === "high" && <span class="badge">{label(vocab.priorities, "high", lang)}</span>}
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="patients-h">
          <h2 id="patients-h">{t("myPatients")}</h2>
          {data.patients.length === 0 && <p class="muted">{t("noPatients")}</p>}
          <ul class="cards">
            {data.patients.map((p) => (
              <li key={p.team} class="card patient-card" data-team={p.team}>
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
                  {p.last_visit != null && <span> {t("lastVisit", { date: formatDate(p.last_visit, lang) })}</span>}
                </div>
                <div class="actions">
                  <button class="primary visit-btn" onClick={() => go({ name: "visit", team: p.team })}>
                    {t("recordVisit")}
                  </button>
                  <button
                    class="open-btn"
                    onClick={() => {
                      (window as any).__tsunagiOpenStart = performance.now();
                      go({ name: "record", team: p.team });
                    }}
                  >
                    {t("openRecord")}
                  </button>
                </div>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </div>
  );
}
