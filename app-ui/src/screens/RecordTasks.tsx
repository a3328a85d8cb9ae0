import { useState } from "preact/hooks";
import type { MemberView, TaskInput, TaskView } from "../bindings";
import { commands, ok } from "../api";
import { t, type Key } from "../i18n";
import { formatIsoDate } from "../format";
import { label, type Shared } from "../state";
import { HistoryButton } from "./History";
import { useRun } from "./Start";

/** Members by name, then professions: who a task can be for. */
export function AssigneeOptions({ shared, members }: { shared: Shared; members: MemberView[] }) {
  const { vocab, lang } = shared;
  return (
    <>
      <option value="">{t("anyone")}</option>
      {members.map((m) => (
        <option value={`member:${m.id}`}>{m.name}</option>
      ))}
      {vocab.professions.map((p) => (
        <option value={`profession:${p.code}`}>{p[lang]}</option>
      ))}
    </>
  );
}

function assigneeText(shared: Shared, task: TaskView): string | null {
  if (!task.assignee) return null;
  if (task.assignee.startsWith("profession:")) return label(shared.vocab.professions, task.assignee.slice(11), shared.lang);
  return task.assignee;
}

/** The record's tasks: add with assignee, due date and priority; done,
 * cancel, reopen, reassign; each with its history. */
export function RecordTasks({
  shared,
  team,
  tasks,
  members,
  readOnly,
  onChange,
}: {
  shared: Shared;
  team: string;
  tasks: TaskView[];
  members: MemberView[];
  readOnly: boolean;
  onChange: () => void;
}) {
  const { vocab, lang } = shared;
  const { busy, error, run } = useRun();
  const [draft, setDraft] = useState<TaskInput>({ title: "", assignee: null, due: null, priority: "normal" });
  const [all, setAll] = useState(false);
  const act = (f: () => Promise<unknown>) =>
    run(async () => {
      await f();
      onChange();
    });
  const shown = tasks.filter((x) => all || x.status === "open");
  return (
    <section aria-labelledby="tasks-h2" id="record-tasks">
      <h2 id="tasks-h2">{t("tasks")}</h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <label class="check small">
        <input type="checkbox" id="show-closed-tasks" checked={all} onChange={(e) => setAll((e.target as HTMLInputElement).checked)} /> {t("showClosedTasks")}
      </label>
      <ul class="tasks">
        {shown.map((x) => (
          <li key={x.id} class={`task ${x.overdue ? "overdue" : ""} ${x.status}`} data-task={x.id}>
            <span class="title">{x.title}</span>
            {x.due && <span class="muted"> {t("due")} {formatIsoDate(x.due, lang)}</span>}
            {x.overdue && <span class="badge warn">{t("overdue")}</span>}
            {x.priority === "high" && <span class="badge">{label(vocab.priorities, "high", lang)}</span>}
            {x.status !== "open" && <span class="badge">{t(`taskStatus_${x.status}` as Key)}</span>}
            <span class={`assignee ${x.assigned_to_me ? "badge mine" : "muted"}`}>
              {" "}
              {t("assignee")}: {assigneeText(shared, x) ?? t("anyone")}
            </span>
            {!readOnly && (
              <span class="actions">
                {x.status === "open" ? (
                  <>
                    <button class="task-done" disabled={busy} onClick={() => act(() => ok(commands.setTaskStatus(team, x.id, "done")))}>
                      {t("markDone")}
                    </button>
                    <button class="task-cancel" disabled={busy} onClick={() => act(() => ok(commands.setTaskStatus(team, x.id, "cancelled")))}>
                      {t("cancelTask")}
                    </button>
                    <label class="inline">
                      <span class="sr-only">{t("reassign")}</span>
                      <select
                        class="task-assignee"
                        aria-label={`${t("reassign")}: ${x.title}`}
                        value={x.assignee_code ?? ""}
                        disabled={busy}
                        onChange={(e) => {
                          const v = (e.target as HTMLSelectElement).value;
                          act(() => ok(commands.reassignTask(team, x.id, v || null)));
                        }}
                      >
                        <AssigneeOptions shared={shared} members={members} />
                      </select>
                    </label>
                  </>
                ) : (
                  <button class="task-reopen" disabled={busy} onClick={() => act(() => ok(commands.setTaskStatus(team, x.id, "open")))}>
                    {t("reopenTask")}
                  </button>
                )}
              </span>
            )}
            <HistoryButton shared={shared} team={team} kind="task" id={x.id} />
          </li>
        ))}
      </ul>
      {!readOnly && (
        <form
          class="add-task row"
          onSubmit={(e) => {
            e.preventDefault();
            act(async () => {
              await ok(commands.addTask(team, draft));
              setDraft({ ...draft, title: "", due: null });
            });
          }}
        >
          <label class="field">
            <span>{t("taskTitle")}</span>
            <input id="task-title" value={draft.title} onInput={(e) => setDraft({ ...draft, title: (e.target as HTMLInputElement).value })} />
          </label>
          <label class="field">
            <span>{t("assignee")}</span>
            <select id="task-assignee" value={draft.assignee ?? ""} onChange={(e) => setDraft({ ...draft, assignee: (e.target as HTMLSelectElement).value || null })}>
              <AssigneeOptions shared={shared} members={members} />
            </select>
          </label>
          <label class="field">
            <span>{t("due")}</span>
            <input id="task-due" type="date" value={draft.due ?? ""} onInput={(e) => setDraft({ ...draft, due: (e.target as HTMLInputElement).value || null })} />
          </label>
          <label class="field">
            <span>{t("priority")}</span>
            <select id="task-priority" value={draft.priority} onChange={(e) => setDraft({ ...draft, priority: (e.target as HTMLSelectElement).value })}>
              {vocab.priorities.map((p) => (
                <option value={p.code}>{p[lang]}</option>
              ))}
            </select>
          </label>
          <button id="add-task" disabled={busy || !draft.title.trim()}>
            {t("addTask")}
          </button>
        </form>
      )}
    </section>
  );
}
