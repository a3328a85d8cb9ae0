import { useEffect, useState } from "preact/hooks";
import type { ContactInput, MemberView, PatientForm, PersonForm, ThresholdsForm } from "../bindings";
import { commands, ok } from "../api";
import { t, type Key } from "../i18n";
import { moveContact } from "../logic";
import { useLoad } from "../hooks";
import { type Shared } from "../state";
import { useRun } from "./Start";

type Setter<T> = (v: T) => void;

function Text({ id, label, value, set, wide }: { id: string; label: string; value: string | null; set: Setter<string | null>; wide?: boolean }) {
  return (
    <label class={wide ? "field wide" : "field"}>
      <span>{label}</span>
      <input id={id} value={value ?? ""} onInput={(e) => set((e.target as HTMLInputElement).value || null)} />
    </label>
  );
}

function Choice({
  id,
  label,
  value,
  set,
  options,
}: {
  id: string;
  label: string;
  value: string | null;
  set: Setter<string | null>;
  options: { code: string; label: string }[];
}) {
  return (
    <label class="field">
      <span>{label}</span>
      <select id={id} value={value ?? ""} onChange={(e) => set((e.target as HTMLSelectElement).value || null)}>
        <option value="">—</option>
        {options.map((o) => (
          <option value={o.code}>{o.label}</option>
        ))}
      </select>
    </label>
  );
}

function Lines({ id, label, value, set }: { id: string; label: string; value: string[]; set: Setter<string[]> }) {
  return (
    <label class="field wide">
      <span>
        {label} <span class="muted small">（{t("onePerLine")}）</span>
      </span>
      <textarea id={id} rows={3} value={value.join("\n")} onInput={(e) => set((e.target as HTMLTextAreaElement).value.split("\n"))} />
    </label>
  );
}

function Person({
  id,
  label,
  value,
  set,
  members,
}: {
  id: string;
  label: string;
  value: PersonForm | null;
  set: Setter<PersonForm | null>;
  members: MemberView[];
}) {
  const p = value ?? { member: null, name: "", organisation: null, phone: null, fax: null };
  const put = (over: Partial<PersonForm>) => set({ ...p, ...over });
  return (
    <fieldset class="person">
      <legend>{label}</legend>
      <label class="field">
        <span>{t("teamMemberOrOutside")}</span>
        <select
          id={`${id}-member`}
          value={p.member ?? ""}
          onChange={(e) => {
            const m = members.find((x) => x.id === (e.target as HTMLSelectElement).value);
            // A member of the team: their details as the team knows them.
            set(m ? { member: m.id, name: m.name, organisation: m.organisation, phone: m.phone, fax: m.fax } : { ...p, member: null });
          }}
        >
          <option value="">{t("outsidePerson")}</option>
          {members.map((m) => (
            <option value={m.id}>{m.name}</option>
          ))}
        </select>
      </label>
      <Text id={`${id}-name`} label={t("personName")} value={p.name} set={(v) => put({ name: v ?? "" })} />
      <Text id={`${id}-org`} label={t("organisation")} value={p.organisation} set={(v) => put({ organisation: v })} />
      <Text id={`${id}-phone`} label={t("phone")} value={p.phone} set={(v) => put({ phone: v })} />
      <Text id={`${id}-fax`} label={t("fax")} value={p.fax} set={(v) => put({ fax: v })} />
    </fieldset>
  );
}

/** Every detail of the patient, the ACP, contacts in calling order, the
 * vital-sign bands and closing the case. Each save is one change. */
export function EditPatient({ shared, team }: { shared: Shared; team: string }) {
  const { vocab, lang, go, revision } = shared;
  const { data: r, error, reload } = useLoad(() => ok(commands.record(team, 1, 1)), [team, revision]);
  const { data: bands, reload: reloadBands } = useLoad(() => ok(commands.thresholds(team)), [team, revision]);
  const [form, setForm] = useState<PatientForm | null>(null);
  // The form as it was loaded: a change arriving while it is open reloads
  // `r`, not this, so only what the user changed here is written.
  const [base, setBase] = useState<PatientForm | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const { busy, error: saveError, run } = useRun();
  useEffect(() => {
    if (r && !form) (setForm(r.form), setBase(r.form));
  }, [r]);

  if (error) return <p class="error" role="alert">{error}</p>;
  if (!r || !form || !base || !bands) return <p class="muted">…</p>;
  const put = (over: Partial<PatientForm>) => setForm({ ...form, ...over });
  const opts = (list: { code: string; ja: string; en: string }[]) => list.map((x) => ({ code: x.code, label: x[lang] }));
  const done = (what: string) => {
    setStatus(what);
    reload();
  };
  if (r.case.closed)
    return (
      <div class="stack">
        <p class="banner">{t("closedBanner", { reason: r.case.reason ?? "", date: r.case.date ?? "", until: r.case.keep_until ?? "" })}</p>
        <button onClick={() => go({ name: "record", team })}>{t("back")}</button>
      </div>
    );

  return (
    <div class="edit stack" id="edit-patient" data-team={team}>
      <div class="title-row">
        <h1>{t("editTitle", { name: r.patient.name })}</h1>
        <button id="edit-back" onClick={() => go({ name: "record", team })}>
          {t("back")}
        </button>
      </div>
      {(saveError || status) && (
        <p class={saveError ? "error" : "saved"} role={saveError ? "alert" : "status"} id="edit-status">
          {saveError ?? status}
        </p>
      )}
      <form
        class="card"
        id="patient-form"
        aria-labelledby="profile-h"
        onSubmit={(e) => {
          e.preventDefault();
          run(async () => {
            // With the form as loaded: only the fields changed here are written.
            await ok(commands.editPatient(team, form, base));
            setForm(null);
            done(t("saved"));
          });
        }}
      >
        <h2 id="profile-h">{t("profileSection")}</h2>
        <div class="grid">
          <Text id="ed-name" label={`${t("name")} *`} value={form.name} set={(v) => put({ name: v ?? "" })} />
          <Text id="ed-kana" label={t("kana")} value={form.kana} set={(v) => put({ kana: v })} />
          <Text id="ed-born" label={t("born")} value={form.born} set={(v) => put({ born: v })} />
          <Choice id="ed-sex" label={t("sex")} value={form.sex} set={(v) => put({ sex: v })} options={opts(vocab.sexes)} />
          <Text id="ed-address" label={t("address")} value={form.address} set={(v) => put({ address: v })} wide />
          <Text id="ed-phone" label={t("phone")} value={form.phone} set={(v) => put({ phone: v })} />
          <Choice id="ed-care-level" label={t("careLevel")} value={form.care_level} set={(v) => put({ care_level: v })} options={opts(vocab.care_levels)} />
          <Text id="ed-cert-from" label={`${t("certification")} ${t("certifiedFrom")}`} value={form.certified_from} set={(v) => put({ certified_from: v })} />
          <Text id="ed-cert-until" label={`${t("certification")} ${t("certifiedUntil")}`} value={form.certified_until} set={(v) => put({ certified_until: v })} />
          <Choice id="ed-insurance" label={t("insurance")} value={form.insurance} set={(v) => put({ insurance: v })} options={opts(vocab.insurance_kinds)} />
          <Text id="ed-insurance-number" label={t("insuranceNumber")} value={form.insurance_number} set={(v) => put({ insurance_number: v })} />
        </div>
        <div class="columns">
          <Person id="ed-doctor" label={t("doctor")} value={form.doctor} set={(v) => put({ doctor: v })} members={r.members} />
          <Person id="ed-cm" label={t("careManager")} value={form.care_manager} set={(v) => put({ care_manager: v })} members={r.members} />
        </div>
        <fieldset>
          <legend>{t("diagnoses")}</legend>
          {form.diagnoses.map((d, i) => (
            <div class="row" key={i}>
              <Text id={`ed-dx-${i}`} label={t("diagnoses")} value={d.name} set={(v) => put({ diagnoses: form.diagnoses.map((x, j) => (j === i ? { ...x, name: v ?? "" } : x)) })} />
              <Text id={`ed-dx-code-${i}`} label={t("icd10")} value={d.code} set={(v) => put({ diagnoses: form.diagnoses.map((x, j) => (j === i ? { ...x, code: v } : x)) })} />
            </div>
          ))}
          <button type="button" id="add-diagnosis" onClick={() => put({ diagnoses: [...form.diagnoses, { name: "", code: null }] })}>
            {t("addDiagnosis")}
          </button>
        </fieldset>
        <div class="columns">
          <Lines id="ed-services" label={t("services")} value={form.services} set={(v) => put({ services: v })} />
          <Lines id="ed-allergies" label={t("allergies")} value={form.allergies} set={(v) => put({ allergies: v })} />
          <Lines id="ed-problems" label={t("problems")} value={form.problems} set={(v) => put({ problems: v })} />
        </div>
        <fieldset>
          <legend>{t("acp")}</legend>
          <label class="field wide">
            <span>{t("acpWishes")}</span>
            <textarea id="ed-acp" rows={2} value={form.acp ?? ""} onInput={(e) => put({ acp: (e.target as HTMLTextAreaElement).value || null })} />
          </label>
          <div class="grid">
            <Choice id="ed-resuscitation" label={t("resuscitation")} value={form.resuscitation} set={(v) => put({ resuscitation: v })} options={opts(vocab.resuscitations)} />
            <Text id="ed-acp-hospital" label={t("acpHospital")} value={form.acp_hospital} set={(v) => put({ acp_hospital: v })} />
            <Text id="ed-acp-on" label={t("acpDiscussedOn")} value={form.acp_discussed_on} set={(v) => put({ acp_discussed_on: v })} />
            <Text id="ed-acp-with" label={t("acpDiscussedWith")} value={form.acp_discussed_with} set={(v) => put({ acp_discussed_with: v })} />
          </div>
        </fieldset>
        <button class="primary" id="save-patient" disabled={busy || !form.name.trim()}>
          {t("saveChanges")}
        </button>
      </form>
      <Contacts shared={shared} team={team} contacts={r.patient.contacts} onDone={done} />
      <Bands team={team} form={bands} onDone={(m) => (reloadBands(), done(m))} />
      <CloseCase shared={shared} team={team} />
    </div>
  );
}

const emptyContact: ContactInput = { name: "", kana: null, relation: "", phone: "", key_person: false };

/** Contacts in calling order: edit, remove, add, and move with the buttons
 * or Alt+↑ / Alt+↓ on a row. */
function Contacts({ shared, team, contacts, onDone }: { shared: Shared; team: string; contacts: ContactInput[]; onDone: (m: string) => void }) {
  const { busy, error, run } = useRun();
  const [adding, setAdding] = useState<ContactInput>(emptyContact);
  const [editing, setEditing] = useState<{ i: number; c: ContactInput } | null>(null);
  const [focus, setFocus] = useState<number | null>(null);
  useEffect(() => {
    if (focus != null) (document.querySelector(`#contact-${focus}`) as HTMLElement | null)?.focus();
  }, [contacts, focus]);
  const move = (i: number, by: number) => {
    const order = moveContact(contacts.length, i, by);
    if (!order) return;
    run(async () => {
      await ok(commands.reorderContacts(team, order));
      setFocus(i + by);
      onDone(t("contactMoved", { name: contacts[i].name, n: i + by + 1 }));
    });
  };
  const fields = (c: ContactInput, set: Setter<ContactInput>, prefix: string) => (
    <div class="grid">
      <Text id={`${prefix}-name`} label={t("name")} value={c.name} set={(v) => set({ ...c, name: v ?? "" })} />
      <Text id={`${prefix}-relation`} label={t("relation")} value={c.relation} set={(v) => set({ ...c, relation: v ?? "" })} />
      <Text id={`${prefix}-phone`} label={t("phone")} value={c.phone} set={(v) => set({ ...c, phone: v ?? "" })} />
      <label class="check">
        <input type="checkbox" id={`${prefix}-key`} checked={c.key_person} onChange={(e) => set({ ...c, key_person: (e.target as HTMLInputElement).checked })} />{" "}
        {t("keyPerson")}
      </label>
    </div>
  );
  return (
    <section class="card" aria-labelledby="contacts-h" id="contacts-editor">
      <h2 id="contacts-h">{t("contacts")}</h2>
      <p class="muted small">{t("reorderHelp")}</p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <ol class="contacts editable">
        {contacts.map((c, i) => (
          <li
            key={`${i}-${c.name}`}
            id={`contact-${i}`}
            class="contact-row"
            tabIndex={0}
            aria-label={`${i + 1}. ${c.name}（${c.relation}）${c.phone}`}
            onKeyDown={(e) => {
              if (e.altKey && e.key === "ArrowUp") (e.preventDefault(), move(i, -1));
              if (e.altKey && e.key === "ArrowDown") (e.preventDefault(), move(i, 1));
            }}
          >
            {editing?.i === i ? (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  run(async () => {
                    await ok(commands.editContact(team, i, editing.c));
                    setEditing(null);
                    onDone(t("saved"));
                  });
                }}
              >
                {fields(editing.c, (c) => setEditing({ i, c }), `contact-edit-${i}`)}
                <button class="primary" disabled={busy}>
                  {t("saveChanges")}
                </button>
                <button type="button" onClick={() => setEditing(null)}>
                  {t("cancel")}
                </button>
              </form>
            ) : (
              <>
                <span class="name">
                  {c.name}（{c.relation}）{c.key_person && <span class="badge">{t("keyPerson")}</span>} {c.phone}
                </span>
                <span class="actions">
                  <button class="move-up" disabled={busy || i === 0} onClick={() => move(i, -1)} aria-label={`${t("moveUp")}: ${c.name}`}>
                    ↑
                  </button>
                  <button class="move-down" disabled={busy || i === contacts.length - 1} onClick={() => move(i, 1)} aria-label={`${t("moveDown")}: ${c.name}`}>
                    ↓
                  </button>
                  <button class="contact-edit" onClick={() => setEditing({ i, c: { ...c } })}>
                    {t("edit")}
                  </button>
                  <button
                    class="contact-remove"
                    onClick={() =>
                      run(async () => {
                        await ok(commands.removeContact(team, i));
                        onDone(t("saved"));
                      })
                    }
                  >
                    {t("removeContact")}
                  </button>
                </span>
              </>
            )}
          </li>
        ))}
      </ol>
      <form
        class="add-contact"
        onSubmit={(e) => {
          e.preventDefault();
          run(async () => {
            await ok(commands.addContact(team, adding));
            setAdding(emptyContact);
            onDone(t("saved"));
          });
        }}
      >
        <h3>{t("addContact")}</h3>
        {fields(adding, setAdding, "contact-add")}
        <button id="add-contact" disabled={busy || !adding.name.trim() || !adding.phone.trim()}>
          {t("addContact")}
        </button>
      </form>
      <span hidden>{shared.lang}</span>
    </section>
  );
}

const LIMITS = ["urgent_below", "attention_below", "attention_above", "urgent_above"] as const;
const LIMIT_LABEL: Record<(typeof LIMITS)[number], Key> = {
  urgent_below: "urgentBelow",
  attention_below: "attentionBelow",
  attention_above: "attentionAbove",
  urgent_above: "urgentAbove",
};

/** The patient's bands and the SpO2 scale 2 switch; the visit form's flags
 * and the chart's lines follow at once. */
function Bands({ team, form, onDone }: { team: string; form: ThresholdsForm; onDone: (m: string) => void }) {
  const { busy, error, run } = useRun();
  const [f, setF] = useState<ThresholdsForm>(form);
  useEffect(() => setF(form), [form]);
  const save = (next: ThresholdsForm) =>
    run(async () => {
      await ok(commands.setThresholds(team, next));
      onDone(t("saved"));
    });
  return (
    <section class="card" aria-labelledby="bands-h" id="thresholds-editor">
      <h2 id="bands-h">{t("thresholdsSection")}</h2>
      <label class="check">
        <input
          type="checkbox"
          id="spo2-scale2"
          checked={f.spo2_scale2}
          disabled={busy}
          onChange={(e) => {
            const next = { ...f, spo2_scale2: (e.target as HTMLInputElement).checked };
            setF(next);
            save(next);
          }}
        />{" "}
        {t("spo2Scale2")}
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save(f);
        }}
      >
        <table class="bands">
          <thead>
            <tr>
              <th />
              {LIMITS.map((l) => (
                <th scope="col">{t(LIMIT_LABEL[l])}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {f.bands.map((b, i) => (
              <tr key={b.field}>
                <th scope="row">{t(b.field as Key)}</th>
                {LIMITS.map((l) => (
                  <td>
                    <input
                      id={`band-${b.field}-${l}`}
                      class="num"
                      inputMode="decimal"
                      aria-label={`${t(b.field as Key)} ${t(LIMIT_LABEL[l])}`}
                      value={b[l] ?? ""}
                      disabled={b.field === "spo2" && f.spo2_scale2}
                      onInput={(e) => {
                        const raw = (e.target as HTMLInputElement).value.trim();
                        const v = raw === "" ? null : Number(raw);
                        setF({ ...f, bands: f.bands.map((x, j) => (j === i ? { ...x, [l]: v } : x)) });
                      }}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <button id="save-thresholds" disabled={busy}>
          {t("saveChanges")}
        </button>
      </form>
    </section>
  );
}

/** 利用終了: reason, date and a note, confirmed before it is written. */
function CloseCase({ shared, team }: { shared: Shared; team: string }) {
  const { vocab, lang, go } = shared;
  const { busy, error, run } = useRun();
  const today = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
  const [reason, setReason] = useState("hospital");
  const [date, setDate] = useState(today);
  const [note, setNote] = useState("");
  const [confirming, setConfirming] = useState(false);
  return (
    <section class="card" aria-labelledby="close-h" id="close-case-section">
      <h2 id="close-h">{t("closeSection")}</h2>
      <div class="grid">
        <label class="field">
          <span>{t("closeReason")}</span>
          <select id="close-reason" value={reason} onChange={(e) => setReason((e.target as HTMLSelectElement).value)}>
            {vocab.closure_reasons.map((c) => (
              <option value={c.code}>{c[lang]}</option>
            ))}
          </select>
        </label>
        <Text id="close-date" label={t("closeDate")} value={date} set={(v) => setDate(v ?? "")} />
        <Text id="close-note" label={t("closeNote")} value={note} set={(v) => setNote(v ?? "")} wide />
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {confirming ? (
        <p class="banner" role="alertdialog" aria-labelledby="close-confirm-text">
          <span id="close-confirm-text">{t("closeConfirm")}</span>{" "}
          <button
            class="danger"
            id="close-confirm"
            disabled={busy}
            onClick={() =>
              run(async () => {
                await ok(commands.closeCase(team, reason, date, note || null));
                go({ name: "record", team });
              })
            }
          >
            {t("confirm")}
          </button>{" "}
          <button onClick={() => setConfirming(false)}>{t("cancel")}</button>
        </p>
      ) : (
        <button class="danger" id="close-case" onClick={() => setConfirming(true)}>
          {t("closeCase")}
        </button>
      )}
    </section>
  );
}
