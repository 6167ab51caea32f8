import { describe, expect, it } from "vitest";
import { createVirtualClock } from "./virtual-clock.js";

describe("virtual clock", () => {
  it("moves time when something sleeps, never backwards", async () => {
    const clock = createVirtualClock(0);
    const signal = new AbortController().signal;
    expect((await clock.sleep(60_000, signal)).isOk()).toBe(true);
    expect(clock.now()).toBe(60_000);
    expect(clock.sleptMs).toBe(60_000);
    expect(() => clock.set(10)).toThrow(RangeError);
  });

  it("interleaves the sleeps of parallel lanes on one time line, in deadline order", async () => {
    const clock = createVirtualClock(0);
    const signal = new AbortController().signal;
    const seen: string[] = [];
    const lane = async (name: string, stepMs: number, steps: number) => {
      const own = clock.fork();
      for (let i = 0; i < steps; i++) {
        await own.sleep(stepMs, signal);
        seen.push(`${name}@${own.now()}`);
      }
      own.close();
    };
    await Promise.all([lane("a", 10, 3), lane("b", 15, 2)]);
    // At 30 both are due: b asked first (at 15), so it wakes first.
    expect(seen).toEqual(["a@10", "b@15", "a@20", "b@30", "a@30"]);
    // The lanes waited side by side: 30 ms passed, not 60.
    expect(clock.now()).toBe(30);
  });

  it("waits for every open lane before it moves time", async () => {
    const clock = createVirtualClock(0);
    const signal = new AbortController().signal;
    const busy = clock.fork();
    const sleeper = clock.fork();
    let woke = false;
    const slept = (async () => {
      await sleeper.sleep(10, signal);
      woke = true;
    })();
    // The busy lane works on real I/O for a few turns of the event loop: time must not
    // move without it.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(woke).toBe(false);
    expect(clock.now()).toBe(0);
    busy.close();
    await slept;
    expect(woke).toBe(true);
    expect(clock.now()).toBe(10);
  });

  it("ends a lane's sleep at once when its signal fires, the other lanes carry on", async () => {
    const clock = createVirtualClock(0);
    const stop = new AbortController();
    const laneA = clock.fork();
    const laneB = clock.fork();
    const a = laneA.sleep(1000, stop.signal).map(() => laneA.close());
    const b = laneB.sleep(50, new AbortController().signal);
    stop.abort();
    const ra = await a;
    // Lane a is done: b no longer waits for it.
    laneA.close();
    const rb = await b;
    expect(ra.isErr() && ra.error.kind).toBe("aborted");
    expect(rb.isOk()).toBe(true);
    expect(clock.now()).toBe(50);
  });
});
