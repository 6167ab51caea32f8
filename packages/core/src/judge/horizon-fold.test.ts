import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LatencyBucket } from "../contracts/slo-source.js";
import { foldHorizon, mergedOf, mergedP95 } from "./horizon-fold.js";
import type { PollObservation, TrackReading } from "./judge.js";
import { histogramQuantile } from "./latency-histogram.js";

const BOUNDS = [1, 2, 4, 8, 16, Number.POSITIVE_INFINITY];

// Counts per bucket: cumulative as a source gives them, or not (a reset, a NaN).
const counts = fc.oneof(
  fc.array(fc.nat(30), { minLength: 6, maxLength: 6 }).map((steps) => {
    let sum = 0;
    return steps.map((s) => (sum += s));
  }),
  fc.array(fc.oneof(fc.nat(30), fc.constant(Number.NaN)), { minLength: 6, maxLength: 6 }),
);

const reading = (c: number[]): TrackReading => {
  const buckets: LatencyBucket[] = BOUNDS.map((leMs, i) => ({ leMs, count: c[i]! }));
  return { requests: 100, errors: 1, errorRate: 0.01, p95LatencyMs: null, latencyBuckets: buckets };
};

describe("a horizon's merged histograms", () => {
  it("have the p95 histogramQuantile gives for their counts, cumulative or not (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(counts, counts), { minLength: 1, maxLength: 6 }), (polls) => {
        const observations: PollObservation[] = polls.map(([c, s], i) => ({
          atMs: i * 60_000,
          intervalMs: 60_000,
          stepIndex: 0,
          weight: 5,
          phase: "canary",
          canary: reading(c),
          stable: reading(s),
        }));
        // After every poll, as the judge folds them.
        for (let n = 1; n <= observations.length; n++) {
          const sums = foldHorizon(observations.slice(0, n), {
            errorRatio: 2,
            p95Ratio: 1.2,
            p95MaxMs: 8,
          });
          for (const h of [sums.canaryAll, sums.stableAll]) {
            const buckets = mergedOf(h);
            const want = buckets ? histogramQuantile(buckets, 0.95) : null;
            expect(Object.is(mergedP95(h), want)).toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
