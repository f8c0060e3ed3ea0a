// What the Catalog page says and sends: the steps of an install and where it stands, the
// form's answers as the app takes them (with what is still missing), and what an install
// did, in plain words with what to do next. Pure functions, tested in words.test.ts.
import type { FormAnswers, InstallReport, Question } from "../bindings";

/** The steps an install goes through, in order, as the daemon names them. */
export const STEPS = [
  { id: "check", title: "Check what it needs" },
  { id: "register", title: "Add it to Switchboard" },
  { id: "secrets", title: "Keep its secrets in the keychain" },
  { id: "folders", title: "Share its folders" },
  { id: "prepare", title: "Download it" },
  { id: "verify", title: "Start it once and list its tools" },
  { id: "enable", title: "Switch it on" },
  { id: "clients", title: "Add it to your AI apps" },
] as const;

export type StepState = "done" | "current" | "waiting";

/** Each step's state while the install is at step `current` (`null` before the first). */
export function stepStates(current: string | null): StepState[] {
  const at = STEPS.findIndex((step) => step.id === current);
  return STEPS.map((_, i) => (at < 0 || i > at ? "waiting" : i === at ? "current" : "done"));
}

/** What the person typed or chose, by question key: one or more values. */
export type Typed = Record<string, string[]>;

/** The values a form starts with: each question's defaults. */
export function startingValues(questions: Question[]): Typed {
  const typed: Typed = {};
  for (const question of questions) {
    if (!question.secret && question.defaults.length) typed[question.key] = [...question.defaults];
  }
  return typed;
}

/** The titles of required questions left blank (a question with a default is answered). */
export function missingAnswers(questions: Question[], typed: Typed): string[] {
  return questions
    .filter((q) => q.required && !q.defaults.length)
    .filter((q) => !(typed[q.key] ?? []).some((value) => value.trim() !== ""))
    .map((q) => q.title);
}

/** The answers as the app takes them: secrets apart from plain values, blanks left out. */
export function answersOf(questions: Question[], typed: Typed): FormAnswers {
  const answers: FormAnswers = { values: [], secrets: [] };
  for (const question of questions) {
    const values = (typed[question.key] ?? []).filter((value) => value.trim() !== "");
    const [first] = values;
    if (first === undefined) continue;
    if (question.secret) answers.secrets.push({ key: question.key, value: first });
    else answers.values.push({ key: question.key, values });
  }
  return answers;
}

/** What an install did, in a few sentences. */
export function installedText(report: InstallReport): string {
  const name = report.server.name;
  const lines: string[] = [];
  const tools = report.tools;
  if (tools.length === 0) lines.push(`${name} is installed and switched on.`);
  else if (tools.length <= 5)
    lines.push(`${name} is installed and switched on. It offers ${tools.length === 1 ? "one tool" : `${tools.length} tools`}: ${tools.join(", ")}.`);
  else
    lines.push(
      `${name} is installed and switched on. It offers ${tools.length} tools, among them ${tools.slice(0, 4).join(", ")}.`,
    );
  const change = report.clients;
  if (!change) {
    lines.push("Add it to an AI app on the Clients page.");
    return lines.join(" ");
  }
  const added = change.files.filter((f) => f.written).map((f) => f.client_name);
  if (added.length) lines.push(`It is now in ${joinNames(added)}.`);
  for (const file of change.files) {
    lines.push(...file.collisions);
    if (file.written && file.hint) lines.push(sentence(file.hint));
  }
  for (const failure of change.failures) {
    lines.push(
      `${failure.client_name}'s settings file could not be changed (${failure.message}); fix ${failure.path}, then add it on the Clients page.`,
    );
  }
  return lines.join(" ");
}

function joinNames(names: string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** The daemon's hints start in lower case and end bare (they follow a colon in a terminal). */
function sentence(text: string): string {
  const full = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(full) ? full : `${full}.`;
}
