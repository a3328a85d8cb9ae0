// Front-end logic with no DOM and no Tauri: filtering, chart series, flag
// wording. Unit-tested with Vitest (logic.test.ts).
import type { BandView, FlagView, NoteView, VitalsView } from "./bindings";
import { t, type Key } from "./i18n";

export interface TimelineFilter {
  profession: string; // "" = all
  category: string;
  urgency: string;
}

export const NO_FILTER: TimelineFilter = { profession: "", category: "", urgency: "" };

export function filterNotes(notes: NoteView[], f: TimelineFilter): NoteView[] {
  return notes.filter(
    (n) =>
      (!f.profession || n.profession === f.profession) &&
      (!f.category || n.category === f.category) &&
      (!f.urgency || n.urgency === f.urgency),
  );
}

/** The measures the chart can draw, in the order the nurse reads them. */
export const CHART_FIELDS = ["systolic", "diastolic", "pulse", "temperature", "spo2", "weight", "glucose"] as const;
export type ChartField = (typeof CHART_FIELDS)[number];

export interface Series {
  /** Seconds since the epoch (uPlot's x unit). */
  x: number[];
  y: (number | null)[];
  /** Horizontal lines for the patient's bands: [label, value, level]. */
  bands: { value: number; level: "attention" | "urgent" }[];
}

export function chartSeries(vitals: VitalsView[], field: ChartField, bands: BandView[]): Series {
  const points = vitals.filter((v) => v[field] != null).sort((a, b) => a.taken_at - b.taken_at);
  const band = bands.find((b) => b.field === field);
  const lines: Series["bands"] = [];
  if (band) {
    for (const [v, level] of [
      [band.attention_below, "attention"],
      [band.attention_above, "attention"],
      [band.urgent_below, "urgent"],
      [band.urgent_above, "urgent"],
    ] as const) {
      if (v != null) lines.push({ value: v, level });
    }
  }
  return { x: points.map((p) => p.taken_at / 1000), y: points.map((p) => p[field] as number), bands: lines };
}

/** The y range that shows every reading and every band line, with a margin. */
export function yRange(s: Series): [number, number] {
  const values = [...s.y.filter((v): v is number => v != null), ...s.bands.map((b) => b.value)];
  if (values.length === 0) return [0, 1];
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = Math.max((hi - lo) * 0.1, 1);
  return [lo - pad, hi + pad];
}

/** "SpO2 89 — 緊急域" */
export function flagText(f: FlagView): string {
  const field = f.field as Key;
  const level = f.level === "urgent" ? t("flagUrgent") : t("flagAttention");
  return `${t(field)} ${f.value} — ${level}`;
}

/** Worst level among flags, for the badge colour. */
export function worst(flags: FlagView[]): "" | "attention" | "urgent" {
  if (flags.some((f) => f.level === "urgent")) return "urgent";
  if (flags.some((f) => f.level === "attention")) return "attention";
  return "";
}

/** A visit form with nothing typed in it. */
export function isEmptyVisit(vitals: Record<string, string | null>, note: string, ticks: string[]): boolean {
  return Object.values(vitals).every((v) => !v || !v.trim()) && !note.trim() && ticks.length === 0;
}

/** "佐藤 花子、田中 一郎" */
export function names(list: { name: string }[]): string {
  return list.map((m) => m.name).join("、");
}

/** Today's patient list filters; `closed` shows the closed cases instead. */
export interface PatientFilter {
  careLevel: string;
  myTasks: boolean;
  urgent: boolean;
  closed: boolean;
}

export const NO_PATIENT_FILTER: PatientFilter = { careLevel: "", myTasks: false, urgent: false, closed: false };

export function filterPatients<
  P extends { care_level: string | null; my_tasks_due: number; urgent: number; closed: boolean },
>(patients: P[], f: PatientFilter): P[] {
  return patients.filter(
    (p) =>
      p.closed === f.closed &&
      (!f.careLevel || p.care_level === f.careLevel) &&
      (!f.myTasks || p.my_tasks_due > 0) &&
      (!f.urgent || p.urgent > 0),
  );
}

/** A new calling order with the contact at `from` moved by `by` (±1);
 * `order[i]` is the current position of the one to call `i`-th. */
export function moveContact(count: number, from: number, by: number): number[] | null {
  const to = from + by;
  if (to < 0 || to >= count) return null;
  const order = Array.from({ length: count }, (_, i) => i);
  order[from] = to;
  order[to] = from;
  return order;
}

/** The chart's band lines and their legend text: dark enough to read as
 * text on white (WCAG AA, 4.5:1), not told apart by colour alone (the
 * legend names them). */
export const BAND_COLOUR = { attention: "#975a16", urgent: "#c53030" };

/** WCAG 2 contrast ratio of two `#rrggbb` colours. */
export function contrast(a: string, b: string): number {
  const lum = (hex: string) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
    const f = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** Minutes of no use before the window locks, when none is known. */
export const DEFAULT_LOCK_MINUTES = 5;

/** Whether the window has been idle long enough to lock: `minutes` out of
 * 1..60 (or unknown) counts as the default. */
export function idleExpired(lastActivity: number, now: number, minutes: number | null | undefined): boolean {
  const m = minutes != null && Number.isFinite(minutes) && minutes >= 1 && minutes <= 60 ? minutes : DEFAULT_LOCK_MINUTES;
  return now - lastActivity >= m * 60_000;
}

/** What is wrong with a new passphrase typed twice, or null. */
export function passphraseProblem(pass: string, again: string): "passTooShort" | "passMismatch" | null {
  if ([...pass].length < 8) return "passTooShort";
  if (pass !== again) return "passMismatch";
  return null;
}

/** The recovery key's shape: 32 letters or digits in groups of four. */
export function looksLikeRecoveryKey(key: string): boolean {
  return /^[A-Z0-9]{4}(-[A-Z0-9]{4}){7}$/.test(key.trim().toUpperCase());
}
