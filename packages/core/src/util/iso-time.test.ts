import { describe, expect, it } from "vitest";
import { isoTime } from "./iso-time.js";

describe("isoTime", () => {
  it("writes what Date#toISOString writes, also for instants it has forgotten", () => {
    const instants = Array.from({ length: 40 }, (_, i) => Date.UTC(2026, 0, 5, 10, i % 13, 7, i));
    for (const ms of [...instants, ...instants.reverse()])
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });

  it("throws as Date does for an instant that is not a time", () => {
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
  });
});
