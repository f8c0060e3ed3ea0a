// Calling the app's commands: every generated command answers `{status, data | error}`;
// `ask` turns that into a value or a thrown `Failure` carrying the `{code, message}` the
// app sent, so pages can `try` and show the message, which already says what to do.
import type { UiError } from "../bindings";

export class Failure extends Error {
  readonly code: UiError["code"];

  constructor(error: UiError) {
    super(error.message);
    this.code = error.code;
  }
}

type Outcome<T> = { status: "ok"; data: T } | { status: "error"; error: UiError };

export async function ask<T>(pending: Promise<Outcome<T>>): Promise<T> {
  const outcome = await pending;
  if (outcome.status === "ok") return outcome.data;
  throw new Failure(outcome.error);
}

/** The words to show for anything thrown. */
export function messageOf(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === "string") return thrown;
  return "Something went wrong. Try again; if it keeps happening, restart Switchboard.";
}
