import { describe, expect, it } from "vitest";
import { createSeededRandom, hashSeed } from "./seeded-random.js";

const draws = (seed: number, n: number) => {
  const rng = createSeededRandom(seed);
  return Array.from({ length: n }, () => rng.next());
};

const meanAndVariance = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
};

describe("seeded random", () => {
  it("repeats its draws for a seed and differs across seeds", () => {
    expect(draws(42, 50)).toEqual(draws(42, 50));
    expect(draws(42, 50)).not.toEqual(draws(43, 50));
    expect(draws(7, 1000).every((u) => u >= 0 && u < 1)).toBe(true);
  });

  it("hashes its parts in order into distinct 32-bit seeds", () => {
    expect(hashSeed(1, 2)).toBe(hashSeed(1, 2));
    expect(hashSeed(1, 2)).not.toBe(hashSeed(2, 1));
    const seeds = new Set(Array.from({ length: 10_000 }, (_, slot) => hashSeed(99, slot)));
    expect(seeds.size).toBe(10_000);
    expect([...seeds].every((s) => Number.isInteger(s) && s >= 0 && s < 2 ** 32)).toBe(true);
  });

  it.each([
    [10, 0.3],
    [200, 0.005],
    [1_600, 0.004],
    [5_000, 0.05],
    [40, 0.9],
  ])("draws binomial(%d, %d) with the right mean and variance", (n, p) => {
    const rng = createSeededRandom(hashSeed(n, p * 1e6));
    const xs = Array.from({ length: 20_000 }, () => rng.binomial(n, p));
    const { mean, variance } = meanAndVariance(xs);
    const sd = Math.sqrt(n * p * (1 - p));
    expect(Math.abs(mean - n * p)).toBeLessThan((4 * sd) / Math.sqrt(xs.length) + 0.01);
    expect(variance / (sd * sd)).toBeGreaterThan(0.9);
    expect(variance / (sd * sd)).toBeLessThan(1.1);
    expect(xs.every((x) => Number.isInteger(x) && x >= 0 && x <= n)).toBe(true);
  });

  it("draws poisson with the right mean and variance, small and large", () => {
    for (const lambda of [0.4, 8, 1_700]) {
      const rng = createSeededRandom(hashSeed(lambda * 10));
      const xs = Array.from({ length: 20_000 }, () => rng.poisson(lambda));
      const { mean, variance } = meanAndVariance(xs);
      expect(Math.abs(mean - lambda)).toBeLessThan(4 * Math.sqrt(lambda / xs.length));
      expect(variance / lambda).toBeGreaterThan(0.9);
      expect(variance / lambda).toBeLessThan(1.1);
    }
    expect(createSeededRandom(1).poisson(0)).toBe(0);
    expect(createSeededRandom(1).binomial(0, 0.5)).toBe(0);
    expect(createSeededRandom(1).binomial(30, 1)).toBe(30);
  });

  it("draws standard normals", () => {
    const rng = createSeededRandom(5);
    const { mean, variance } = meanAndVariance(Array.from({ length: 20_000 }, () => rng.normal()));
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});
