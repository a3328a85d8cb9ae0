import { useEffect, useRef, useState } from "preact/hooks";
import type { ObservationForm, SaveResult, SyncView, VitalsCheck, VitalsForm } from "../bindings";
import { commands, message, ok } from "../api";
import { t, type Key } from "../i18n";
import { formatTime } from "../format";
import { flagText, isEmptyVisit, worst } from "../logic";
import { useLoad } from "../hooks";
import { label, type Shared } from "../state";

const EMPTY: VitalsForm = {
  bp: null,
  pulse: null,
  temperature: null,
  spo2: null,
  oxygen: null,
  respiratory_rate: null,
  weight: null,
  glucose: null,
  pain: null,
  consciousness: null,
  note: null,
};

type Field = Exclude<keyof VitalsForm, "note">;

const EMPTY_OBS: ObservationForm = { bowel: "", bristol: "", urine: "", food: "", fluid: "", sleep: "", edema: "", skin: "", bedridden: "", dementia: "" };
/** 寝たきり度 and 認知症の自立度 (clinical.md). */
const BEDRIDDEN = ["自立", "J1", "J2", "A1", "A2", "B1", "B2", "C1", "C2"];
const DEMENTIA = ["自立", "I", "IIa", "IIb", "IIIa", "IIIb", "IV", "M"];

/** A visit half typed, kept while the window is locked (the form is
 * unmounted then). In memory only: patient data is never written to the
 * browser's storage, which is not encrypted. */
interface Draft {
  vitals: VitalsForm;
  note: string;
  category: string;
  urgency: string;
  ticks: string[];
  kind: string;
  start: string;
  end: string;
  signs: string[];
  obs: ObservationForm;
}
const drafts = new Map<string, Draft>();
const draftKey = (team: string, planned?: string) => `${team}|${planned ?? ""}`;
const MAIN: [Field, Key, string][] = [
  ["bp", "bp", "132/84"],
  ["pulse", "pulse", "78"],
  ["temperature", "temperature", "36.8"],
  ["spo2", "spo2", "96"],
];
const MORE: [Field, Key, string][] = [
  ["respiratory_rate", "respiratory_rate", "18"],
  ["oxygen", "oxygen", "0"],
  ["weight", "weight", "45.2"],
  ["glucose", "glucose", "142"],
  ["pain", "pain", "0–10"],
  ["consciousness", "consciousness", "0, I-1 … III-300"],
];

/**
 * One keyboard-first form for a visit: readings, a note and task ticks,
 * saved as one change. Tab order: readings, note, tasks, more readings.
 * Ctrl+Enter saves from anywhere in the form.
 */
export function Visit({ shared, team, planned, sync }: { shared: Shared; team: string; planned?: string; sync: SyncView | null }) {
  const { vocab, lang, go } = shared;
  const { data: record, error: loadError, reload } = useLoad(() => ok(commands.record(team, 1, 0)), [team]);
  const key = draftKey(team, planned);
  const draft = drafts.get(key);
  const [vitals, setVitals] = useState<VitalsForm>(draft?.vitals ?? EMPTY);
  const [note, setNote] = useState(draft?.note ?? "");
  const [category, setCategory] = useState(draft?.category ?? "observation");
  const [urgency, setUrgency] = useState(draft?.urgency ?? "routine");
  const [ticks, setTicks] = useState<string[]>(draft?.ticks ?? []);
  // 定期 for a planned visit; the times are empty for "now".
  const [kind, setKind] = useState(draft?.kind ?? (planned ? "regular" : "extra"));
  const [start, setStart] = useState(draft?.start ?? "");
  const [end, setEnd] = useState(draft?.end ?? "");
  // Soft signs (元気がない, 食欲低下, いつもと違う): what a nurse notices first.
  const [signs, setSigns] = useState<string[]>(draft?.signs ?? []);
  // 排便, 排尿, 食事, 水分, 睡眠, 浮腫, 皮膚, 自立度: optional, typed in order.
  const [obs, setObs] = useState<ObservationForm>(draft?.obs ?? EMPTY_OBS);
  const obsEmpty = Object.values(obs).every((v) => !v);
  const [check, setCheck] = useState<VitalsCheck | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<SaveResult | null>(null);
  const [reachedAt, setReachedAt] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const first = useRef<HTMLInputElement>(null);

  useEffect(() => first.current?.focus(), [record == null]);

  // Kept as typed, for a lock in the middle of the visit.
  useEffect(() => {
    if (isEmptyVisit(vitals as any, note, ticks) && signs.length === 0 && obsEmpty) drafts.delete(key);
    else drafts.set(key, { vitals, note, category, urgency, ticks, kind, start, end, signs, obs });
  }, [key, vitals, note, category, urgency, ticks, kind, start, end, signs, obs]);

  // Flag readings outside the patient's bands while typing.
  useEffect(() => {
    const timer = setTimeout(() => {
      if (Object.values(vitals).every((v) => !v)) return setCheck(null);
      ok(commands.checkVitals(team, vitals)).then(setCheck, (e) => setError(message(e)));
    }, 250);
    return () => clearTimeout(timer);
  }, [vitals, team]);

  // The saved visit has reached the relay once a report counted after the
  // save (Rust's clock on both sides) says nothing waits to be sent.
  useEffect(() => {
    if (saved && reachedAt == null && sync?.relay && sync.as_of > saved.saved_at && sync.pending === 0)
      setReachedAt(Date.now());
  }, [sync, saved]);

  if (loadError) return <p class="error" role="alert">{loadError}</p>;
  if (!record) return <p class="muted">…</p>;

  const open = record.tasks.filter((x) => x.status === "open");
  const set = (k: Field) => (e: Event) =>
    setVitals({ ...vitals, [k]: (e.target as HTMLInputElement).value || null });

  const save = async () => {
    if (saving) return;
    if (isEmptyVisit(vitals as any, note, ticks) && signs.length === 0 && obsEmpty) return setError(t("nothingToSave"));
    setSaving(true);
    setError(null);
    try {
      const started = performance.now();
      const r = await ok(
        commands.saveVisit({
          team,
          vitals,
          note: note.trim() ? { text: note, category, urgency } : null,
          done_tasks: ticks,
          planned: planned ?? null,
          kind,
          start: start.trim() || null,
          end: end.trim() || null,
          soft_signs: signs,
          observations: obs,
        }),
      );
      (window as any).__tsunagiSaveMs = performance.now() - started;
      drafts.delete(key);
      setSaved(r);
      setReachedAt(null);
      setVitals(EMPTY);
      setNote("");
      setTicks([]);
      setSigns([]);
      setObs(EMPTY_OBS);
      setCheck(null);
      reload();
      first.current?.focus();
    } catch (e) {
      setError(message(e));
    } finally {
      setSaving(false);
    }
  };

  const field = ([k, key, placeholder]: [Field, Key, string], ref?: typeof first) => {
    const flagged = check?.flags.filter((f) => f.field === k || (k === "bp" && (f.field === "systolic" || f.field === "diastolic")));
    const bad = check?.error?.field === k || (k === "bp" && check?.error?.field === "systolic");
    return (
      <label class={`field ${worst(flagged ?? [])} ${bad ? "invalid" : ""}`} key={k}>
        <span>{t(key)}</span>
        <input
          id={`v-${k}`}
          ref={ref}
          inputMode="decimal"
          autoComplete="off"
          placeholder={placeholder}
          value={vitals[k] ?? ""}
          onInput={set(k)}
          aria-invalid={bad ? "true" : undefined}
        />
      </label>
    );
  };

  return (
    <form
      class="visit"
      id="visit-form"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
      onKeyDown={(e) => {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          save();
        }
      }}
    >
      <h1>
        {t("visitTitle", { name: record.patient.name })}
        {record.sample && <span class="badge sample">{t("sample")}</span>}
      </h1>
      {record.patient.allergies.length > 0 && (
        <p class="allergy">
          {t("allergies")}: {record.patient.allergies.join("、")}
        </p>
      )}
      <fieldset>
        <legend>{t("vitals")}</legend>
        <div class="row">{MAIN.map((f, i) => field(f, i === 0 ? first : undefined))}</div>
      </fieldset>
      {(check?.flags.length ?? 0) > 0 && (
        <div class={`flags ${worst(check!.flags)}`} id="visit-flags" role="alert">
          <strong>{t("outsideBands")}:</strong> {check!.flags.map(flagText).join(" / ")}
        </div>
      )}
      {check?.news2 && (
        <p class={`news2 ${check.news2.suggests}`} id="visit-news2" role="status">
          <strong>{t("news2Score", { n: check.news2.total })}</strong>（{t(`news2Risk_${check.news2.risk}` as Key)}）
          {check.news2.missing.length > 0 && <span class="muted"> {t("news2Partial")}</span>}{" "}
          {check.news2.suggests !== "routine" && (
            <span>{t("news2Suggests", { urgency: label(vocab.urgencies, check.news2.suggests, lang) })}</span>
          )}
        </p>
      )}
      {check?.error && (
        <p class="error" role="alert" id="visit-field-error">
          {lang === "ja" ? check.error.message_ja : check.error.message_en}
        </p>
      )}
      <label class="field wide">
        <span>{t("note")}</span>
        <textarea id="v-note" rows={4} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
      </label>
      <div class="row">
        <label class="field">
          <span>{t("category")}</span>
          <select id="v-category" value={category} onChange={(e) => setCategory((e.target as HTMLSelectElement).value)}>
            {vocab.note_categories.map((c) => (
              <option value={c.code}>{c[lang]}</option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{t("urgency")}</span>
          <select id="v-urgency" value={urgency} onChange={(e) => setUrgency((e.target as HTMLSelectElement).value)}>
            {vocab.urgencies.map((c) => (
              <option value={c.code}>{c[lang]}</option>
            ))}
          </select>
        </label>
        {/* After the urgency, not between the readings and the note: the
            keyboard path of a visit stays readings → note. */}
        {check?.news2 && check.news2.suggests !== "routine" && urgency !== check.news2.suggests && (
          <button type="button" class="link" id="use-news2" onClick={() => setUrgency(check.news2!.suggests)}>
            {t("news2Use")}
          </button>
        )}
      </div>
      {open.length > 0 && (
        <fieldset>
          <legend>{t("tickTasks")}</legend>
          {open.map((task) => (
            <label class="tick" key={task.id}>
              <input
                type="checkbox"
                class="task-tick"
                value={task.id}
                checked={ticks.includes(task.id)}
                onChange={(e) =>
                  setTicks((e.target as HTMLInputElement).checked ? [...ticks, task.id] : ticks.filter((x) => x !== task.id))
                }
              />
              {task.title}
              {task.overdue && <span class="badge warn">{t("overdue")}</span>}
              {task.priority === "high" && <span class="badge">{label(vocab.priorities, "high", lang)}</span>}
            </label>
          ))}
        </fieldset>
      )}
      <fieldset id="soft-signs">
        <legend>{t("softSigns")}</legend>
        {vocab.soft_signs.map((c) => (
          <label class="tick" key={c.code}>
            <input
              type="checkbox"
              class="soft-sign"
              value={c.code}
              checked={signs.includes(c.code)}
              onChange={(e) => setSigns((e.target as HTMLInputElement).checked ? [...signs, c.code] : signs.filter((x) => x !== c.code))}
            />
            {c[lang]}
          </label>
        ))}
        {signs.length > 0 && urgency === "routine" && <p class="muted small">{t("softSignsHint")}</p>}
      </fieldset>
      <fieldset id="observations">
        <legend>{t("observations")}</legend>
        <div class="row">
          {(["bowel", "urine", "fluid"] as const).map((k) => (
            <label class="field" key={k}>
              <span>{t(`obs_${k}` as any)}</span>
              <input id={`obs-${k}`} inputMode="numeric" size={5} value={obs[k]} onInput={(e) => setObs({ ...obs, [k]: (e.target as HTMLInputElement).value })} />
            </label>
          ))}
          <label class="field">
            <span>{t("obs_bristol")}</span>
            <select id="obs-bristol" value={obs.bristol} onChange={(e) => setObs({ ...obs, bristol: (e.target as HTMLSelectElement).value })}>
              <option value="">–</option>
              {[1, 2, 3, 4, 5, 6, 7].map((n) => (
                <option value={String(n)} key={n}>
                  {t(`bristol${n}` as any)}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>{t("obs_food")}</span>
            <select id="obs-food" value={obs.food} onChange={(e) => setObs({ ...obs, food: (e.target as HTMLSelectElement).value })}>
              <option value="">–</option>
              {[10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0].map((n) => (
                <option value={String(n)} key={n}>
                  {t("tenths", { n })}
                </option>
              ))}
            </select>
          </label>
          {(
            [
              ["sleep", vocab.sleeps],
              ["edema", vocab.edemas],
            ] as const
          ).map(([k, terms]) => (
            <label class="field" key={k}>
              <span>{t(`obs_${k}` as any)}</span>
              <select id={`obs-${k}`} value={obs[k]} onChange={(e) => setObs({ ...obs, [k]: (e.target as HTMLSelectElement).value })}>
                <option value="">–</option>
                {terms.map((c) => (
                  <option value={c.code} key={c.code}>
                    {c[lang]}
                  </option>
                ))}
              </select>
            </label>
          ))}
          <label class="field">
            <span>{t("obs_skin")}</span>
            <input id="obs-skin" value={obs.skin} onInput={(e) => setObs({ ...obs, skin: (e.target as HTMLInputElement).value })} />
          </label>
          {(
            [
              ["bedridden", BEDRIDDEN],
              ["dementia", DEMENTIA],
            ] as const
          ).map(([k, levels]) => (
            <label class="field" key={k}>
              <span>{t(`obs_${k}` as any)}</span>
              <select id={`obs-${k}`} value={obs[k]} onChange={(e) => setObs({ ...obs, [k]: (e.target as HTMLSelectElement).value })}>
                <option value="">–</option>
                {levels.map((l) => (
                  <option value={l} key={l}>
                    {l === "自立" ? t("independent") : l}
                  </option>
                ))}
              </select>
            </label>
          ))}
        </div>
      </fieldset>
      <details>
        <summary>{t("vitals")} +</summary>
        <div class="row">{MORE.map((f) => field(f))}</div>
      </details>
      <details open={!planned}>
        <summary>{t("visitDetails")}</summary>
        <div class="row">
          <label class="field">
            <span>{t("visitKind")}</span>
            <select id="v-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
              {vocab.visit_kinds.map((k) => (
                <option value={k.code}>{k[lang]}</option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>{t("visitStart")}</span>
            <input id="v-start" placeholder={t("nowPlaceholder")} value={start} onInput={(e) => setStart((e.target as HTMLInputElement).value)} />
          </label>
          <label class="field">
            <span>{t("visitEnd")}</span>
            <input id="v-end" placeholder={t("nowPlaceholder")} value={end} onInput={(e) => setEnd((e.target as HTMLInputElement).value)} />
          </label>
        </div>
        <p class="muted small">{t("visitTimeHelp")}</p>
      </details>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="primary" id="save-visit" disabled={saving}>
          {saving ? t("saving") : t("save")}
        </button>
        {planned && !saved && (
          <button
            type="button"
            id="absent"
            onClick={async () => {
              try {
                await ok(commands.absent(team, planned));
                drafts.delete(key);
                go({ name: "today" });
              } catch (e) {
                setError(message(e));
              }
            }}
          >
            {t("absent")}
          </button>
        )}
        <button type="button" onClick={() => go({ name: "record", team })}>
          {t("openRecord")}
        </button>
        <button type="button" onClick={() => go({ name: "today" })}>
          {t("back")}
        </button>
      </div>
      {saved && (
        <div class="saved" id="save-status" role="status" data-reached={reachedAt != null ? "true" : "false"}>
          <p>✓ {t("savedHere", { time: formatTime(saved.saved_at) })}</p>
          {reachedAt != null ? (
            <p>✓ {t("reachedRelay", { time: formatTime(reachedAt) })}</p>
          ) : (
            <p class="muted">{t("waitingRelay")}</p>
          )}
        </div>
      )}
    </form>
  );
}
