import { useEffect, useRef, useState } from "preact/hooks";
import type { InstructionStateView, OnCallView } from "../bindings";
import { commands, ok } from "../api";
import { t } from "../i18n";
import { formatDateTime, formatIsoDate, telHref } from "../format";
import { useLoad } from "../hooks";
import { flagText } from "../logic";
import { label, type Shared } from "../state";
import { OnCallList, PersonLine } from "./OnCallBox";
import { InstructionBadge } from "./Instructions";
import { PrintButton } from "./Sheets";

/** The 急変時 panel: what the person answering the phone at 3 a.m. needs
 * on one screen — who the patient is, the wish about resuscitation, where
 * to take them, whom to call, and what they take and have. */
export function Emergency({ shared, team, onClose }: { shared: Shared; team: string; onClose: () => void }) {
  const { vocab, lang, era, revision } = shared;
  const { data: e, error } = useLoad(() => ok(commands.emergency(team)), [team, revision]);
  const closeButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const key = (ev: KeyboardEvent) => ev.key === "Escape" && onClose();
    window.addEventListener("keydown", key);
    return () => window.removeEventListener("keydown", key);
  }, [onClose]);
  useEffect(() => closeButton.current?.focus(), [e != null]);

  const none = <span class="muted">{t("notRecorded")}</span>;
  const p = e?.patient;
  const v = e?.last_vitals;
  return (
    <div class="overlay" onClick={(ev) => ev.target === ev.currentTarget && onClose()}>
      <div class="emergency" id="emergency" role="dialog" aria-modal="true" aria-labelledby="emergency-h" data-team={team}>
        <div class="title-row">
          <h1 id="emergency-h">
            {t("emergencyTitle")}
            {p && (
              <>
                {" "}
                <ruby>
                  {p.name}
                  {p.kana && <rt>{p.kana}</rt>}
                </ruby>
                {p.age != null && <span class="age"> {t("age", { n: p.age })}</span>}
                {p.sex && <span class="muted"> {label(vocab.sexes, p.sex, lang)}</span>}
              </>
            )}
          </h1>
          <div class="actions">
            <PrintButton team={team} sheet="emergency" id="emergency-print" label={t("printEmergency")} />
            <button class="primary" id="emergency-close" ref={closeButton} onClick={onClose}>
              {t("close")}
            </button>
          </div>
        </div>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {!e || !p ? (
          !error && <p class="muted">…</p>
        ) : (
          <div class="emergency-body">
            <p id="emergency-address">
              <span class="muted">{t("address")}: </span>
              {p.address ?? none}
              {p.phone && (
                <a class="phone" href={telHref(p.phone)}>
                  {" "}
                  {t("call")} {p.phone}
                </a>
              )}
            </p>
            <div class="columns">
              <div>
                <section class="em-box dnar-box" id="emergency-dnar" data-resuscitation={e.resuscitation ?? ""}>
                  <h2>{t("resuscitation")}</h2>
                  <p>
                    {e.resuscitation ? <span class="badge dnar">{label(vocab.resuscitations, e.resuscitation, lang)}</span> : none}
                  </p>
                  {e.acp && <p class="acp">{e.acp}</p>}
                  {e.acp_discussed_on && (
                    <p class="muted small">{t("acpDiscussed", { date: formatIsoDate(e.acp_discussed_on, lang, era), with: e.acp_discussed_with ?? "" })}</p>
                  )}
                </section>
                <section class="em-box" id="emergency-hospital">
                  <h2>{t("acpHospital")}</h2>
                  <p>{e.hospital ?? none}</p>
                </section>
                <section class="em-box" id="emergency-contacts">
                  <h2>{t("contacts")}</h2>
                  {p.contacts.length === 0 ? (
                    <p>{none}</p>
                  ) : (
                    <ol class="contacts">
                      {p.contacts.map((c, i) => (
                        <li key={i}>
                          {c.name}（{c.relation}）{c.key_person && <span class="badge">{t("keyPerson")}</span>}{" "}
                          <a class="phone" href={telHref(c.phone)}>
                            {t("call")} {c.phone}
                          </a>
                        </li>
                      ))}
                    </ol>
                  )}
                </section>
                <section class="em-box" id="emergency-on-call">
                  <h2>{t("onCallNow")}</h2>
                  {e.on_call.length === 0 ? <p class="muted">{t("noRotaShort")}</p> : <OnCallList list={e.on_call} lang={lang} />}
                </section>
              </div>
              <div>
                <dl class="details" id="emergency-details">
                  <dt>{t("doctor")}</dt>
                  <dd id="emergency-doctor">{e.doctor ? <PersonLine person={e.doctor} /> : none}</dd>
                  {e.care_manager && (
                    <>
                      <dt>{t("careManager")}</dt>
                      <dd>
                        <PersonLine person={e.care_manager} />
                      </dd>
                    </>
                  )}
                  <dt>{t("insEmergencyContact")}</dt>
                  <dd id="emergency-instruction-contact">{e.instruction_contact || none}</dd>
                  <dt>{t("insDevices")}</dt>
                  <dd id="emergency-devices">{e.devices.length ? e.devices.join("、") : none}</dd>
                  <dt>{t("diagnoses")}</dt>
                  <dd id="emergency-diagnoses">{p.diagnoses.length ? p.diagnoses.join("、") : none}</dd>
                  <dt>{t("allergies")}</dt>
                  <dd id="emergency-allergies" class={p.allergies.length ? "allergy" : ""}>
                    {p.allergies.length ? p.allergies.join("、") : t("noAllergies")}
                  </dd>
                  <dt>{t("medications")}</dt>
                  <dd id="emergency-medications">
                    {e.medications.length ? (
                      <ul>
                        {e.medications.map((m, i) => (
                          <li key={i}>{m}</li>
                        ))}
                      </ul>
                    ) : (
                      none
                    )}
                  </dd>
                  <dt>{t("lastVitals")}</dt>
                  <dd id="emergency-vitals">
                    {v ? (
                      <>
                        <span class="muted">{formatDateTime(v.taken_at, lang)} </span>
                        {[
                          v.systolic != null && `${t("bp")} ${v.systolic}/${v.diastolic ?? ""}`,
                          v.pulse != null && `${t("pulse")} ${v.pulse}`,
                          v.temperature != null && `${t("temperature")} ${v.temperature.toFixed(1)}`,
                          v.spo2 != null && `${t("spo2")} ${v.spo2}`,
                          v.respiratory_rate != null && `${t("respiratory_rate")} ${v.respiratory_rate}`,
                          v.consciousness && `${t("consciousness")} ${v.consciousness}`,
                        ]
                          .filter(Boolean)
                          .join("・")}
                        {v.flags.map((f, i) => (
                          <span key={i} class={`badge ${f.level === "urgent" ? "urgent" : "attention"}`}>
                            {flagText(f)}
                          </span>
                        ))}
                      </>
                    ) : (
                      none
                    )}
                  </dd>
                </dl>
              </div>
            </div>
          </div>
        )}
      </div>
    </div>
  );
}

/** The record's buttons for the 急変時 panel and the instructions, with
 * where the instruction stands. */
export function RecordClockButtons({
  shared,
  team,
  instruction,
  onCall,
}: {
  shared: Shared;
  team: string;
  instruction: InstructionStateView;
  onCall: OnCallView[];
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button class="danger" id="record-emergency" onClick={() => setOpen(true)}>
        {t("emergencyButton")}
      </button>
      <PrintButton team={team} sheet="emergency" id="record-print-emergency" label={t("printEmergencyShort")} />
      <button id="record-instructions" onClick={() => shared.go({ name: "instructions", team })}>
        {t("insButton")}
      </button>
      <button id="who-can-take" onClick={() => shared.go({ name: "directory", forPatient: team })}>
        {t("whoCanTakeButton")}
      </button>
      <InstructionBadge state={instruction} id="record-instruction-state" />
      {onCall.length > 0 && <OnCallList list={onCall} lang={shared.lang} id="record-on-call" />}
      {open && <Emergency shared={shared} team={team} onClose={() => setOpen(false)} />}
    </>
  );
}
