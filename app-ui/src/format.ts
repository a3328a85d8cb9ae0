// Dates, times and ages as Japanese users read them. Every time is shown in
// Japan time (Asia/Tokyo), whatever the laptop's zone.
import type { Lang } from "./i18n";

const TZ = "Asia/Tokyo";

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Making an Intl.DateTimeFormat costs far more than using one, and a record
 * shows a few hundred dates: one formatter per locale and options. */
function formatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = locale + JSON.stringify(options);
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    formatters.set(key, f);
  }
  return f;
}

/** 2026年11月24日(火) or, with `era`, 令和8年11月24日(火). */
export function formatDate(ms: number, lang: Lang, era = false): string {
  const locale = lang === "ja" ? (era ? "ja-JP-u-ca-japanese" : "ja-JP") : "en-GB";
  return formatter(locale, {
    timeZone: TZ,
    era: era && lang === "ja" ? "long" : undefined,
    year: "numeric",
    month: lang === "ja" ? "long" : "short",
    day: "numeric",
    weekday: "short",
  }).format(new Date(ms));
}

/** An ISO calendar date (`1940-12-01`) without a time zone shift. */
export function formatIsoDate(iso: string, lang: Lang, era = false): string {
  const [y, m, d] = iso.split("-").map(Number);
  // Noon Tokyo time is the same calendar day everywhere we display it.
  return formatDate(Date.UTC(y, m - 1, d, 3), lang, era);
}

/** 14:05 */
export function formatTime(ms: number): string {
  return formatter("ja-JP", { timeZone: TZ, hour: "2-digit", minute: "2-digit" }).format(new Date(ms));
}

/** 11/24 14:05 for the timeline; the year only when it is not this year. */
export function formatDateTime(ms: number, lang: Lang, now = Date.now()): string {
  const year = (t: number) => formatter("en", { timeZone: TZ, year: "numeric" }).format(new Date(t));
  const sameYear = year(ms) === year(now);
  const d = formatter(lang === "ja" ? "ja-JP" : "en-GB", {
    timeZone: TZ,
    year: sameYear ? undefined : "numeric",
    month: "numeric",
    day: "numeric",
  }).format(new Date(ms));
  return `${d} ${formatTime(ms)}`;
}

/** The date in Tokyo as YYYY-MM-DD. */
export function tokyoIso(ms: number): string {
  return formatter("sv-SE", { timeZone: TZ }).format(new Date(ms));
}

/** A phone number as a tel: link target: digits, + and the hyphens as
 * written (a visual separator RFC 3966 allows); spaces, brackets and
 * anything else dropped. */
export function telHref(phone: string): string {
  return "tel:" + phone.replace(/[^\d+-]/g, "");
}

/** The month before this one, `YYYY-MM`: the report a station sends early
 * in the month. */
export function lastMonth(now: Date = new Date()): string {
  const d = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
}
