import { describe, expect, it } from "vitest";
import { createSystemClock } from "./system-clock.js";

describe("system clock", () => {
  it("sleeps on the wall clock and stops early, as an aborted error, when the signal fires", async () => {
    const clock = createSystemClock();
    const t0 = clock.now();
    expect((await clock.sleep(20, new AbortController().signal)).isOk()).toBe(true);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(15);
    const c = new AbortController();
    setTimeout(() => c.abort(), 10);
    const started = Date.now();
    const r = await clock.sleep(10_000, c.signal);
    expect(r.isErr() && r.error.kind).toBe("aborted");
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
