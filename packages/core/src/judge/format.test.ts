import { describe, expect, it } from "vitest";
import { formatCount, formatMs, formatPercent } from "./format.js";

describe("judge formats", () => {
  it("writes counts as en-US does", () => {
    for (const n of [0, 7, 999, 1000, 12_345, 999_999, 1_000_000, 123_456_789, -4321, 2 ** 53 + 2])
      expect(formatCount(n)).toBe(n.toLocaleString("en-US"));
  });

  it("writes rates and latencies", () => {
    expect(formatPercent(0.0412)).toBe("4.12%");
    expect(formatMs(123.4)).toBe("123 ms");
    expect(formatMs(Number.POSITIVE_INFINITY)).toBe("∞");
  });
});
