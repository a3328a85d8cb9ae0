// The little state the whole window shares: where we are, the vocabulary
// from Rust, the era preference.
import type { UnlockedView, Vocabulary } from "./bindings";
import type { Lang } from "./i18n";

export type Route =
  | { name: "first-run" }
  | { name: "today" }
  | { name: "start" }
  | { name: "edit"; team: string }
  | { name: "record"; team: string; entry?: string; via?: "search" }
  | { name: "visit"; team: string; planned?: string }
  | { name: "review" }
  | { name: "team"; team: string; station?: boolean }
  | { name: "oncall" }
  | { name: "instructions"; team: string }
  | { name: "import"; team?: string }
  | { name: "import-vitals"; team: string }
  | { name: "sheets"; team: string; sheet: "summary" | "report" }
  | { name: "settings" }
  | { name: "sync" }
  | { name: "audit" }
  | { name: "directory"; forPatient?: string };

export interface Shared {
  vocab: Vocabulary;
  lang: Lang;
  era: boolean;
  go: (r: Route) => void;
  /** Bumped when another device's changes arrive: screens reload. */
  revision: number;
  setLang: (l: Lang) => void;
  setEra: (e: boolean) => void;
  /** The profile was just unlocked (or made): its language and lock time. */
  unlocked: (v: UnlockedView) => void;
  /** Minutes of no use before the window locks. */
  setLockAfter: (minutes: number) => void;
}

/** The label of a vocabulary code in the current language. */
export function label(list: { code: string; ja: string; en: string }[], code: string | null, lang: Lang): string {
  if (!code) return "";
  const term = list.find((x) => x.code === code);
  return term ? term[lang] : code;
}
