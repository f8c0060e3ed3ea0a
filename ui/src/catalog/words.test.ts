import { describe, expect, it } from "vitest";
import type { InstallReport, Question, ServerInfo } from "../bindings";
import { answersOf, installedText, missingAnswers, startingValues, stepStates } from "./words";

function question(partial: Partial<Question> & { key: string }): Question {
  return {
    title: partial.key,
    description: null,
    kind: { type: "text" },
    secret: false,
    required: false,
    multiple: false,
    defaults: [],
    placeholder: null,
    ...partial,
  };
}

const token = question({ key: "GITHUB_TOKEN", title: "Token", secret: true, required: true });
const folders = question({
  key: "folders",
  title: "Folders",
  kind: { type: "folder", read_write: true },
  required: true,
  multiple: true,
});
const port = question({ key: "PORT", title: "Port", required: true, defaults: ["8080"] });

function report(partial: Partial<InstallReport>): InstallReport {
  return {
    server: { id: "everything", name: "Everything" } as ServerInfo,
    tools: [],
    package: null,
    clients: null,
    ...partial,
  };
}

describe("install steps", () => {
  it("marks the steps before the current one done and the rest waiting", () => {
    expect(stepStates("prepare")).toEqual([
      "done",
      "done",
      "done",
      "done",
      "current",
      "waiting",
      "waiting",
      "waiting",
    ]);
  });

  it("has every step waiting before the daemon reports one", () => {
    expect(stepStates(null).every((s) => s === "waiting")).toBe(true);
  });
});

describe("install answers", () => {
  it("starts from the defaults, never for a secret", () => {
    const typed = startingValues([port, { ...token, defaults: ["x"] }]);
    expect(typed).toEqual({ PORT: ["8080"] });
  });

  it("names the required questions left blank, not those with a default", () => {
    expect(missingAnswers([token, folders, port], { folders: ["  "] })).toEqual(["Token", "Folders"]);
    expect(missingAnswers([token, folders, port], { GITHUB_TOKEN: ["t"], folders: ["/a"] })).toEqual([]);
  });

  it("sends secrets apart from plain values and leaves blanks out", () => {
    const answers = answersOf([token, folders, port], {
      GITHUB_TOKEN: ["ghp_secret"],
      folders: ["/home/a/docs", "", "/home/a/code"],
      PORT: [""],
    });
    expect(answers).toEqual({
      values: [{ key: "folders", values: ["/home/a/docs", "/home/a/code"] }],
      secrets: [{ key: "GITHUB_TOKEN", value: "ghp_secret" }],
    });
  });
});

describe("install outcome", () => {
  it("names the tools and the apps it was added to, with what to do next", () => {
    const text = installedText(
      report({
        tools: ["echo", "add"],
        clients: {
          server: "everything",
          files: [
            {
              client: "claude-desktop",
              client_name: "Claude Desktop",
              scope: "user",
              path: "/h/.config/Claude/claude_desktop_config.json",
              changes: [],
              collisions: [],
              written: true,
              hint: "restart Claude Desktop to see it",
            },
          ],
          failures: [],
        },
      }),
    );
    expect(text).toBe(
      "Everything is installed and switched on. It offers 2 tools: echo, add. It is now in Claude Desktop. Restart Claude Desktop to see it.",
    );
  });

  it("says where to add it when no app was chosen, and what failed when a file could not be written", () => {
    expect(installedText(report({}))).toContain("Clients page");
    const text = installedText(
      report({
        clients: {
          server: "everything",
          files: [],
          failures: [
            {
              client: "cursor",
              client_name: "Cursor",
              path: "/h/.cursor/mcp.json",
              message: "it is not valid JSON",
            },
          ],
        },
      }),
    );
    expect(text).toContain("Cursor's settings file could not be changed (it is not valid JSON); fix /h/.cursor/mcp.json");
  });
});
