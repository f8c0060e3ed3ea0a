import { describe, expect, it } from "vitest";
import { originOf, runningSince, sparkPath, stateOf } from "./describe";

const runtime = (state: "healthy" | "crashed" | "stopped", since: number[] = []) => ({
  state,
  sessions: since.map((s, i) => ({ id: i, client: "c", state, pid: null, since: s })),
  restarts: 0,
  stderr: [],
  last_error: null,
  tools: null,
});

describe("a server's card", () => {
  it("says its state in words, and off wins", () => {
    expect(stateOf({ enabled: true, runtime: runtime("healthy") })).toEqual({ words: "Running", tone: "good" });
    expect(stateOf({ enabled: true, runtime: runtime("crashed") }).tone).toBe("bad");
    expect(stateOf({ enabled: true, runtime: runtime("stopped") }).words).toBe("Ready");
    expect(stateOf({ enabled: false, runtime: runtime("crashed") })).toEqual({ words: "Off", tone: "idle" });
  });

  it("says where it comes from", () => {
    expect(originOf({ launch: { kind: "builtin", name: "files" } })).toBe("Built into Switchboard");
    expect(
      originOf({ launch: { kind: "npm", package: "@modelcontextprotocol/server-everything", version: "", args: [] } }),
    ).toBe("npm package @modelcontextprotocol/server-everything");
  });

  it("runs since its oldest session", () => {
    expect(runningSince({ runtime: runtime("healthy", [500, 200, 900]) })).toBe(200);
    expect(runningSince({ runtime: runtime("stopped") })).toBeNull();
  });

  it("charts scale to the highest point and start at the left", () => {
    expect(sparkPath([0, 5, 10], 100, 20)).toBe("M0,20 L50,10 L100,0");
    expect(sparkPath([null, 0], 10, 10)).toBe("M0,10 L10,10");
    expect(sparkPath([], 10, 10)).toBe("");
  });
});
