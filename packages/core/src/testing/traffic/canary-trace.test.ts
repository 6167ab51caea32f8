import { describe, expect, it } from "vitest";
import {
  generateCanaryTraces,
  REGRESSION_SIZES,
  TRAFFIC_TIERS_PER_MINUTE,
  traceGroup,
} from "./canary-trace.js";

describe("generateCanaryTraces", () => {
  const traces = generateCanaryTraces({ count: 2000, seed: 3 });

  it("is reproducible from its seed, and another seed gives other traces", () => {
    expect(generateCanaryTraces({ count: 2000, seed: 3 })).toEqual(traces);
    const other = generateCanaryTraces({ count: 2000, seed: 4 });
    expect(other.map((t) => t.seed)).not.toEqual(traces.map((t) => t.seed));
    // A prefix of a longer run is the shorter run: trace i depends on (seed, i) only.
    expect(generateCanaryTraces({ count: 100, seed: 3 })).toEqual(traces.slice(0, 100));
  });

  it("labels each tier 5 healthy, 4 shared noise and one of each regression size in 16", () => {
    for (const tier of TRAFFIC_TIERS_PER_MINUTE) {
      const inTier = traces.filter((t) => t.tierPerMinute === tier);
      expect(inTier).toHaveLength(500);
      const count = (group: string) => inTier.filter((t) => traceGroup(t.label) === group).length;
      // 31 full cycles of 16, then the first 4 of the next (healthy).
      expect(count("healthy")).toBe(31 * 5 + 4);
      expect(count("shared_noise")).toBe(31 * 4);
      for (const size of REGRESSION_SIZES) expect(count(size)).toBe(31);
    }
  });

  it("keeps stable within its objectives with realistic headroom", () => {
    for (const t of traces) {
      expect(t.stable.errorRate / t.objectives.errorRateMax).toBeGreaterThanOrEqual(0.2);
      expect(t.stable.errorRate / t.objectives.errorRateMax).toBeLessThanOrEqual(0.6);
      expect(t.stable.p95LatencyMs / t.objectives.p95LatencyMs).toBeGreaterThanOrEqual(0.4 - 1e-9);
      expect(t.stable.p95LatencyMs / t.objectives.p95LatencyMs).toBeLessThanOrEqual(0.8 + 1e-9);
      expect(t.stable.latencySigma).toBeGreaterThanOrEqual(0.3);
      expect(t.stable.latencySigma).toBeLessThanOrEqual(0.8);
      expect(t.requestsPerMinute / t.tierPerMinute).toBeGreaterThanOrEqual(0.85);
      expect(t.requestsPerMinute / t.tierPerMinute).toBeLessThanOrEqual(1.15);
    }
  });

  it("gives regressions their size and a mix of onsets, and blips a bounded shape", () => {
    const regressions = traces.flatMap((t) => (t.label.class === "regression" ? [t.label] : []));
    for (const r of regressions) {
      const expected = {
        "error_x1.5": 1.5,
        error_x2: 2,
        error_x5: 5,
        error_x20: 20,
        "p95_+10%": 1.1,
        "p95_+30%": 1.3,
        "p95_+100%": 2,
      }[r.size];
      expect(r.factor).toBe(expected);
      expect(r.metric).toBe(r.size.startsWith("error") ? "error_rate" : "p95");
      if (r.onset.kind === "after_minutes") {
        expect(r.onset.minutes).toBeGreaterThanOrEqual(3);
        expect(r.onset.minutes).toBeLessThanOrEqual(8);
      }
    }
    const onsets = (kind: string) => regressions.filter((r) => r.onset.kind === kind).length;
    expect(onsets("immediate") / regressions.length).toBeGreaterThan(0.4);
    expect(onsets("at_weight") / regressions.length).toBeGreaterThan(0.18);
    expect(onsets("after_minutes") / regressions.length).toBeGreaterThan(0.18);
    const blips = traces.flatMap((t) => (t.label.class === "shared_noise" ? [t.label] : []));
    for (const b of blips) {
      expect([5, 25]).toContain(b.atWeight);
      expect(b.startAfterSeconds).toBeGreaterThanOrEqual(30);
      expect(b.startAfterSeconds + b.durationSeconds).toBeLessThanOrEqual(420);
      expect(b.errorRateAdded > 0 || b.latencyFactor > 1).toBe(true);
    }
  });
});
