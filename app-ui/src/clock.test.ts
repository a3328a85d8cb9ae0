import { afterEach, describe, expect, it, vi } from "vitest";
import {
  chooseNurse,
  codeForm,
  debounce,
  diagnosisForms,
  dutyDraft,
  dutyForm,
  escalationMinutes,
  instructionBadge,
  instructionDue,
  instructionField,
  isoWeekday,
  monthDay,
  nextEscalation,
  stageText,
} from "./clock";
import { setLang } from "./i18n";

// 2026-11-24 14:00 in Tokyo.
const now = Date.UTC(2026, 10, 24, 5, 0);
const min = 60_000;
const item = (stage: string, over: Partial<{ reached_on_call: boolean; reached_admins: boolean }> = {}) => ({
  stage,
  on_call_at: now + 12 * min,
  admins_at: now + 42 * min,
  reached_on_call: false,
  reached_admins: false,
  ...over,
});

afterEach(() => setLang("ja"));

describe("an urgent item's escalation in words", () => {
  it("counts down to the on-call step while waiting", () => {
    setLang("ja");
    expect(stageText(item("waiting"), now)).toBe("未確認（あと 12 分で当番へ）");
    expect(stageText(item("waiting"), now + 11 * min + 1)).toBe("未確認（あと 1 分で当番へ）");
    expect(stageText(item("waiting"), now + 13 * min)).toBe("未確認（まもなく当番へ）");
  });
  it("says when the on-call nurse and the admins were told, in Japan time", () => {
    setLang("ja");
    const told = { ...item("on-call"), on_call_at: now - 3 * min };
    expect(stageText(told, now)).toBe("当番へ通知 13:57");
    expect(stageText({ ...item("admins"), admins_at: now }, now)).toBe("管理者へ通知 14:00");
  });
  it("says an acknowledged item was acknowledged, and whom it reached first", () => {
    setLang("ja");
    expect(stageText(item("acknowledged"), now)).toBe("確認済み");
    expect(stageText(item("acknowledged", { reached_on_call: true }), now)).toBe("確認済み（当番へ通知済み）");
    expect(stageText(item("acknowledged", { reached_on_call: true, reached_admins: true }), now)).toBe(
      "確認済み（当番へ通知済み）（管理者へ通知済み）",
    );
  });
  it("words every stage in English too", () => {
    setLang("en");
    expect(stageText(item("waiting"), now)).toBe("Not acknowledged (to the on-call nurse in 12 min)");
    expect(stageText(item("on-call"), now)).toBe("On-call nurse told 14:12");
    expect(stageText(item("admins"), now)).toBe("Admins told 14:42");
    expect(stageText(item("acknowledged", { reached_on_call: true }), now)).toBe("Acknowledged (the on-call nurse was told)");
  });
  it("shows nothing for a stage it does not know", () => expect(stageText(item("later"), now)).toBe(""));
  it("knows when the next step falls due", () => {
    expect(nextEscalation([item("waiting"), item("on-call"), item("acknowledged")], now)).toBe(now + 12 * min);
    expect(nextEscalation([item("on-call")], now)).toBe(now + 42 * min);
    // Past steps (the clock has not caught up yet) do not loop the reload.
    expect(nextEscalation([item("waiting")], now + 20 * min)).toBeNull();
    expect(nextEscalation([item("admins"), item("acknowledged")], now)).toBeNull();
  });
});

describe("where the doctor's instruction stands", () => {
  it("words each state, Today showing only what needs doing", () => {
    setLang("ja");
    expect(instructionBadge({ state: "none", date: null })).toEqual({ text: "指示書なし", level: "warn" });
    expect(instructionBadge({ state: "ends-soon", date: "2026-12-01" })).toEqual({ text: "指示書 期限 12/1", level: "warn" });
    expect(instructionBadge({ state: "ended", date: "2026-11-20" })).toEqual({ text: "指示書切れ", level: "urgent" });
    expect(instructionBadge({ state: "valid", date: "2027-03-31" })).toBeNull();
    expect(instructionBadge({ state: "not-yet", date: "2026-12-01" })).toBeNull();
  });
  it("shows the valid and later ones on the instruction screen", () => {
    setLang("ja");
    expect(instructionBadge({ state: "valid", date: "2027-03-31" }, true)?.text).toBe("指示書 3/31 まで");
    expect(instructionBadge({ state: "not-yet", date: "2026-12-01" }, true)?.text).toBe("指示書 12/1 から");
    setLang("en");
    expect(instructionBadge({ state: "ended", date: null })?.text).toBe("Instruction expired");
    expect(instructionBadge({ state: "ends-soon", date: "2026-12-01" })?.text).toBe("Instruction ends 12/1");
  });
  it("lists ending and ended ones for renewal", () => {
    expect(["none", "valid", "ends-soon", "ended", "not-yet"].filter((state) => instructionDue({ state, date: null }))).toEqual([
      "ends-soon",
      "ended",
    ]);
    expect(monthDay("2027-01-09")).toBe("1/9");
    expect(monthDay(null)).toBe("");
  });
});

describe("a rota row", () => {
  const members = [
    { id: "m1", name: "佐藤 花子", phone: "090-1111-2222" },
    { id: "m2", name: "田中 一郎", phone: null },
  ];
  it("sends the chosen member with her name and the day's phone, the 待機医 by name", () => {
    const draft = { nurse: "m1", phone: " 090-1111-2222 ", doctor: " みどり在宅クリニック ", doctorPhone: "03-0000-9999" };
    expect(dutyForm(draft, members)).toEqual({
      nurse: { member: "m1", name: "佐藤 花子", organisation: null, phone: "090-1111-2222", fax: null },
      doctor: { member: null, name: "みどり在宅クリニック", organisation: null, phone: "03-0000-9999", fax: null },
    });
  });
  it("sends nobody for an empty row (which clears the day) and for a member no longer there", () => {
    expect(dutyForm({ nurse: "", phone: "090", doctor: " ", doctorPhone: "03" }, members)).toEqual({ nurse: null, doctor: null });
    expect(dutyForm({ nurse: "gone", phone: "", doctor: "", doctorPhone: "" }, members).nurse).toBeNull();
  });
  it("keeps someone on call from outside the station", () => {
    const stored = { nurse: { member: null, name: "応援 看護師", organisation: "ひかり", phone: "080", fax: null }, doctor: null };
    const draft = dutyDraft(stored);
    expect(draft).toEqual({ nurse: "outside:応援 看護師", phone: "080", doctor: "", doctorPhone: "" });
    expect(dutyForm(draft, members).nurse).toEqual({ member: null, name: "応援 看護師", organisation: null, phone: "080", fax: null });
  });
  it("fills the member's phone when she is chosen, unless a phone was typed", () => {
    const empty = dutyDraft(null);
    expect(chooseNurse(empty, "m1", members).phone).toBe("090-1111-2222");
    expect(chooseNurse({ ...empty, nurse: "m1", phone: "090-1111-2222" }, "m2", members).phone).toBe("");
    expect(chooseNurse({ ...empty, nurse: "m2", phone: "070-5555-6666" }, "m1", members).phone).toBe("070-5555-6666");
  });
  it("knows the weekday of a date (1 = Monday)", () => {
    expect(isoWeekday("2026-11-23")).toBe(1);
    expect(isoWeekday("2026-11-29")).toBe(7);
    expect(isoWeekday("2026-12-05")).toBe(6);
  });
});

describe("the instruction form", () => {
  it("sends codes picked from the master with their version, typed ones as manual", () => {
    expect(codeForm({ code: "4280012", icd10: "I509", master: "20240601" })).toEqual({
      code: "4280012",
      modifiers: [],
      icd10: "I509",
      master: "20240601",
    });
    expect(codeForm({ code: " 0000999 ", icd10: null, master: null })).toEqual({ code: "0000999", modifiers: [], icd10: null, master: "manual" });
    expect(codeForm({ code: "", icd10: null, master: null })).toBeNull();
  });
  it("leaves out rows with no name", () => {
    const rows = [
      { name: " 慢性心不全 ", code: "4280012", icd10: "I509", master: "20240601" },
      { name: "", code: "", icd10: null, master: null },
      { name: "糖尿病", code: "", icd10: null, master: null },
    ];
    expect(diagnosisForms(rows)).toEqual([
      { name: "慢性心不全", code: { code: "4280012", modifiers: [], icd10: "I509", master: "20240601" } },
      { name: "糖尿病", code: null },
    ]);
  });
  it("points an error at its field", () => {
    expect(instructionField("end")).toBe("ins-end");
    expect(instructionField("emergency_contact")).toBe("ins-emergency");
    expect(instructionField("disease_code")).toBe("ins-dx-code-0");
    expect(instructionField("unknown")).toBeNull();
    expect(instructionField(null)).toBeNull();
  });
});

describe("team settings", () => {
  it("takes whole minutes from 1 to 1440", () => {
    expect(escalationMinutes(" 15 ")).toBe(15);
    expect(escalationMinutes("1440")).toBe(1440);
    for (const bad of ["0", "1441", "", "2.5", "-3", "abc"]) expect(escalationMinutes(bad)).toBeNull();
  });
});

describe("debounce", () => {
  it("calls once, with the last arguments, after the quiet time", () => {
    vi.useFakeTimers();
    const f = vi.fn();
    const d = debounce(f, 250);
    d("a");
    vi.advanceTimersByTime(200);
    d("ab");
    vi.advanceTimersByTime(249);
    expect(f).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(f).toHaveBeenCalledTimes(1);
    expect(f).toHaveBeenCalledWith("ab");
    d("abc");
    d.cancel();
    vi.advanceTimersByTime(1000);
    expect(f).toHaveBeenCalledTimes(1);
    vi.useRealTimers();
  });
});
