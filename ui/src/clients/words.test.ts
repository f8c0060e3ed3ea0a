import { describe, expect, it } from "vitest";
import type { ClientInfo, ClientsChange } from "../bindings";
import { ordered, outcomeOf, serversIn } from "./words";

const claude: ClientInfo = {
  id: "claude-desktop",
  name: "Claude Desktop",
  installed: true,
  files: [
    {
      scope: "user",
      project: null,
      path: "/home/a/.config/Claude/claude_desktop_config.json",
      exists: true,
      managed: [
        { name: "files", server: "files", present: true },
        { name: "notes", server: "notes", present: false },
      ],
      others: ["github"],
      error: null,
    },
  ],
  programs: ["claude-desktop"],
};

function change(partial: Partial<ClientsChange>): ClientsChange {
  return { server: "files", files: [], failures: [], ...partial };
}

describe("clients", () => {
  it("lists only the servers still in the user's file", () => {
    expect([...serversIn(claude)]).toEqual(["files"]);
  });

  it("puts clients on this computer first, then by name", () => {
    const cursor = { ...claude, id: "cursor", name: "Cursor", installed: false };
    const zed = { ...claude, id: "zed", name: "Zed", installed: true };
    expect(ordered([cursor, zed, claude]).map((c) => c.id)).toEqual(["claude-desktop", "zed", "cursor"]);
  });

  it("says what happened and what to do next after an add", () => {
    const outcome = outcomeOf(
      change({
        files: [
          {
            client: "claude-desktop",
            client_name: "Claude Desktop",
            scope: "user",
            project: null,
            path: "/x",
            changes: [{ name: "files", server: "files", change: "added" }],
            collisions: [],
            written: true,
            backup: null,
            hint: "quit and reopen Claude Desktop to see the change.",
          },
        ],
      }),
      "Files",
      true,
    );
    expect(outcome).toEqual({
      tone: "ok",
      text: "Files is now in Claude Desktop. Quit and reopen Claude Desktop to see the change.",
    });
  });

  it("names the broken file, where it breaks and the fix", () => {
    const outcome = outcomeOf(
      change({
        failures: [
          {
            client: "cursor",
            client_name: "Cursor",
            path: "/home/a/.cursor/mcp.json",
            message: "it is not valid JSON",
            line: 3,
            column: 7,
          },
        ],
      }),
      "Files",
      true,
    );
    expect(outcome.tone).toBe("error");
    expect(outcome.text).toContain("line 3, column 7");
    expect(outcome.text).toContain("Fix or remove /home/a/.cursor/mcp.json");
  });
});
