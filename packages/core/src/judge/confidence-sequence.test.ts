import { describe, expect, it } from "vitest";
import { createSeededRandom } from "../testing/traffic/seeded-random.js";
import { logGamma, logMixtureRatio, proportionInterval } from "./confidence-sequence.js";

describe("anytime-valid proportion intervals", () => {
  it("computes ln Γ exactly enough", () => {
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 10);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 10);
    expect(logGamma(1)).toBeCloseTo(0, 12);
  });

  it("contains the estimate, narrows with more data, and widens with more confidence", () => {
    const small = proportionInterval(4, 1000, 0.05);
    const large = proportionInterval(40, 10_000, 0.05);
    const strict = proportionInterval(40, 10_000, 0.001);
    for (const i of [small, large, strict]) {
      expect(i.lower).toBeLessThanOrEqual(i.estimate);
      expect(i.upper).toBeGreaterThanOrEqual(i.estimate);
    }
    expect(large.upper - large.lower).toBeLessThan(small.upper - small.lower);
    expect(strict.upper - strict.lower).toBeGreaterThan(large.upper - large.lower);
    expect(proportionInterval(0, 0, 0.05)).toMatchObject({ lower: 0, upper: 1 });
    expect(proportionInterval(0, 50, 0.05).lower).toBe(0);
    expect(proportionInterval(50, 50, 0.05).upper).toBe(1);
  });

  it("at its bounds the mixture ratio equals 1/alpha", () => {
    const i = proportionInterval(12, 3000, 0.01);
    expect(logMixtureRatio(12, 3000, i.lower)).toBeCloseTo(Math.log(100), 4);
    expect(logMixtureRatio(12, 3000, i.upper)).toBeCloseTo(Math.log(100), 4);
  });

  it("keeps the true rate inside at every look on (nearly) every path", () => {
    // 400 paths of 2,000 requests looked at after every 20: the true rate may leave the
    // interval at any look on at most alpha of the paths (here 5%), by Ville's inequality.
    const random = createSeededRandom(7).next;
    const alpha = 0.05;
    const p = 0.01;
    let escaped = 0;
    for (let path = 0; path < 400; path++) {
      let x = 0;
      for (let n = 1; n <= 2000; n++) {
        if (random() < p) x += 1;
        if (n % 20 !== 0) continue;
        const i = proportionInterval(x, n, alpha);
        if (p < i.lower || p > i.upper) {
          escaped += 1;
          break;
        }
      }
    }
    expect(escaped / 400).toBeLessThanOrEqual(alpha);
  });

  it("finds each bound to 1e-8 and never inside the true interval (vs bisection)", () => {
    // A slow, plain bisection on the mixture ratio is the reference.
    const reference = (x: number, n: number, alpha: number, side: "lower" | "upper") => {
      const bound = Math.log(1 / alpha);
      let lo = side === "lower" ? 1e-12 : x / n;
      let hi = side === "lower" ? x / n : 1 - 1e-12;
      for (let i = 0; i < 200; i++) {
        const mid = (lo + hi) / 2;
        const outside = logMixtureRatio(x, n, mid) > bound;
        if ((side === "lower") === outside) lo = mid;
        else hi = mid;
      }
      return (lo + hi) / 2;
    };
    for (const [x, n] of [
      [1, 10],
      [3, 50],
      [12, 3000],
      [0, 400],
      [400, 400],
      [999, 1000],
      [5, 1_000_000],
      [180_000, 2_000_000],
    ] as const) {
      for (const alpha of [0.001, 0.05, 0.5]) {
        const i = proportionInterval(x, n, alpha);
        if (x > 0) {
          const ref = reference(x, n, alpha, "lower");
          expect(i.lower).toBeLessThanOrEqual(ref * (1 + 1e-10));
          expect(Math.abs(i.lower - ref)).toBeLessThanOrEqual(1e-8 * ref);
        } else expect(i.lower).toBe(0);
        if (x < n) {
          const ref = reference(x, n, alpha, "upper");
          expect(i.upper).toBeGreaterThanOrEqual(ref - 1e-10 * (1 - ref) - 1e-15);
          expect(Math.abs(i.upper - ref)).toBeLessThanOrEqual(1e-8 * (1 - ref) + 1e-12);
        } else expect(i.upper).toBe(1);
      }
    }
  });
});
