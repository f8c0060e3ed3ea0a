import { describe, expect, it } from "vitest";
import { scrollToShow, visibleRange } from "./virtual";

describe("a long list draws only what is in view", () => {
  it("draws the rows in view with a margin", () => {
    expect(visibleRange(0, 300, 30, 10_000, 5)).toEqual({ start: 0, end: 16 });
    expect(visibleRange(3000, 300, 30, 10_000, 5)).toEqual({ start: 95, end: 116 });
  });

  it("never draws past either end", () => {
    expect(visibleRange(0, 300, 30, 0)).toEqual({ start: 0, end: 0 });
    expect(visibleRange(1e9, 300, 30, 50, 5)).toEqual({ start: 49, end: 50 });
    expect(visibleRange(-40, 300, 30, 3, 5)).toEqual({ start: 0, end: 3 });
  });

  it("the cost does not grow with the list", () => {
    const { start, end } = visibleRange(123_456, 600, 32, 1_000_000);
    expect(end - start).toBeLessThan(40);
  });

  it("scrolls just enough to show a row", () => {
    expect(scrollToShow(5, 0, 300, 30)).toBeNull();
    expect(scrollToShow(20, 0, 300, 30)).toBe(330);
    expect(scrollToShow(2, 200, 300, 30)).toBe(60);
  });
});
