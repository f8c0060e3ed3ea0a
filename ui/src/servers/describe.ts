// How a server is described on its card: its state in words, where it comes from, how long
// it has run, and the points of its small charts. Pure functions.
import type { ServerInfo, ServerState, StatsPoint } from "../bindings";

export type Tone = "good" | "busy" | "bad" | "idle";

/** The state as a word and a tone, for a server switched on or off. */
export function stateOf(server: Pick<ServerInfo, "enabled" | "runtime">): { words: string; tone: Tone } {
  if (!server.enabled) return { words: "Off", tone: "idle" };
  const words: Record<ServerState, { words: string; tone: Tone }> = {
    healthy: { words: "Running", tone: "good" },
    starting: { words: "Starting", tone: "busy" },
    degraded: { words: "Not answering", tone: "bad" },
    crashed: { words: "Crashed", tone: "bad" },
    stopped: { words: "Ready", tone: "idle" },
  };
  return words[server.runtime.state];
}

/** Where the server comes from, in a few words. */
export function originOf(server: Pick<ServerInfo, "launch">): string {
  const launch = server.launch;
  switch (launch.kind) {
    case "builtin":
      return "Built into Switchboard";
    case "npm":
      return `npm package ${launch.package}`;
    case "pypi":
      return `Python package ${launch.package}`;
    case "command":
      return `Command ${launch.command}`;
    case "oci":
      return `Container ${launch.image}`;
    case "bundle":
      return "MCP Bundle";
  }
}

/** When the server's oldest running session started, if it runs. */
export function runningSince(server: Pick<ServerInfo, "runtime">): number | null {
  const starts = server.runtime.sessions.map((s) => s.since);
  return starts.length ? Math.min(...starts) : null;
}

/**
 * The SVG path of a sparkline through `values` in a `width` × `height` box: the highest
 * value touches the top, zero the bottom; missing values (null) are drawn as zero.
 */
export function sparkPath(values: readonly (number | null)[], width: number, height: number): string {
  if (values.length === 0) return "";
  const top = Math.max(...values.map((v) => v ?? 0));
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const y = (v: number | null) => {
    const value = v ?? 0;
    const scaled = top > 0 ? value / top : 0;
    return +(height - scaled * height).toFixed(2);
  };
  return values.map((v, i) => `${i === 0 ? "M" : "L"}${+(i * step).toFixed(2)},${y(v)}`).join(" ");
}

/** The series a card charts: calls per ten seconds, and p95 latency. */
export function chartSeries(series: readonly StatsPoint[]): { calls: number[]; p95: (number | null)[] } {
  return { calls: series.map((p) => p.calls), p95: series.map((p) => p.p95_ms) };
}
