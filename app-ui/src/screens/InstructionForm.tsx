import { useState } from "preact/hooks";
import type { InstructionInput, InstructionView } from "../bindings";
import { commands, Failure, message, ok } from "../api";
import { t, type Key } from "../i18n";
import { diagnosisForms, EMPTY_ROW, instructionField, type DiagnosisRow } from "../clock";
import { MasterHits, useMasterLookup } from "./MasterLookup";

export const INSTRUCTION_KINDS = ["ordinary", "special", "drip", "psychiatric"] as const;
/** 障害高齢者の日常生活自立度（寝たきり度）. */
const BEDRIDDEN = ["自立", "J1", "J2", "A1", "A2", "B1", "B2", "C1", "C2"];
/** 認知症高齢者の日常生活自立度. */
const DEMENTIA = ["自立", "I", "IIa", "IIb", "IIIa", "IIIb", "IV", "M"];

/** A kind of instruction in words: 訪問看護指示書, 特別訪問看護指示書, … */
export function kindLabel(kind: string): string {
  return (INSTRUCTION_KINDS as readonly string[]).includes(kind) ? t(`insKind_${kind}` as Key) : kind;
}

/** A 自立度 grade in words (自立 is the one word among the grades). */
export function grade(g: string): string {
  return g === "自立" ? t("independent") : g;
}

/** An option whose `value` attribute is always written: Preact leaves it
 * out when it equals the text (A2, 自立), and the select is then found by
 * value neither by tests nor by assistive tools. */
function Grade({ value }: { value: string }) {
  return (
    <option value={value} ref={(el) => el?.setAttribute("value", value)}>
      {grade(value)}
    </option>
  );
}

interface Draft {
  kind: string;
  issued: string;
  start: string;
  end: string;
  doctor: string;
  clinic: string;
  phone: string;
  fax: string;
  rows: DiagnosisRow[];
  bedridden: string;
  dementia: string;
  devices: string;
  directions: string;
  emergency: string;
}

/** A new form: the doctor and whom to call as on the latest instruction
 * (a renewal is usually from the same doctor). */
function fresh(prev: InstructionView | undefined): Draft {
  return {
    kind: "ordinary",
    issued: "",
    start: "",
    end: "",
    doctor: prev?.doctor.name ?? "",
    clinic: prev?.doctor.organisation ?? "",
    phone: prev?.doctor.phone ?? "",
    fax: prev?.doctor.fax ?? "",
    rows: [{ ...EMPTY_ROW }],
    bedridden: "",
    dementia: "",
    devices: "",
    directions: "",
    emergency: prev?.emergency_contact ?? "",
  };
}

/** A new 訪問看護指示書 as the doctor wrote it: dates as typed (西暦 or
 * 和暦), diagnoses with their codes from the master, 自立度, devices. */
export function InstructionForm({
  team,
  prev,
  master,
  openSettings,
  saved,
}: {
  team: string;
  prev: InstructionView | undefined;
  master: string | null;
  openSettings: () => void;
  saved: () => void;
}) {
  const [d, setD] = useState<Draft>(() => fresh(prev));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ text: string; field: string | null; raw?: string | null } | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const lookup = useMasterLookup(master != null);

  const set = (k: keyof Draft) => (e: Event) => setD({ ...d, [k]: (e.target as HTMLInputElement).value });
  const setRow = (i: number, row: DiagnosisRow) => setD({ ...d, rows: d.rows.map((r, j) => (j === i ? row : r)) });
  const invalid = (id: string) => (error?.field === id ? { "aria-invalid": true as const, class: "invalid" } : {});
  const text = (id: string, k: keyof Draft, labelKey: Key, hint?: Key) => (
    <label class={`field ${error?.field === id ? "invalid" : ""}`}>
      <span>{t(labelKey)}</span>
      <input id={id} value={d[k] as string} onInput={set(k)} aria-invalid={error?.field === id || undefined} />
      {hint && <span class="muted small">{t(hint)}</span>}
    </label>
  );

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setStatus(null);
    if (!d.emergency.trim()) return setError({ text: t("insEmergencyRequired"), field: "ins-emergency", raw: "emergency_contact" });
    const input: InstructionInput = {
      kind: d.kind,
      issued_on: d.issued.trim(),
      start: d.start.trim(),
      end: d.end.trim(),
      doctor: { member: null, name: d.doctor.trim(), organisation: d.clinic.trim() || null, phone: d.phone.trim() || null, fax: d.fax.trim() || null },
      diagnoses: diagnosisForms(d.rows),
      bedridden: d.bedridden || null,
      dementia: d.dementia || null,
      devices: d.devices.split("\n").map((x) => x.trim()).filter(Boolean),
      directions: d.directions.trim(),
      emergency_contact: d.emergency.trim(),
    };
    setBusy(true);
    try {
      await ok(commands.addInstruction(team, input));
      setD({ ...fresh(undefined), doctor: d.doctor, clinic: d.clinic, phone: d.phone, fax: d.fax, emergency: d.emergency });
      lookup.clear();
      setStatus(t("saved"));
      saved();
    } catch (err) {
      const raw = err instanceof Failure ? err.error.field : null;
      setError({ text: message(err), field: instructionField(raw), raw });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="stack wide instruction-form" id="instruction-form" onSubmit={submit} aria-labelledby="ins-form-h">
      <h2 id="ins-form-h">{t("insNew")}</h2>
      <div class="grid">
        <label class="field">
          <span>{t("insKind")}</span>
          <select id="ins-kind" value={d.kind} onChange={set("kind")} {...invalid("ins-kind")}>
            {INSTRUCTION_KINDS.map((k) => (
              <option key={k} value={k}>
                {kindLabel(k)}
              </option>
            ))}
          </select>
        </label>
        {text("ins-issued", "issued", "insIssued")}
        {text("ins-start", "start", "insStart")}
        {text("ins-end", "end", "insEnd")}
      </div>
      <p class="muted small">{t("insDateHelp")}</p>
      <fieldset class="person">
        <legend>{t("insDoctor")}</legend>
        {text("ins-doctor", "doctor", "personName")}
        {text("ins-clinic", "clinic", "insClinic")}
        {text("ins-phone", "phone", "phone")}
        {text("ins-fax", "fax", "fax")}
      </fieldset>
      <fieldset>
        <legend>{t("insDiagnoses")}</legend>
        {master == null ? (
          <p class="banner" id="ins-master-missing">
            {t("masterMissing")}{" "}
            <button type="button" class="link" onClick={openSettings}>
              {t("masterOpenSettings")}
            </button>
          </p>
        ) : (
          <p class="muted small" id="ins-master">
            {t("masterVersion", { version: master })}
          </p>
        )}
        {d.rows.map((row, i) => (
          <div class="dx-row" key={i} data-row={i}>
            <div class="row">
              <label class={`field wide ${error?.field === `ins-dx-${i}` ? "invalid" : ""}`}>
                <span>{t("insDiagnosisN", { n: i + 1 })}</span>
                <input
                  id={`ins-dx-${i}`}
                  value={row.name}
                  autoComplete="off"
                  onInput={(e) => {
                    const v = (e.target as HTMLInputElement).value;
                    setRow(i, { ...row, name: v });
                    lookup.look(String(i), v);
                  }}
                />
              </label>
              <label class={`field ${error?.field === `ins-dx-code-${i}` ? "invalid" : ""}`}>
                <span>{t("insDxCode")}</span>
                <input
                  id={`ins-dx-code-${i}`}
                  inputMode="numeric"
                  maxLength={7}
                  value={row.code}
                  onInput={(e) => setRow(i, { ...row, code: (e.target as HTMLInputElement).value, icd10: null, master: null })}
                />
              </label>
            </div>
            {row.code && (
              <p class="muted small dx-code-source">
                {row.master ? t("codeFromMaster", { version: row.master }) : t("codeManual")}
                {row.icd10 && ` ・${t("icd10")} ${row.icd10}`}
              </p>
            )}
            {lookup.hits?.key === String(i) && (
              <MasterHits
                list={lookup.hits.list}
                pick={(h) => {
                  setRow(i, { name: row.name.trim() ? row.name : h.name, code: h.code, icd10: h.icd10, master: h.version });
                  lookup.clear();
                }}
              />
            )}
          </div>
        ))}
        <p class="muted small">{t("insCodeHint")}</p>
        <button type="button" id="ins-add-dx" onClick={() => setD({ ...d, rows: [...d.rows, { ...EMPTY_ROW }] })}>
          {t("insAddDiagnosis")}
        </button>
      </fieldset>
      <div class="grid">
        <label class="field">
          <span>{t("insBedridden")}</span>
          <select id="ins-bedridden" value={d.bedridden} onChange={set("bedridden")} {...invalid("ins-bedridden")}>
            <option value="">—</option>
            {BEDRIDDEN.map((g) => (
              <Grade key={g} value={g} />
            ))}
          </select>
        </label>
        <label class="field">
          <span>{t("insDementia")}</span>
          <select id="ins-dementia" value={d.dementia} onChange={set("dementia")} {...invalid("ins-dementia")}>
            <option value="">—</option>
            {DEMENTIA.map((g) => (
              <Grade key={g} value={g} />
            ))}
          </select>
        </label>
      </div>
      <label class="field wide">
        <span>
          {t("insDevices")} <span class="muted small">（{t("onePerLine")}）</span>
        </span>
        <textarea id="ins-devices" rows={3} value={d.devices} onInput={set("devices")} {...invalid("ins-devices")} />
      </label>
      <label class="field wide">
        <span>{t("insDirections")}</span>
        <textarea id="ins-directions" rows={4} value={d.directions} onInput={set("directions")} {...invalid("ins-directions")} />
      </label>
      <label class={`field wide ${error?.field === "ins-emergency" ? "invalid" : ""}`}>
        <span>
          {t("insEmergencyContact")} <span class="badge warn">{t("required")}</span>
        </span>
        <input id="ins-emergency" aria-required="true" value={d.emergency} onInput={set("emergency")} aria-invalid={error?.field === "ins-emergency" || undefined} />
      </label>
      <div class="actions">
        <button class="primary" id="save-instruction" disabled={busy}>
          {t("insSave")}
        </button>
      </div>
      <p id="ins-error" role="alert" class={error ? "error" : ""} data-field={error?.raw ?? ""}>
        {error?.text ?? ""}
      </p>
      <p id="ins-status" role="status" class={status ? "saved" : ""}>
        {status ?? ""}
      </p>
    </form>
  );
}
