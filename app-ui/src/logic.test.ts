import { describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { BAND_COLOUR, chartSeries, contrast, filterNotes, filterPatients, flagText, idleExpired, isEmptyVisit, looksLikeRecoveryKey, moveContact, passphraseProblem, worst, yRange, NO_FILTER, NO_PATIENT_FILTER } from "./logic";
import { dictionaries, setLang, t } from "./i18n";
import { formatDate, formatIsoDate, formatTime, tokyoIso, telHref } from "./format";
import type { NoteView, VitalsView } from "./bindings";

const note = (over: Partial<NoteView>): NoteView => ({
  id: "n",
  text: "本日入浴介助。",
  category: "observation",
  urgency: "routine",
  author: "m",
  author_name: "佐藤 花子",
  profession: "nurse",
  organisation: "つばさ",
  written_at: 0,
  edits: 0,
  acks: [],
  acked_by_me: false,
  versions: [],
  sent: true,
  seen_by: [],
  shared_with_family: false,
  ...over,
});

const reading = (taken_at: number, systolic: number | null): VitalsView => ({
  id: String(taken_at),
  taken_at,
  author_name: "佐藤 花子",
  systolic,
  diastolic: null,
  pulse: null,
  temperature: null,
  spo2: null,
  oxygen: null,
  respiratory_rate: null,
  weight: null,
  glucose: null,
  glucose_flag: null,
  pain: null,
  consciousness: null,
  flags: [],
  news2: null,
  sent: true,
});

describe("timeline filter", () => {
  const notes = [
    note({ id: "1", profession: "nurse", urgency: "urgent" }),
    note({ id: "2", profession: "doctor", category: "instruction" }),
    note({ id: "3", profession: "pharmacist", category: "report" }),
  ];
  it("keeps everything with no filter", () => expect(filterNotes(notes, NO_FILTER)).toHaveLength(3));
  it("filters by profession, category and urgency together", () => {
    expect(filterNotes(notes, { ...NO_FILTER, profession: "doctor" }).map((n) => n.id)).toEqual(["2"]);
    expect(filterNotes(notes, { ...NO_FILTER, urgency: "urgent" }).map((n) => n.id)).toEqual(["1"]);
    expect(filterNotes(notes, { profession: "doctor", category: "report", urgency: "" })).toEqual([]);
  });
});

describe("chart series", () => {
  it("sorts by time, skips missing readings and draws the patient's bands", () => {
    const s = chartSeries([reading(3000, 140), reading(1000, 120), reading(2000, null)], "systolic", [
      { field: "systolic", attention_below: 101, attention_above: 180, urgent_below: 91, urgent_above: null },
    ]);
    expect(s.x).toEqual([1, 3]);
    expect(s.y).toEqual([120, 140]);
    expect(s.bands).toEqual([
      { value: 101, level: "attention" },
      { value: 180, level: "attention" },
      { value: 91, level: "urgent" },
    ]);
  });
});

describe("chart range", () => {
  it("keeps the band lines in view even when every reading is normal", () => {
    const [lo, hi] = yRange({ x: [1, 2], y: [96, 97], bands: [{ value: 92, level: "urgent" }] });
    expect(lo).toBeLessThan(92);
    expect(hi).toBeGreaterThan(97);
  });
  it("copes with no readings", () => expect(yRange({ x: [], y: [], bands: [] })).toEqual([0, 1]));
});

describe("flags", () => {
  it("words a flag in the current language, HI/LO for off-scale glucose", () => {
    setLang("ja");
    expect(flagText({ field: "spo2", value: "89", level: "urgent" })).toBe("SpO2 89 — 緊急域");
    expect(flagText({ field: "glucose", value: "HI", level: "urgent" })).toBe("血糖 HI — 緊急域");
    setLang("en");
    expect(flagText({ field: "pulse", value: "120", level: "attention" })).toBe("Pulse 120 — attention");
    setLang("ja");
  });
  it("takes the worst level for the badge", () => {
    expect(worst([])).toBe("");
    expect(worst([{ field: "pulse", value: "1", level: "attention" }, { field: "spo2", value: "1", level: "urgent" }])).toBe(
      "urgent",
    );
  });
  it("knows an empty visit", () => {
    expect(isEmptyVisit({ bp: " ", pulse: null }, "", [])).toBe(true);
    expect(isEmptyVisit({ bp: "120/80" }, "", [])).toBe(false);
    expect(isEmptyVisit({}, "", ["t"])).toBe(false);
  });
});

describe("i18n", () => {
  it("has every key in both languages, none empty", () => {
    const ja = Object.keys(dictionaries.ja).sort();
    expect(Object.keys(dictionaries.en).sort()).toEqual(ja);
    for (const l of ["ja", "en"] as const) for (const k of ja) expect((dictionaries[l] as any)[k]).not.toBe("");
  });
  it("fills parameters", () => {
    expect(t("pending", { n: 3 }, "ja")).toBe("送信待ち 3件");
    expect(t("pending", { n: 3 }, "en")).toBe("3 waiting to send");
  });
});

describe("dates as Japanese users read them", () => {
  // 2026-11-24 00:30 in Tokyo is still the 23rd in UTC.
  const lateNight = Date.UTC(2026, 10, 23, 15, 30);
  it("shows Tokyo's calendar day and time whatever the laptop's zone", () => {
    expect(tokyoIso(lateNight)).toBe("2026-11-24");
    expect(formatTime(lateNight)).toBe("00:30");
    expect(formatDate(lateNight, "ja")).toBe("2026年11月24日(火)");
  });
  it("offers the Japanese era", () => {
    expect(formatDate(lateNight, "ja", true)).toBe("令和8年11月24日(火)");
    expect(formatIsoDate("1940-12-01", "ja", true)).toBe("昭和15年12月1日(日)");
  });
  it("makes phone numbers callable", () => {
    expect(telHref("03-0000-1234")).toBe("tel:03-0000-1234");
    expect(telHref("(03) 0000 1234")).toBe("tel:0300001234");
    expect(telHref("+81 90-1111-2222")).toBe("tel:+8190-1111-2222");
  });
});

describe("patient list filters", () => {
  const p = (over: Partial<{ care_level: string | null; my_tasks_due: number; urgent: number; closed: boolean }>) => ({
    care_level: "care-3",
    my_tasks_due: 0,
    urgent: 0,
    closed: false,
    ...over,
  });
  it("shows open cases by default and closed ones only under closed", () => {
    const list = [p({}), p({ closed: true }), p({ care_level: "care-5", urgent: 1 }), p({ my_tasks_due: 2 })];
    expect(filterPatients(list, NO_PATIENT_FILTER)).toHaveLength(3);
    expect(filterPatients(list, { ...NO_PATIENT_FILTER, closed: true })).toEqual([list[1]]);
    expect(filterPatients(list, { ...NO_PATIENT_FILTER, careLevel: "care-5" })).toEqual([list[2]]);
    expect(filterPatients(list, { ...NO_PATIENT_FILTER, urgent: true })).toEqual([list[2]]);
    expect(filterPatients(list, { ...NO_PATIENT_FILTER, myTasks: true })).toEqual([list[3]]);
  });
});

describe("moving a contact in the calling order", () => {
  it("swaps with the neighbour and never loses anyone", () => {
    expect(moveContact(3, 0, 1)).toEqual([1, 0, 2]);
    expect(moveContact(3, 2, -1)).toEqual([0, 2, 1]);
    expect(moveContact(3, 0, -1)).toBeNull();
    expect(moveContact(3, 2, 1)).toBeNull();
    expect([...moveContact(4, 1, 1)!].sort()).toEqual([0, 1, 2, 3]);
  });
});

describe("every visible string goes through the i18n layer", () => {
  // JSX text and the text attributes a user sees (placeholder, title,
  // aria-label, alt) must come from t(); a letter or kana written straight
  // into a screen is a literal the English screen would show in Japanese
  // (or the other way round). Numbers and punctuation pass.
  const visible = /[A-Za-z\u3041-\u30fa\u4e00-\u9fff]/;
  // Shown as they are in every language: a language's own name, and
  // example values of technical fields.
  const allowed = new Set(["日本語", "English", "URL", 'placeholder="https://192.168.1.10:8443"', 'placeholder="3f9c-81aa-…"', 'placeholder="ABCD-EFGH-…"']);
  const literals = (name: string, src: string): string[] => {
    const out: string[] = [];
    const file = ts.createSourceFile(name, src, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
    const walk = (node: ts.Node) => {
      if (ts.isJsxText(node) && visible.test(node.text) && !allowed.has(node.text.trim())) out.push(`${name}: ${node.text.trim()}`);
      if (
        ts.isJsxAttribute(node) &&
        ["placeholder", "title", "aria-label", "alt"].includes(node.name.getText(file)) &&
        node.initializer &&
        ts.isStringLiteral(node.initializer) &&
        visible.test(node.initializer.text) &&
        !allowed.has(node.getText(file))
      )
        out.push(`${name}: ${node.getText(file)}`);
      ts.forEachChild(node, walk);
    };
    walk(file);
    return out;
  };
  it("has no literal text in the screens", () => {
    const dir = path.join(__dirname, "screens");
    const files = [...fs.readdirSync(dir).map((f) => path.join(dir, f)), path.join(__dirname, "main.tsx")];
    const offenders = files.filter((f) => f.endsWith(".tsx")).flatMap((f) => literals(path.basename(f), fs.readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
  });
  it("catches a literal", () => {
    expect(literals("x.tsx", `const a = <p>保存 <b>{t("x")}</b></p>; const b = <input placeholder="Name" />;`)).toHaveLength(2);
    expect(literals("x.tsx", `const a = <p>{t("x")}（{n}）</p>;`)).toEqual([]);
  });
});

describe("contrast (WCAG AA, 4.5:1 for text)", () => {
  // The pairs of text and background the screens use, with the theme's
  // colours read from style.css so a change there is checked here.
  const css = fs.readFileSync(path.join(__dirname, "style.css"), "utf8");
  const v = (name: string) => css.match(new RegExp(`--${name}:\\s*(#[0-9a-fA-F]{6})`))![1];
  const pairs: [string, string, string][] = [
    ["ink on background", v("ink"), v("bg")],
    ["muted on white", v("muted"), "#ffffff"],
    ["muted on background", v("muted"), v("bg")],
    ["brand links and buttons on white", v("brand"), "#ffffff"],
    ["white on brand buttons", "#ffffff", v("brand")],
    ["urgent text on white", v("urgent"), "#ffffff"],
    ["white on urgent badges", "#ffffff", v("urgent")],
    ["attention text on white", v("attention"), "#ffffff"],
    ["chart legend: attention", BAND_COLOUR.attention, "#ffffff"],
    ["chart legend: urgent", BAND_COLOUR.urgent, "#ffffff"],
    ["warn badge", "#744210", "#fefcbf"],
    ["mine badge", "#22543d", "#c6f6d5"],
    ["sent badge", "#234e52", "#e6fffa"],
    ["DNAR badge", "#ffffff", "#2d3748"],
    ["danger button", "#ffffff", "#b42318"],
  ];
  it.each(pairs)("%s", (_name, fg, bg) => {
    expect(contrast(fg, bg)).toBeGreaterThanOrEqual(4.5);
  });
  it("fails a pale pair", () => {
    expect(contrast("#b7791f", "#ffffff")).toBeLessThan(4.5);
  });
});

describe("the idle lock", () => {
  const t0 = 1_000_000;
  it("locks once the window has been idle for the set minutes", () => {
    expect(idleExpired(t0, t0 + 59_999, 1)).toBe(false);
    expect(idleExpired(t0, t0 + 60_000, 1)).toBe(true);
    expect(idleExpired(t0, t0 + 29 * 60_000, 30)).toBe(false);
    expect(idleExpired(t0, t0 + 30 * 60_000, 30)).toBe(true);
  });
  it("takes five minutes when the setting is unknown or out of range", () => {
    for (const m of [null, undefined, 0, -3, 61, NaN]) {
      expect(idleExpired(t0, t0 + 4 * 60_000, m)).toBe(false);
      expect(idleExpired(t0, t0 + 5 * 60_000, m)).toBe(true);
    }
  });
  it("does not lock on activity just now", () => expect(idleExpired(t0, t0, 1)).toBe(false));
});

describe("passphrases", () => {
  it("wants eight characters, typed the same twice", () => {
    expect(passphraseProblem("short", "short")).toBe("passTooShort");
    expect(passphraseProblem("つなぎの合言葉です", "つなぎの合言葉です")).toBeNull();
    expect(passphraseProblem("correct horse battery", "correct horse batter")).toBe("passMismatch");
    expect(passphraseProblem("correct horse battery", "correct horse battery")).toBeNull();
  });
  it("knows a recovery key's shape", () => {
    expect(looksLikeRecoveryKey("ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567")).toBe(true);
    expect(looksLikeRecoveryKey(" abcd-efgh-ijkl-mnop-qrst-uvwx-yz23-4567 ")).toBe(true);
    expect(looksLikeRecoveryKey("ABCD-EFGH")).toBe(false);
  });
});
