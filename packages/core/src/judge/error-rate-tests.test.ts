import { describe, expect, it } from "vitest";
import { createSeededRandom } from "../testing/traffic/seeded-random.js";
import { logMixtureRatio, proportionInterval } from "./confidence-sequence.js";
import { logAboveEvidence, mixtureOf, WORSE_ALTERNATIVES } from "./error-rate-tests.js";

describe("one-sided evidence that a proportion is over a ceiling", () => {
  it("is rarely ever over 1/alpha at the ceiling itself, however often it is looked at", () => {
    // 400 paths of 5,000 requests at exactly the ceiling, looked at after every 50: by
    // Ville's inequality at most alpha (5%) of them may ever reach ×20.
    const random = createSeededRandom(11).next;
    const alpha = 0.05;
    const p0 = 0.02;
    let crossed = 0;
    for (let path = 0; path < 400; path++) {
      let x = 0;
      for (let n = 1; n <= 5000; n++) {
        if (random() < p0) x += 1;
        if (n % 50 === 0 && logAboveEvidence(x, n, p0) >= Math.log(1 / alpha)) {
          crossed += 1;
          break;
        }
      }
    }
    expect(crossed / 400).toBeLessThanOrEqual(alpha);
  });

  it("shows a breach of the ceiling on fewer requests than an interval's lower bound does", () => {
    // 56 errors in 3,000 against a 1% ceiling: ×1000 of one-sided evidence, while the
    // interval at the same level still reaches down to 0.98%.
    const bound = Math.log(1000);
    expect(logAboveEvidence(56, 3000, 0.01)).toBeGreaterThanOrEqual(bound);
    expect(proportionInterval(56, 3000, 0.001).lower).toBeLessThan(0.01);
    expect(logMixtureRatio(56, 3000, 0.01)).toBeLessThan(bound);
    // The same for a share of slow requests against 5%.
    expect(logAboveEvidence(145, 2000, 0.05)).toBeGreaterThanOrEqual(bound);
    expect(proportionInterval(145, 2000, 0.001).lower).toBeLessThan(0.05);
  });

  it("is no evidence below the ceiling, nor without requests", () => {
    expect(logAboveEvidence(5, 3000, 0.01)).toBeLessThan(0);
    expect(logAboveEvidence(0, 0, 0.01)).toBe(0);
    expect(logAboveEvidence(3, 10, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(logAboveEvidence(10, 10, 1)).toBe(Number.NEGATIVE_INFINITY);
    // A ceiling near 1 keeps every alternative a proportion.
    expect(Number.isFinite(logAboveEvidence(95, 100, 0.9))).toBe(true);
  });

  it("gives each ceiling its own terms, whichever ceilings were tested before it", () => {
    // The terms are kept per ceiling: each answer must still be the formula's, to the bit.
    const direct = (x: number, n: number, p0: number) =>
      mixtureOf(
        WORSE_ALTERNATIVES.map((f) => {
          const p1 = Math.min(f * p0, (1 + p0) / 2);
          return x * Math.log(p1 / p0) + (n - x) * (Math.log1p(-p1) - Math.log1p(-p0));
        }),
      );
    const asked: [number, number, number][] = [
      [30, 3000, 0.01],
      [30, 3000, 0.02],
      [30, 3000, 0.01],
      [7, 120, 0.05],
    ];
    // More ceilings than are kept, then the first ones again.
    for (let i = 1; i <= 40; i++) asked.push([i, 1000, i / 1000]);
    asked.push([30, 3000, 0.01], [30, 3000, 0.02]);
    for (const [x, n, p0] of asked) expect(logAboveEvidence(x, n, p0)).toBe(direct(x, n, p0));
  });
});
