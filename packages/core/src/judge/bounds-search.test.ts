import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LatencyBucket } from "../contracts/slo-source.js";
import { firstNotUnder, slowCount } from "./bounds-search.js";
import { histogramBounds } from "./histogram-bounds.js";
import { slowerThan } from "./latency-histogram.js";

const bound = fc.oneof(
  fc.integer({ min: 0, max: 12 }).map((n) => n / 2),
  fc.constantFrom(-0, Number.POSITIVE_INFINITY, Number.NaN),
);
const limit = fc.oneof(
  fc.integer({ min: -1, max: 14 }).map((n) => n / 2),
  fc.constantFrom(-0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN),
);
// Sorted or not, with repeats, NaN and infinities; counts cumulative or not.
const histogram = fc
  .tuple(fc.array(fc.tuple(bound, fc.nat(50)), { minLength: 1, maxLength: 12 }), fc.boolean())
  .map(([pairs, sorted]): LatencyBucket[] => {
    const bounds = pairs.map(([b]) => b);
    if (sorted) bounds.sort((a, b) => a - b);
    return bounds.map((leMs, i) => ({ leMs, count: pairs[i]![1] }));
  });

describe("searching histogram bounds", () => {
  it("counts what slowerThan counts, on either side of any limit (property)", () => {
    fc.assert(
      fc.property(histogram, limit, fc.constantFrom("at_most", "at_least"), (h, x, side) => {
        const copy = h.map((b) => ({ ...b }));
        expect(slowCount(h, histogramBounds(copy), x, side)).toBe(slowerThan(h, x, side).slow);
      }),
      { numRuns: 2000 },
    );
  });

  it("finds the first bound not under a threshold, as a scan does, where bounds ascend (property)", () => {
    fc.assert(
      fc.property(histogram, limit, (h, x) => {
        const bounds = histogramBounds(h);
        if (!bounds.ascending) return;
        let i = 0;
        while (i < h.length && h[i]!.leMs < x) i++;
        expect(firstNotUnder(bounds, x)).toBe(i);
      }),
      { numRuns: 2000 },
    );
  });
});
