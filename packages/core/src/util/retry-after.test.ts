import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelayMs, parseRetryAfterMs } from "./retry-after.js";
import { untilAborted } from "./until-aborted.js";

describe("Retry-After", () => {
  it("reads seconds and HTTP dates, never negative", () => {
    expect(parseRetryAfterMs("2")).toBe(2000);
    expect(parseRetryAfterMs(["1.5"])).toBe(1500);
    expect(parseRetryAfterMs(3)).toBe(3000);
    expect(
      parseRetryAfterMs(
        "Wed, 21 Oct 2015 07:28:00 GMT",
        Date.parse("Wed, 21 Oct 2015 07:27:00 GMT"),
      ),
    ).toBe(60_000);
    expect(
      parseRetryAfterMs(
        "Wed, 21 Oct 2015 07:28:00 GMT",
        Date.parse("Wed, 21 Oct 2015 07:29:00 GMT"),
      ),
    ).toBe(0);
    for (const bad of [undefined, null, "", "soon", Number.NaN, {}])
      expect(parseRetryAfterMs(bad)).toBeUndefined();
  });

  it("backs off exponentially within [ceiling/2, ceiling] and never past the cap", () => {
    expect(backoffDelayMs(100, 0, 30_000, () => 0)).toBe(50);
    expect(backoffDelayMs(100, 3, 30_000, () => 1)).toBe(800);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 0, max: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (base, attempt, r) => {
          const d = backoffDelayMs(base, attempt, 10_000, () => r);
          expect(d).toBeLessThanOrEqual(10_000);
          expect(d).toBeGreaterThanOrEqual(Math.min(10_000, base * 2 ** attempt) / 2 - 1);
        },
      ),
    );
  });
});

describe("untilAborted", () => {
  it("settles with the work, or rejects as aborted as soon as the signal fires", async () => {
    await expect(untilAborted(Promise.resolve(7), new AbortController().signal)).resolves.toBe(7);
    const c = new AbortController();
    const never = new Promise<number>(() => undefined);
    setTimeout(() => c.abort(), 5);
    await expect(untilAborted(never, c.signal)).rejects.toMatchObject({ name: "AbortError" });
    const done = new AbortController();
    done.abort();
    await expect(
      untilAborted(Promise.reject(new Error("late")), done.signal),
    ).rejects.toMatchObject({ name: "AbortError" });
    const timed = AbortSignal.timeout(5);
    await expect(untilAborted(never, timed)).rejects.toMatchObject({ name: "TimeoutError" });
  });
});
