import { describe, expect, it } from "vitest";
import { bytes, clock, elapsed, millis, percent, perMinute } from "./format";

describe("figures read like a person would say them", () => {
  it("latency picks its unit", () => {
    expect(millis(0.4321)).toBe("0.43 ms");
    expect(millis(123.4)).toBe("123 ms");
    expect(millis(1530)).toBe("1.5 s");
    expect(millis(null)).toBe("–");
  });

  it("memory in binary units, nothing as a dash", () => {
    expect(bytes(0)).toBe("–");
    expect(bytes(5 * 1024)).toBe("5 KiB");
    expect(bytes(3.5 * 1024 * 1024)).toBe("3.5 MiB");
  });

  it("a rare error still shows as more than zero", () => {
    expect(percent(0)).toBe("0%");
    expect(percent(0.004)).toBe("0.4%");
    expect(percent(0.125)).toBe("13%");
  });

  it("rates and uptimes", () => {
    expect(perMinute(0)).toBe("0");
    expect(perMinute(4.53)).toBe("4.5");
    expect(perMinute(1234.4)).toBe("1,234");
    expect(elapsed(0, 45_000)).toBe("45 s");
    expect(elapsed(0, 12 * 60_000)).toBe("12 min");
    expect(elapsed(0, (3 * 60 + 5) * 60_000)).toBe("3 h 5 min");
    expect(elapsed(0, 2 * 86_400_000)).toBe("2 days");
    expect(elapsed(1000, 0)).toBe("0 s");
  });

  it("times of day keep milliseconds", () => {
    const at = new Date(2026, 0, 2, 14, 3, 7, 9).getTime();
    expect(clock(at)).toBe("14:03:07.009");
  });
});
