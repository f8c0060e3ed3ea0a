// What the Clients page says: which servers a client lists through Switchboard, and what
// happened after an add or a remove, in plain words with what to do next. Pure functions,
// tested in words.test.ts.
import type { ClientInfo, ClientsChange } from "../bindings";

/** The servers a client's user-wide file lists through Switchboard (present in the file). */
export function serversIn(client: ClientInfo): Set<string> {
  const file = client.files.find((f) => f.scope === "user");
  return new Set((file?.managed ?? []).filter((e) => e.present).map((e) => e.server));
}

/** Detected clients first, each group by name. */
export function ordered(clients: ClientInfo[]): ClientInfo[] {
  return [...clients].sort(
    (a, b) => Number(b.installed) - Number(a.installed) || a.name.localeCompare(b.name),
  );
}

export interface Outcome {
  tone: "ok" | "error";
  text: string;
}

/** What to tell the person after adding (`added`) or removing a server. */
export function outcomeOf(change: ClientsChange, serverName: string, added: boolean): Outcome {
  const failure = change.failures[0];
  if (failure) {
    const where = failure.line ? ` (line ${failure.line}, column ${failure.column ?? 1})` : "";
    return {
      tone: "error",
      text:
        `${failure.client_name}'s settings file could not be changed: ${failure.message}${where}. ` +
        `Fix or remove ${failure.path}, then try again.`,
    };
  }
  const report = change.files[0];
  if (!report) return { tone: "ok", text: `Nothing to change.` };
  const lines: string[] = [];
  if (!report.written) {
    lines.push(
      added
        ? `${report.client_name} already lists ${serverName}.`
        : `${report.client_name} did not list ${serverName}.`,
    );
  } else {
    lines.push(
      added
        ? `${serverName} is now in ${report.client_name}.`
        : `${serverName} is no longer in ${report.client_name}.`,
    );
  }
  lines.push(...report.collisions);
  if (report.written && report.hint) lines.push(sentence(report.hint));
  return { tone: "ok", text: lines.join(" ") };
}

/** The daemon's hints start in lower case (they follow a colon in a terminal). */
function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
