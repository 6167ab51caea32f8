import { describe, expect, it } from "vitest";
import type { LatencyBucket } from "../contracts/slo-source.js";
import { histogramBounds, sameHistogramBounds } from "./histogram-bounds.js";

const histogram = (bounds: number[]): LatencyBucket[] =>
  bounds.map((leMs, i) => ({ leMs, count: i }));

/** What comparing two histograms' bounds bucket by bucket says. */
const direct = (a: LatencyBucket[], b: LatencyBucket[]) =>
  a.length === b.length && a.every((x, i) => x.leMs === b[i]!.leMs);

describe("histogram bounds", () => {
  it("are one object for histograms over the same bounds", () => {
    const a = histogram([1, 2, 4, Infinity]);
    const b = histogram([1, 2, 4, Infinity]);
    expect(histogramBounds(a)).toBe(histogramBounds(b));
    expect(sameHistogramBounds(histogramBounds(a), histogramBounds(b))).toBe(true);
  });

  it("compare as bucket-by-bucket comparison does, however bounds alternate", () => {
    const lists = [
      [1, 2, 4, Infinity],
      [1, 2, 5, Infinity],
      [1, 2, 4, Infinity],
      [1, 2, 4],
      [-0, 2, 4, Infinity],
      [0, 2, 4, Infinity],
      [1, 2, Number.NaN, Infinity],
      [1, 2, 4, Infinity],
    ];
    const histograms = lists.map(histogram);
    for (const a of histograms) {
      for (const b of histograms)
        expect(sameHistogramBounds(histogramBounds(a), histogramBounds(b))).toBe(direct(a, b));
    }
  });

  it("with NaN equal nothing, not even the same histogram", () => {
    const h = histogram([1, Number.NaN, Infinity]);
    expect(sameHistogramBounds(histogramBounds(h), histogramBounds(h))).toBe(false);
  });
});
