// Around the clock, with no DOM and no Tauri: how an urgent item's
// escalation is worded, where the doctor's instruction stands, the duty a
// rota row sends, the diagnoses an instruction form sends, and a debounce
// for the master lookup. Unit-tested with Vitest (clock.test.ts).
import type { CodeForm, DiagnosisCodeForm, DutyForm, InstructionStateView, MemberView, PersonForm, UrgentItem } from "./bindings";
import { formatTime } from "./format";
import { t } from "./i18n";

type Escalation = Pick<UrgentItem, "stage" | "on_call_at" | "admins_at" | "reached_on_call" | "reached_admins">;

/** An urgent item's escalation in words: 未確認（あと 12 分で当番へ）,
 * 当番へ通知 14:05, 管理者へ通知 14:35, 確認済み（当番へ通知済み）. */
export function stageText(item: Escalation, now: number): string {
  switch (item.stage) {
    case "waiting": {
      const n = Math.ceil((item.on_call_at - now) / 60_000);
      return n > 0 ? t("stageWaiting", { n }) : t("stageWaitingSoon");
    }
    case "on-call":
      return t("stageOnCall", { time: formatTime(item.on_call_at) });
    case "admins":
      return t("stageAdmins", { time: formatTime(item.admins_at) });
    case "acknowledged":
      return (
        t("stageAcknowledged") +
        (item.reached_on_call ? t("stageReachedOnCall") : "") +
        (item.reached_admins ? t("stageReachedAdmins") : "")
      );
    default:
      return "";
  }
}

/** When the next step of any item's escalation falls due after `now`
 * (the screen reloads then), or null. */
export function nextEscalation(items: Escalation[], now: number): number | null {
  const due = items
    .map((i) => (i.stage === "waiting" ? i.on_call_at : i.stage === "on-call" ? i.admins_at : null))
    .filter((at): at is number => at != null && at > now);
  return due.length ? Math.min(...due) : null;
}

/** 2026-12-01 → 12/1 */
export function monthDay(iso: string | null): string {
  if (!iso) return "";
  const [, m, d] = iso.split("-").map(Number);
  return `${m}/${d}`;
}

export interface InstructionBadge {
  text: string;
  /** The badge's colour: `warn`, `urgent` or none. */
  level: "" | "warn" | "urgent";
}

/** The badge of the doctor's instruction: 指示書 期限 12/1, 指示書切れ,
 * 指示書なし. A valid one (or one that starts later) has a badge only when
 * `all` (the instruction screen); Today shows only what needs doing. */
export function instructionBadge(s: InstructionStateView, all = false): InstructionBadge | null {
  switch (s.state) {
    case "none":
      return { text: t("insStateNone"), level: "warn" };
    case "ends-soon":
      return { text: t("insStateEndsSoon", { date: monthDay(s.date) }), level: "warn" };
    case "ended":
      return { text: t("insStateEnded"), level: "urgent" };
    case "valid":
      return all ? { text: t("insStateValid", { date: monthDay(s.date) }), level: "" } : null;
    case "not-yet":
      return all ? { text: t("insStateNotYet", { date: monthDay(s.date) }), level: "warn" } : null;
    default:
      return null;
  }
}

/** Whether the instruction needs renewing (Today's 指示書 list). */
export function instructionDue(s: InstructionStateView): boolean {
  return s.state === "ends-soon" || s.state === "ended";
}

/** One rota row as typed: the nurse (a member's id, or `outside:<name>`
 * for someone put on call who is not a member), the phones, the 待機医. */
export interface DutyDraft {
  nurse: string;
  phone: string;
  doctor: string;
  doctorPhone: string;
}

export const OUTSIDE = "outside:";

/** The row's fields from the duty as stored. */
export function dutyDraft(d: DutyForm | null | undefined): DutyDraft {
  const n = d?.nurse;
  return {
    nurse: n ? (n.member ?? OUTSIDE + n.name) : "",
    phone: n?.phone ?? "",
    doctor: d?.doctor?.name ?? "",
    doctorPhone: d?.doctor?.phone ?? "",
  };
}

const blank = (s: string) => (s.trim() ? s.trim() : null);

/** The duty the row sends: the nurse by member (with the member's name),
 * the 待機医 by name; an empty row clears the day. */
export function dutyForm(draft: DutyDraft, members: Pick<MemberView, "id" | "name">[]): DutyForm {
  let nurse: PersonForm | null = null;
  if (draft.nurse.startsWith(OUTSIDE)) {
    const name = draft.nurse.slice(OUTSIDE.length).trim();
    if (name) nurse = { member: null, name, organisation: null, phone: blank(draft.phone), fax: null };
  } else if (draft.nurse) {
    const m = members.find((x) => x.id === draft.nurse);
    if (m) nurse = { member: m.id, name: m.name, organisation: null, phone: blank(draft.phone), fax: null };
  }
  const doctor: PersonForm | null = draft.doctor.trim()
    ? { member: null, name: draft.doctor.trim(), organisation: null, phone: blank(draft.doctorPhone), fax: null }
    : null;
  return { nurse, doctor };
}

/** A nurse chosen in a row: her phone follows unless one was typed for
 * the day (a phone that was the previous nurse's own is replaced). */
export function chooseNurse(draft: DutyDraft, member: string, members: Pick<MemberView, "id" | "phone">[]): DutyDraft {
  const phoneOf = (id: string) => members.find((m) => m.id === id)?.phone ?? "";
  const typed = draft.phone.trim() && draft.phone !== phoneOf(draft.nurse);
  return { ...draft, nurse: member, phone: typed ? draft.phone : phoneOf(member) };
}

/** 1 = Monday … 7 = Sunday of an ISO date. */
export function isoWeekday(iso: string): number {
  const [y, m, d] = iso.split("-").map(Number);
  const day = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return day === 0 ? 7 : day;
}

/** A diagnosis row of the instruction form: the name as the doctor wrote
 * it, the code, and (when picked from the master) its ICD-10 and version. */
export interface DiagnosisRow {
  name: string;
  code: string;
  icd10: string | null;
  master: string | null;
}

export const EMPTY_ROW: DiagnosisRow = { name: "", code: "", icd10: null, master: null };

/** The code a row sends: none without a code; typed by hand, `manual`. */
export function codeForm(row: Pick<DiagnosisRow, "code" | "icd10" | "master">): CodeForm | null {
  const code = row.code.trim();
  if (!code) return null;
  return { code, modifiers: [], icd10: row.icd10, master: row.master ?? "manual" };
}

/** The diagnoses the form sends (rows without a name are left out). */
export function diagnosisForms(rows: DiagnosisRow[]): DiagnosisCodeForm[] {
  return rows.filter((r) => r.name.trim()).map((r) => ({ name: r.name.trim(), code: codeForm(r) }));
}

/** The form field an instruction error is about (AppError.field). */
export function instructionField(field: string | null): string | null {
  const ids: Record<string, string> = {
    kind: "ins-kind",
    issued_on: "ins-issued",
    start: "ins-start",
    end: "ins-end",
    doctor: "ins-doctor",
    phone: "ins-phone",
    fax: "ins-fax",
    diagnoses: "ins-dx-0",
    diagnosis: "ins-dx-0",
    disease_code: "ins-dx-code-0",
    bedridden: "ins-bedridden",
    dementia: "ins-dementia",
    device: "ins-devices",
    directions: "ins-directions",
    emergency_contact: "ins-emergency",
  };
  return field ? (ids[field] ?? null) : null;
}

/** `f` called once `ms` after the last call; `cancel` drops a waiting call. */
export function debounce<A extends unknown[]>(f: (...args: A) => void, ms: number): ((...args: A) => void) & { cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const call = (...args: A) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      f(...args);
    }, ms);
  };
  return Object.assign(call, {
    cancel: () => {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  });
}

/** The escalation interval as typed: whole minutes, 1 to 1440 (a day), or null. */
export function escalationMinutes(text: string): number | null {
  const s = text.trim();
  if (!/^\d+$/.test(s)) return null;
  const n = Number(s);
  return n >= 1 && n <= 1440 ? n : null;
}
