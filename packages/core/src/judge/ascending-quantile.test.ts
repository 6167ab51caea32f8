import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LatencyBucket } from "../contracts/slo-source.js";
import { ascendingHistogramQuantile } from "./ascending-quantile.js";
import { histogramQuantile } from "./latency-histogram.js";

const bound = fc.oneof(
  fc.double({ min: -5, max: 500, noNaN: true }),
  fc.constantFrom(0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN),
);
// Counts that never decrease (repeats, zeros, fractions), over bounds in any order.
const histogram = fc
  .array(fc.tuple(bound, fc.oneof(fc.nat(20), fc.double({ min: 0, max: 20, noNaN: true }))), {
    minLength: 0,
    maxLength: 14,
  })
  .map((pairs): LatencyBucket[] => {
    let count = 0;
    return pairs.map(([leMs, step]) => {
      count += step;
      return { leMs, count };
    });
  });

describe("the quantile of a histogram whose counts ascend", () => {
  it("is histogramQuantile's, to the bit (property)", () => {
    fc.assert(
      fc.property(histogram, fc.constantFrom(0, 0.5, 0.95, 0.99, 1), (h, q) => {
        expect(Object.is(ascendingHistogramQuantile(h, q), histogramQuantile(h, q))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
