import { useState } from "preact/hooks";
import type { CodedDiagnosisView, InstructionStateView, InstructionView, MasterHit } from "../bindings";
import { commands, message, ok } from "../api";
import { t } from "../i18n";
import { formatDateTime, formatIsoDate } from "../format";
import { useLoad } from "../hooks";
import { codeForm, instructionBadge } from "../clock";
import type { Shared } from "../state";
import { PersonLine } from "./OnCallBox";
import { grade, InstructionForm, kindLabel } from "./InstructionForm";
import { MasterHits, useMasterLookup } from "./MasterLookup";

/** Where the instruction stands, as a badge: 指示書 期限 12/1, 指示書切れ,
 * 指示書なし (and, with `all`, 指示書 12/1 まで). */
export function InstructionBadge({ state, all, id }: { state: InstructionStateView; all?: boolean; id?: string }) {
  const b = instructionBadge(state, all);
  if (!b) return null;
  return (
    <span id={id} class={`badge instruction-state ${b.level}`} data-state={state.state}>
      {b.text}
    </span>
  );
}

/** A patient's doctor's instructions (訪問看護指示書 and the others):
 * where they stand, each one as written, and the form for a new one. */
export function Instructions({ shared, team }: { shared: Shared; team: string }) {
  const { go, revision } = shared;
  const { data, error, reload } = useLoad(() => ok(commands.instructions(team)), [team, revision]);
  if (error) return <p class="error" role="alert">{error}</p>;
  if (!data) return <p class="muted">…</p>;
  return (
    <div class="instructions" id="instructions" data-team={team}>
      <div class="title-row">
        <h1>
          {t("insTitle", { name: data.patient })}{" "}
          <InstructionBadge state={data.state} all id="instruction-state" />
        </h1>
        <div class="actions">
          <button onClick={() => go({ name: "record", team })}>{t("back")}</button>
        </div>
      </div>
      <ol class="instructions-list" id="instructions-list">
        {data.instructions.map((i) => (
          <Instruction key={i.id} shared={shared} team={team} i={i} master={data.master} changed={reload} />
        ))}
      </ol>
      {data.instructions.length === 0 && <p class="muted">{t("insNone")}</p>}
      <InstructionForm
        team={team}
        prev={data.instructions[0]}
        master={data.master}
        openSettings={() => go({ name: "settings" })}
        saved={reload}
      />
    </div>
  );
}

/** One instruction as the doctor wrote it. */
function Instruction({ shared, team, i, master, changed }: { shared: Shared; team: string; i: InstructionView; master: string | null; changed: () => void }) {
  const { lang, era } = shared;
  return (
    <li class={`instruction card ${i.current ? "current" : ""}`} data-id={i.id} data-kind={i.kind} data-current={String(i.current)}>
      <div>
        <strong class="kind">{kindLabel(i.kind)}</strong>
        {i.current && <span class="badge mine">{t("insCurrent")}</span>}{" "}
        <span class="period">
          {formatIsoDate(i.start, lang, era)}〜{formatIsoDate(i.end, lang, era)}
        </span>{" "}
        <span class="muted small">{t("insIssuedOn", { date: formatIsoDate(i.issued_on, lang, era) })}</span>
      </div>
      <dl class="details">
        <dt>{t("insDoctor")}</dt>
        <dd>
          <PersonLine person={i.doctor} />
        </dd>
        <dt>{t("insDiagnoses")}</dt>
        <dd>
          <ul class="diagnoses">
            {i.diagnoses.map((dx, index) => (
              <Diagnosis key={index} shared={shared} team={team} instruction={i.id} index={index} dx={dx} master={master} changed={changed} />
            ))}
          </ul>
        </dd>
        {(i.bedridden || i.dementia) && (
          <>
            <dt>{t("insIndependence")}</dt>
            <dd>
              {i.bedridden && `${t("insBedridden")} ${grade(i.bedridden)}`}
              {i.bedridden && i.dementia && "・"}
              {i.dementia && `${t("insDementia")} ${grade(i.dementia)}`}
            </dd>
          </>
        )}
        {i.devices.length > 0 && (
          <>
            <dt>{t("insDevices")}</dt>
            <dd>{i.devices.join("、")}</dd>
          </>
        )}
        {i.directions && (
          <>
            <dt>{t("insDirections")}</dt>
            <dd class="note-text">{i.directions}</dd>
          </>
        )}
        <dt>{t("insEmergencyContact")}</dt>
        <dd class="emergency-contact">{i.emergency_contact}</dd>
      </dl>
      <p class="muted small">{t("insCreatedBy", { name: i.created_by, time: formatDateTime(i.created_at, lang) })}</p>
    </li>
  );
}

/** A diagnosis as written, its code and who added it; one without a code
 * may be given one (from the master, or typed). */
function Diagnosis({
  shared,
  team,
  instruction,
  index,
  dx,
  master,
  changed,
}: {
  shared: Shared;
  team: string;
  instruction: string;
  index: number;
  dx: CodedDiagnosisView;
  master: string | null;
  changed: () => void;
}) {
  const { lang } = shared;
  const [coding, setCoding] = useState<{ code: string; icd10: string | null; master: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const lookup = useMasterLookup(master != null);
  const pick = (h: MasterHit) => {
    setCoding({ code: h.code, icd10: h.icd10, master: h.version });
    lookup.clear();
  };
  const save = async () => {
    const code = coding && codeForm(coding);
    if (!code) return;
    setBusy(true);
    setError(null);
    try {
      await ok(commands.codeDiagnosis(team, instruction, index, code));
      setCoding(null);
      changed();
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <li class="diagnosis" data-code={dx.code ?? ""}>
      {dx.name}
      {dx.code && (
        <>
          {" "}
          <span class="mono">{dx.code}</span>
          {dx.icd10 && (
            <span class="muted">
              {" "}
              {t("icd10")} {dx.icd10}
            </span>
          )}
          {dx.coded_by && (
            <span class="muted small coded-by">
              {" "}
              {t("codedBy", { name: dx.coded_by, date: dx.coded_at != null ? formatDateTime(dx.coded_at, lang) : "" })}
            </span>
          )}
        </>
      )}
      {!dx.code && coding == null && (
        <button
          class="link code-dx"
          onClick={() => {
            setCoding({ code: "", icd10: null, master: null });
            lookup.look("dx", dx.name);
          }}
        >
          {t("addCode")}
        </button>
      )}
      {coding && (
        <div class="row code-dx-form">
          <label class="field">
            <span>{t("insDxCode")}</span>
            <input
              class="code-dx-input"
              inputMode="numeric"
              maxLength={7}
              value={coding.code}
              onInput={(e) => setCoding({ code: (e.target as HTMLInputElement).value, icd10: null, master: null })}
            />
          </label>
          <button class="save-code-dx" disabled={busy || !coding.code.trim()} onClick={save}>
            {t("saveShort")}
          </button>
          <button
            onClick={() => {
              setCoding(null);
              lookup.clear();
            }}
          >
            {t("cancel")}
          </button>
          <span class="muted small">{t("insCodeHint")}</span>
        </div>
      )}
      {coding && lookup.hits && <MasterHits list={lookup.hits.list} pick={pick} />}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

/** Today's list of patients whose instruction ends soon or has ended. */
export function InstructionsDue({ cards, open }: { cards: { team: string; name: string; instruction: InstructionStateView }[]; open: (team: string) => void }) {
  if (cards.length === 0) return null;
  return (
    <section class="instructions-due" id="instructions-due" aria-labelledby="instructions-due-h">
      <h2 id="instructions-due-h">{t("insDueTitle")}</h2>
      <ul>
        {cards.map((c) => (
          <li key={c.team} data-team={c.team}>
            <button class="link strong" onClick={() => open(c.team)}>
              {c.name}
            </button>
            <InstructionBadge state={c.instruction} />
          </li>
        ))}
      </ul>
    </section>
  );
}
