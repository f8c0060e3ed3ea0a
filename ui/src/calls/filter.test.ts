import { describe, expect, it } from "vitest";
import type { StoredCall } from "../bindings";
import { admit, isFiltered, matches, NO_FILTER, prettyArguments, toQuery, valuesOf } from "./filter";

function call(id: number, over: Partial<StoredCall> = {}): StoredCall {
  return {
    id,
    at: 1_800_000_000_000 + id,
    client: "claude-ai",
    server: "files",
    method: "tools/call",
    tool: "read_file",
    duration_us: 420,
    status: "ok",
    error_code: null,
    request_bytes: 100,
    response_bytes: 200,
    args_preview: '{"path":"/home/ann/Notes.md"}',
    ...over,
  };
}

describe("call log filters", () => {
  it("an empty filter matches everything and asks the log for everything", () => {
    expect(isFiltered(NO_FILTER)).toBe(false);
    expect(matches(call(1), NO_FILTER)).toBe(true);
    expect(toQuery(NO_FILTER)).toEqual({
      server: null,
      client: null,
      tool: null,
      status: null,
      text: null,
      before_id: null,
      limit: 1000,
    });
  });

  it("fields match exactly, text anywhere ignoring case", () => {
    const filter = { ...NO_FILTER, server: "files", text: "NOTES" };
    expect(isFiltered(filter)).toBe(true);
    expect(matches(call(1), filter)).toBe(true);
    expect(matches(call(2, { server: "fetch" }), filter)).toBe(false);
    expect(matches(call(3, { args_preview: null, tool: "list" }), filter)).toBe(false);
    expect(matches(call(4, { status: "rpc_error" }), { ...NO_FILTER, status: "ok" })).toBe(false);
    expect(toQuery({ ...filter, text: "  notes " }).text).toBe("notes");
  });

  it("live calls go on top, newest first, filtered, without repeats, capped", () => {
    const list = [call(3), call(2)];
    const next = admit(list, [call(3), call(4), call(5, { server: "fetch" }), call(6)], {
      ...NO_FILTER,
      server: "files",
    });
    expect(next.map((c) => c.id)).toEqual([6, 4, 3, 2]);
    const capped = admit([], Array.from({ length: 10 }, (_, i) => call(i + 1)), NO_FILTER, 4);
    expect(capped.map((c) => c.id)).toEqual([10, 9, 8, 7]);
    expect(admit(list, [call(9, { client: "cursor" })], { ...NO_FILTER, client: "claude-ai" })).toBe(list);
  });

  it("keeps up with a thousand calls a second for a minute", () => {
    let list: StoredCall[] = [];
    const started = performance.now();
    for (let batch = 0; batch < 600; batch++) {
      const fresh = Array.from({ length: 100 }, (_, i) => call(batch * 100 + i + 1));
      list = admit(list, fresh, { ...NO_FILTER, text: "notes" });
    }
    expect(list.length).toBe(5000);
    expect(list[0]!.id).toBe(60_000);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("filter menus offer the values seen", () => {
    const list = [call(1), call(2, { client: "cursor" }), call(3, { tool: null })];
    expect(valuesOf(list, "client")).toEqual(["claude-ai", "cursor"]);
    expect(valuesOf(list, "tool")).toEqual(["read_file"]);
  });

  it("arguments are shown pretty when they are JSON", () => {
    expect(prettyArguments('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyArguments("not json…")).toBe("not json…");
    expect(prettyArguments(null)).toBe("");
  });
});
