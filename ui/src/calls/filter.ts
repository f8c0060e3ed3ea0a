// The call log's filters: the same meaning for calls read from the log (the daemon filters
// them) and for calls arriving live (filtered here, as they come).
import type { CallQuery, CallStatus, StoredCall } from "../bindings";

export interface CallFilter {
  server: string;
  client: string;
  tool: string;
  status: CallStatus | "";
  /** Found in the method, tool, client or arguments, ignoring case. */
  text: string;
}

export const NO_FILTER: CallFilter = { server: "", client: "", tool: "", status: "", text: "" };

/** How many calls the log keeps in the window at most. */
export const KEEP = 5_000;

export function isFiltered(filter: CallFilter): boolean {
  return Object.values(filter).some((value) => value !== "");
}

/** The query that reads the newest calls matching `filter` from the log. */
export function toQuery(filter: CallFilter, limit = 1000): CallQuery {
  const text = filter.text.trim();
  return {
    server: filter.server || null,
    client: filter.client || null,
    tool: filter.tool || null,
    status: filter.status || null,
    text: text || null,
    before_id: null,
    limit,
  };
}

export function matches(call: StoredCall, filter: CallFilter): boolean {
  if (filter.server && call.server !== filter.server) return false;
  if (filter.client && call.client !== filter.client) return false;
  if (filter.tool && call.tool !== filter.tool) return false;
  if (filter.status && call.status !== filter.status) return false;
  const text = filter.text.trim().toLowerCase();
  if (!text) return true;
  return [call.method, call.tool, call.client, call.args_preview].some(
    (field) => typeof field === "string" && field.toLowerCase().includes(text),
  );
}

/**
 * The list after `fresh` calls arrive (oldest first): those matching go on top, newest
 * first, and the oldest fall off past `keep`. Calls already listed are not repeated.
 */
export function admit(
  list: readonly StoredCall[],
  fresh: readonly StoredCall[],
  filter: CallFilter,
  keep = KEEP,
): StoredCall[] {
  const newest = list[0]?.id ?? -Infinity;
  const added: StoredCall[] = [];
  for (let i = fresh.length - 1; i >= 0; i--) {
    const call = fresh[i]!;
    if (call.id > newest && matches(call, filter)) added.push(call);
  }
  if (added.length === 0) return list as StoredCall[];
  const next = added.concat(list);
  return next.length > keep ? next.slice(0, keep) : next;
}

/** The values seen in the list for one field, sorted, for the filter menus. */
export function valuesOf(list: readonly StoredCall[], field: "server" | "client" | "tool"): string[] {
  const seen = new Set<string>();
  for (const call of list) {
    const value = call[field];
    if (value) seen.add(value);
  }
  return [...seen].sort();
}

/** Words for a call's outcome. */
export function statusWords(status: CallStatus): string {
  switch (status) {
    case "ok":
      return "OK";
    case "tool_error":
      return "Tool error";
    case "rpc_error":
      return "Error";
    case "cancelled":
      return "Cancelled";
    case "timeout":
      return "No answer";
  }
}

/** The arguments, pretty-printed when they are JSON. */
export function prettyArguments(preview: string | null): string {
  if (!preview) return "";
  try {
    return JSON.stringify(JSON.parse(preview), null, 2);
  } catch {
    return preview;
  }
}
