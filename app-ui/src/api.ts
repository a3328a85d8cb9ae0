// The generated commands, with Rust's `Result` turned into exceptions so
// screens can `await` and show one error banner.
import type { AppError } from "./bindings";
import { lang } from "./i18n";

export { commands, events } from "./bindings";

export class Failure extends Error {
  constructor(public readonly error: AppError) {
    super(error.message_en);
  }
  /** The message in the interface language. */
  text(): string {
    return lang() === "ja" ? this.error.message_ja : this.error.message_en;
  }
}

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: AppError };

/** Told when any command answers "locked" (the profile was locked under a
 * screen still loading): the window shows the Unlock screen. */
let onLocked: () => void = () => {};
export function whenLocked(f: () => void) {
  onLocked = f;
}

export async function ok<T>(p: Promise<Result<T>>): Promise<T> {
  const r = await p;
  if (r.status === "error") {
    if (r.error.code === "locked") onLocked();
    throw new Failure(r.error);
  }
  return r.data;
}

/** The error code of a failed command, if it is one. */
export function code(e: unknown): string | null {
  return e instanceof Failure ? e.error.code : null;
}

export function message(e: unknown): string {
  if (e instanceof Failure) return e.text();
  return e instanceof Error ? e.message : String(e);
}
