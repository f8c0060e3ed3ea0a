import { describe, expect, it } from "vitest";
import { accessMeaning, accessTitle, folderName, scopeOf } from "./words";

describe("grants in plain words", () => {
  it("says what each access lets a model do", () => {
    expect(accessTitle("read_only")).toBe("Read only");
    expect(accessMeaning("read_only")).toContain("cannot change anything");
    expect(accessMeaning("read_write")).toContain("delete");
  });

  it("names who a grant is for", () => {
    const servers = [{ id: "files", name: "Files" }];
    expect(scopeOf({ server: null }, servers)).toBe("Every server");
    expect(scopeOf({ server: "files" }, servers)).toBe("Files");
    expect(scopeOf({ server: "gone" }, servers)).toBe("gone");
  });

  it("shortens a path to its folder", () => {
    expect(folderName("/home/ann/Documents")).toBe("Documents");
    expect(folderName("/home/ann/Documents/")).toBe("Documents");
    expect(folderName("C:\\Users\\ann\\Notes")).toBe("Notes");
  });
});
