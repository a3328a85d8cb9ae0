import { useEffect, useRef, useState } from "preact/hooks";
import type { MemberView, RotaView } from "../bindings";
import { commands, message, ok } from "../api";
import { t } from "../i18n";
import { formatIsoDate } from "../format";
import { useLoad } from "../hooks";
import { chooseNurse, dutyDraft, dutyForm, isoWeekday, OUTSIDE, type DutyDraft } from "../clock";
import type { Shared } from "../state";
import { OnCallCard, PersonLine } from "./OnCallBox";
import { weekdayName } from "./RecordPlans";

const WEEK = [1, 2, 3, 4, 5, 6, 7];

type Status = { text: string; ok: boolean } | null;

/** The status line under a station's rota: 保存しました, or the error. */
function StatusLine({ id, status }: { id: string; status: Status }) {
  return (
    <p id={id} role="status" aria-live="polite" class={status ? (status.ok ? "saved" : "error") : ""}>
      {status?.text ?? ""}
    </p>
  );
}

/** The nurse on call: one of the station's members (or nobody). */
function NurseSelect({
  id,
  label,
  value,
  members,
  disabled,
  set,
}: {
  id: string;
  label: string;
  value: string;
  members: MemberView[];
  disabled: boolean;
  set: (member: string) => void;
}) {
  return (
    <select id={id} aria-label={label} value={value} disabled={disabled} onChange={(e) => set((e.target as HTMLSelectElement).value)}>
      <option value="">{t("nobodyOnCall")}</option>
      {members.map((m) => (
        <option key={m.id} value={m.id}>
          {m.name}
        </option>
      ))}
      {value.startsWith(OUTSIDE) && <option value={value}>{value.slice(OUTSIDE.length)}</option>}
    </select>
  );
}

/** Text typed into a rota field. */
function Cell({ id, label, value, disabled, set }: { id: string; label: string; value: string; disabled: boolean; set: (v: string) => void }) {
  return <input id={id} aria-label={label} value={value} disabled={disabled} onInput={(e) => set((e.target as HTMLInputElement).value)} />;
}

/** Every station on this laptop, or the form that starts one. */
export function OnCall({ shared }: { shared: Shared }) {
  const { revision } = shared;
  const { data, error, reload } = useLoad(() => ok(commands.rotas()), [revision]);
  if (error) return <p class="error" role="alert">{error}</p>;
  if (!data) return <p class="muted">…</p>;
  return (
    <div class="oncall" id="oncall">
      <h1>{t("onCallTitle")}</h1>
      {data.length === 0 ? (
        <CreateStation done={reload} />
      ) : (
        data.map((r, i) => <Rota key={r.team} shared={shared} rota={r} suffix={i === 0 ? "" : `-${i + 1}`} reload={reload} />)
      )}
    </div>
  );
}

function CreateStation({ done }: { done: () => void }) {
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<Status>(null);
  const create = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setStatus(null);
    try {
      await ok(commands.createStation(name));
      done();
    } catch (err) {
      setStatus({ text: message(err), ok: false });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="no-rota-h">
      <h2 id="no-rota-h">{t("noRotaYet")}</h2>
      <p>{t("createStationHelp")}</p>
      <form class="row" onSubmit={create}>
        <label class="field wide">
          <span>{t("stationName")}</span>
          <input id="station-name" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </label>
        <button class="primary" id="create-station" disabled={busy || !name.trim()}>
          {t("createStation")}
        </button>
      </form>
      <StatusLine id="rota-status" status={status} />
    </section>
  );
}

/** One station's rota: who is on call now, the 24-hour phone and the
 * handover time, the week, and dated overrides. Its admins edit it. */
function Rota({ shared, rota, suffix: s, reload }: { shared: Shared; rota: RotaView; suffix: string; reload: () => void }) {
  const { lang, go } = shared;
  const readOnly = !rota.admin;
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);
  const [phone, setPhone] = useState(rota.phone ?? "");
  const [handover, setHandover] = useState(rota.handover);
  const [week, setWeek] = useState<DutyDraft[]>(() => rota.weekly.map(dutyDraft));
  // Another laptop changed a day: that row shows it (rows being typed in stay).
  const stored = useRef(rota.weekly.map((d) => JSON.stringify(d)));
  useEffect(() => {
    const now = rota.weekly.map((d) => JSON.stringify(d));
    setWeek((w) => w.map((draft, i) => (now[i] !== stored.current[i] ? dutyDraft(rota.weekly[i]) : draft)));
    stored.current = now;
  }, [rota]);

  const save = async (f: () => Promise<unknown>) => {
    setBusy(true);
    setStatus(null);
    try {
      await f();
      setStatus({ text: t("saved"), ok: true });
      reload();
    } catch (err) {
      setStatus({ text: message(err), ok: false });
    } finally {
      setBusy(false);
    }
  };
  const setDay = (d: number, draft: DutyDraft) => setWeek(week.map((x, i) => (i === d - 1 ? draft : x)));

  return (
    <section class="rota" id={`rota${s}`} data-team={rota.team} aria-labelledby={`rota-h${s}`}>
      <h2 id={`rota-h${s}`}>{rota.station}</h2>
      <div class="on-call-now card">
        <h3>{t("onCallNow")}</h3>
        <OnCallCard o={rota.now} lang={lang} id={`on-call-now${s}`} />
      </div>
      <p class="muted small">{t("rotaShareHelp")}</p>
      <div class="actions">
        <button id={`station-invite${s}`} onClick={() => go({ name: "team", team: rota.team, station: true })}>
          {t("stationInvite")}
        </button>
      </div>
      {readOnly && (
        <p class="banner" role="note" id={`rota-readonly${s}`}>
          {t("rotaAdminsOnly")}
        </p>
      )}
      <form
        class="row rota-basics"
        onSubmit={(e) => {
          e.preventDefault();
          save(() => ok(commands.setRotaBasics(rota.team, phone.trim() || null, handover.trim())));
        }}
      >
        <label class="field">
          <span>{t("stationPhone")}</span>
          <input id={`rota-phone${s}`} type="tel" value={phone} disabled={readOnly} onInput={(e) => setPhone((e.target as HTMLInputElement).value)} />
        </label>
        <label class="field">
          <span>{t("handoverTime")}</span>
          <input id={`rota-handover${s}`} inputMode="numeric" value={handover} disabled={readOnly} onInput={(e) => setHandover((e.target as HTMLInputElement).value)} />
        </label>
        {!readOnly && (
          <button id={`save-rota-basics${s}`} disabled={busy}>
            {t("saveShort")}
          </button>
        )}
      </form>
      <p class="muted small">{t("handoverHelp")}</p>
      <h3>{t("weeklyRota")}</h3>
      <table class="rota-table" id={`rota-weekly${s}`}>
        <thead>
          <tr>
            <th>{t("weekday")}</th>
            <th>{t("onCallNurse")}</th>
            <th>{t("nursePhone")}</th>
            <th>{t("standbyDoctor")}</th>
            <th>{t("standbyDoctorPhone")}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {WEEK.map((d) => {
            const draft = week[d - 1] ?? dutyDraft(null);
            const day = weekdayName(d);
            return (
              <tr key={d} data-weekday={d}>
                <th scope="row">{day}</th>
                <td>
                  <NurseSelect
                    id={`duty-nurse-${d}${s}`}
                    label={`${day} ${t("onCallNurse")}`}
                    value={draft.nurse}
                    members={rota.members}
                    disabled={readOnly}
                    set={(m) => setDay(d, chooseNurse(draft, m, rota.members))}
                  />
                </td>
                <td>
                  <Cell id={`duty-phone-${d}${s}`} label={`${day} ${t("nursePhone")}`} value={draft.phone} disabled={readOnly} set={(v) => setDay(d, { ...draft, phone: v })} />
                </td>
                <td>
                  <Cell id={`duty-doctor-${d}${s}`} label={`${day} ${t("standbyDoctor")}`} value={draft.doctor} disabled={readOnly} set={(v) => setDay(d, { ...draft, doctor: v })} />
                </td>
                <td>
                  <Cell
                    id={`duty-doctor-phone-${d}${s}`}
                    label={`${day} ${t("standbyDoctorPhone")}`}
                    value={draft.doctorPhone}
                    disabled={readOnly}
                    set={(v) => setDay(d, { ...draft, doctorPhone: v })}
                  />
                </td>
                <td>
                  {!readOnly && (
                    <button id={`save-duty-${d}${s}`} disabled={busy} onClick={() => save(() => ok(commands.setDuty(rota.team, d, null, dutyForm(draft, rota.members))))}>
                      {t("saveShort")}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <StatusLine id={`rota-status${s}`} status={status} />
      <Overrides rota={rota} suffix={s} week={week} readOnly={readOnly} busy={busy} save={save} setStatus={setStatus} lang={lang} />
    </section>
  );
}

/** Dated overrides of the week (a swap, a holiday): the form and the list. */
function Overrides({
  rota,
  suffix: s,
  week,
  readOnly,
  busy,
  save,
  setStatus,
  lang,
}: {
  rota: RotaView;
  suffix: string;
  week: DutyDraft[];
  readOnly: boolean;
  busy: boolean;
  save: (f: () => Promise<unknown>) => Promise<void>;
  setStatus: (s: Status) => void;
  lang: Shared["lang"];
}) {
  const [date, setDate] = useState("");
  const [draft, setDraft] = useState<DutyDraft>(dutyDraft(null));
  // The 待機医 of the day follows the week until one is typed.
  const [doctorTyped, setDoctorTyped] = useState(false);
  const pickDate = (v: string) => {
    setDate(v);
    if (!doctorTyped && /^\d{4}-\d{2}-\d{2}$/.test(v)) {
      const usual = week[isoWeekday(v) - 1] ?? dutyDraft(null);
      setDraft((x) => ({ ...x, doctor: usual.doctor, doctorPhone: usual.doctorPhone }));
    }
  };
  const submit = () => {
    if (!date) return setStatus({ text: t("overrideNeedsDate"), ok: false });
    save(async () => {
      await ok(commands.setDuty(rota.team, null, date, dutyForm(draft, rota.members)));
      setDate("");
      setDraft(dutyDraft(null));
      setDoctorTyped(false);
    });
  };
  return (
    <>
      <h3>{t("overrides")}</h3>
      <p class="muted small">{t("overridesHelp")}</p>
      {!readOnly && (
        <form
          class="row override-form"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <label class="field">
            <span>{t("overrideDate")}</span>
            <input
              id={`override-date${s}`}
              type="date"
              value={date}
              onInput={(e) => pickDate((e.target as HTMLInputElement).value)}
              onChange={(e) => pickDate((e.target as HTMLInputElement).value)}
            />
          </label>
          <label class="field">
            <span>{t("onCallNurse")}</span>
            <NurseSelect
              id={`override-nurse${s}`}
              label={t("onCallNurse")}
              value={draft.nurse}
              members={rota.members}
              disabled={false}
              set={(m) => setDraft(chooseNurse(draft, m, rota.members))}
            />
          </label>
          <label class="field">
            <span>{t("nursePhone")}</span>
            <input id={`override-phone${s}`} value={draft.phone} onInput={(e) => setDraft({ ...draft, phone: (e.target as HTMLInputElement).value })} />
          </label>
          <label class="field">
            <span>{t("standbyDoctor")}</span>
            <input
              id={`override-doctor${s}`}
              value={draft.doctor}
              onInput={(e) => {
                setDoctorTyped(true);
                setDraft({ ...draft, doctor: (e.target as HTMLInputElement).value });
              }}
            />
          </label>
          <label class="field">
            <span>{t("standbyDoctorPhone")}</span>
            <input
              id={`override-doctor-phone${s}`}
              value={draft.doctorPhone}
              onInput={(e) => {
                setDoctorTyped(true);
                setDraft({ ...draft, doctorPhone: (e.target as HTMLInputElement).value });
              }}
            />
          </label>
          <button id={`save-override${s}`} disabled={busy}>
            {t("saveOverride")}
          </button>
        </form>
      )}
      {rota.overrides.length === 0 ? (
        <p class="muted">{t("noOverrides")}</p>
      ) : (
        <ul class="overrides" id={`overrides${s}`}>
          {rota.overrides.map((o) => (
            <li key={o.date} class="override" data-date={o.date}>
              <strong>{formatIsoDate(o.date, lang)}</strong>{" "}
              <span class="muted">{t("onCallNurse")}: </span>
              {o.duty.nurse ? <PersonLine person={o.duty.nurse} /> : <span class="muted">{t("nobodyOnCall")}</span>}{" "}
              {o.duty.doctor && (
                <>
                  <span class="muted">{t("standbyDoctor")}: </span>
                  <PersonLine person={o.duty.doctor} />
                </>
              )}
              {!readOnly && (
                <button
                  class="link clear-override"
                  data-date={o.date}
                  disabled={busy}
                  onClick={() => save(() => ok(commands.setDuty(rota.team, null, o.date, { nurse: null, doctor: null })))}
                >
                  {t("clearOverride")}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
