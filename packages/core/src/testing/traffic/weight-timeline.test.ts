import { describe, expect, it } from "vitest";
import { createSimulatedDeployer } from "../fakes/simulated-deployer.js";
import { createVirtualClock } from "../virtual-clock.js";
import { recordWeightTimeline } from "./weight-timeline.js";

const target = {
  service: "shop",
  environment: "production",
  version: "v1.4.0",
  sha: "a".repeat(40),
};
const options = { signal: new AbortController().signal };

describe("recordWeightTimeline", () => {
  it("records every applied weight change at the clock's time", async () => {
    const clock = createVirtualClock(0);
    const { deployer, timeline } = recordWeightTimeline(
      createSimulatedDeployer({ stableVersion: "v1.3.0" }),
      clock,
    );
    expect(timeline.canaryPercentAt(0)).toBe(0);
    expect(timeline.firstWeightSetAtMs()).toBeNull();
    (await deployer.start(target, options))._unsafeUnwrap();
    clock.advance(1_000);
    (await deployer.setWeight(target, 5, options))._unsafeUnwrap();
    clock.advance(600_000);
    (await deployer.setWeight(target, 25, options))._unsafeUnwrap();
    clock.advance(600_000);
    (await deployer.promote(target, options))._unsafeUnwrap();
    clock.advance(60_000);
    (await deployer.rollback(target, options))._unsafeUnwrap();
    expect(timeline.changes.map((c) => [c.action, c.atMs, c.canaryPercent])).toEqual([
      ["start", 0, 0],
      ["set_weight", 1_000, 5],
      ["set_weight", 601_000, 25],
      ["promote", 1_201_000, 100],
      ["rollback", 1_261_000, 0],
    ]);
    expect(timeline.canaryPercentAt(999)).toBe(0);
    expect(timeline.canaryPercentAt(1_000)).toBe(5);
    expect(timeline.canaryPercentAt(601_000)).toBe(25);
    expect(timeline.canaryPercentAt(1_260_999)).toBe(100);
    expect(timeline.canaryPercentAt(1_261_000)).toBe(0);
    expect(timeline.firstWeightSetAtMs()).toBe(1_000);
    expect(timeline.firstAtOrAboveMs(25)).toBe(601_000);
    expect(timeline.weightSetAtMs(25)).toBe(601_000);
    expect(timeline.weightSetAtMs(50)).toBeNull();
    // 10 min at 5%, then 10 at 25%, then 1 at 100%: 0.5 + 2.5 + 1 minutes of full traffic.
    expect(timeline.fullTrafficMinutes(1_000, 1_261_000)).toBeCloseTo(4, 9);
    // From the middle of the 25% step to the middle of the 100% one: 5 × 0.25 + 0.5 × 1.
    expect(timeline.fullTrafficMinutes(901_000, 1_231_000)).toBeCloseTo(1.75, 9);
    // Before any weight and after the rollback the canary serves nothing.
    expect(timeline.fullTrafficMinutes(0, 1_000)).toBe(0);
    expect(timeline.fullTrafficMinutes(1_261_000, 2_000_000)).toBe(0);
    expect(timeline.fullTrafficMinutes(5_000, 5_000)).toBe(0);
  });

  it("records nothing for a change the platform refused", async () => {
    const clock = createVirtualClock(0);
    const { deployer, timeline } = recordWeightTimeline(
      createSimulatedDeployer({ stableVersion: "v1.3.0", failAtWeight: 25 }),
      clock,
    );
    expect((await deployer.setWeight(target, 25, options)).isErr()).toBe(true);
    expect(timeline.changes).toEqual([]);
  });
});
