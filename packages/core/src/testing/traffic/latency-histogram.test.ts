import { describe, expect, it } from "vitest";
import {
  addLatencySample,
  histogramQuantile,
  LATENCY_BUCKET_BOUNDS_MS,
  latencyBucketIndex,
  lognormalBucketProbabilities,
  lognormalP95Ms,
} from "./latency-histogram.js";
import { createSeededRandom } from "./seeded-random.js";

const cumulative = (counts: ArrayLike<number>) => {
  let sum = 0;
  return LATENCY_BUCKET_BOUNDS_MS.map((leMs, i) => {
    sum += counts[i]!;
    return { leMs, count: sum };
  });
};

describe("latency histogram", () => {
  it("has exponential bounds of factor 2^(1/8) from 1 ms, ending at Infinity", () => {
    expect(LATENCY_BUCKET_BOUNDS_MS).toHaveLength(130);
    expect(LATENCY_BUCKET_BOUNDS_MS[0]).toBe(1);
    expect(LATENCY_BUCKET_BOUNDS_MS[8]).toBeCloseTo(2, 12);
    expect(LATENCY_BUCKET_BOUNDS_MS[128]).toBeCloseTo(65_536, 6);
    expect(LATENCY_BUCKET_BOUNDS_MS.at(-1)).toBe(Number.POSITIVE_INFINITY);
    for (let i = 1; i < 129; i++)
      expect(LATENCY_BUCKET_BOUNDS_MS[i]! / LATENCY_BUCKET_BOUNDS_MS[i - 1]!).toBeCloseTo(
        2 ** (1 / 8),
        12,
      );
  });

  it("puts a latency in the first bucket whose bound is at least it", () => {
    expect(latencyBucketIndex(0.2)).toBe(0);
    expect(latencyBucketIndex(1)).toBe(0);
    expect(latencyBucketIndex(1.01)).toBe(1);
    expect(latencyBucketIndex(2)).toBe(8);
    expect(latencyBucketIndex(2.01)).toBe(9);
    expect(latencyBucketIndex(100_000)).toBe(129);
    for (const ms of [3, 47.5, 120, 299.9, 5_000]) {
      const i = latencyBucketIndex(ms);
      expect(LATENCY_BUCKET_BOUNDS_MS[i]!).toBeGreaterThanOrEqual(ms);
      expect(LATENCY_BUCKET_BOUNDS_MS[i - 1]!).toBeLessThan(ms);
    }
  });

  it("gives lognormal bucket probabilities that sum to 1 around the median", () => {
    const mu = Math.log(80);
    const p = lognormalBucketProbabilities(mu, 0.5);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    const belowMedian = p.slice(0, latencyBucketIndex(80) + 1).reduce((a, b) => a + b, 0);
    expect(belowMedian).toBeGreaterThan(0.5);
    expect(belowMedian).toBeLessThan(0.56);
  });

  it.each([5, 24, 25, 1_000, 200_000])(
    "adds exactly %d requests, whose p95 is the lognormal's within bucket resolution",
    (n) => {
      const mu = Math.log(60);
      const sigma = 0.6;
      const counts = new Float64Array(LATENCY_BUCKET_BOUNDS_MS.length);
      const lognormal = { mu, sigma, probabilities: lognormalBucketProbabilities(mu, sigma) };
      addLatencySample(createSeededRandom(n), n, lognormal, counts);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(n);
      for (const c of counts) expect(Number.isInteger(c) && c >= 0).toBe(true);
      if (n >= 200_000) {
        const p95 = histogramQuantile(0.95, cumulative(counts))!;
        expect(Math.abs(p95 / lognormalP95Ms(mu, sigma) - 1)).toBeLessThan(0.02);
      }
    },
  );

  it("interpolates a quantile within its bucket, and says null on an empty histogram", () => {
    const buckets = [
      { leMs: 100, count: 50 },
      { leMs: 200, count: 100 },
      { leMs: Number.POSITIVE_INFINITY, count: 100 },
    ];
    expect(histogramQuantile(0.25, buckets)).toBeCloseTo(50, 9);
    expect(histogramQuantile(0.75, buckets)).toBeCloseTo(100 * Math.SQRT2, 9);
    expect(histogramQuantile(1, buckets)).toBeCloseTo(200, 9);
    expect(
      histogramQuantile(0.99, [
        { leMs: 100, count: 90 },
        { leMs: Number.POSITIVE_INFINITY, count: 100 },
      ]),
    ).toBe(100);
    expect(histogramQuantile(0.95, [{ leMs: Number.POSITIVE_INFINITY, count: 0 }])).toBeNull();
    expect(histogramQuantile(0.95, [])).toBeNull();
  });
});
