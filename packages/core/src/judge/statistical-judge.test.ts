import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lognormalBuckets } from "../testing/fakes/simulated-latency.js";
import {
  addLatencySample,
  LATENCY_BUCKET_BOUNDS_MS,
  lognormalBucketProbabilities,
} from "../testing/traffic/latency-histogram.js";
import { createSeededRandom, type SeededRandom } from "../testing/traffic/seeded-random.js";
import type { JudgeInput, PollObservation, TrackReading } from "./judge.js";
import { histogramQuantile } from "./latency-histogram.js";
import { createStatisticalJudge } from "./statistical-judge.js";

const objectives = { errorRateMax: 0.01, p95LatencyMsMax: 300 };

function track(requests: number, errors: number, p95: number | null): TrackReading {
  return {
    requests,
    errors,
    errorRate: requests > 0 ? errors / requests : null,
    p95LatencyMs: requests > 0 ? p95 : null,
    latencyBuckets: requests > 0 && p95 !== null ? lognormalBuckets(requests, p95) : null,
  };
}

function poll(
  minute: number,
  canary: TrackReading,
  stable: TrackReading | null,
  stepIndex = 0,
  weight = 5,
): PollObservation {
  return {
    atMs: minute * 60_000,
    intervalMs: 60_000,
    stepIndex,
    weight,
    phase: "canary",
    canary,
    stable,
  };
}

function input(
  observations: PollObservation[],
  final = false,
  elapsedMinutes = observations.filter(
    (o) => o.stepIndex === observations.at(-1)!.stepIndex,
  ).length,
): JudgeInput {
  const last = observations.at(-1)!;
  return {
    objectives,
    observations,
    step: {
      index: last.stepIndex,
      weight: last.weight,
      phase: last.phase,
      elapsedMs: elapsedMinutes * 60_000,
      windowMs: 10 * 60_000,
      final,
    },
  };
}

const judge = createStatisticalJudge();

/** `n` requests drawn from a lognormal latency (p95 `p95Ms`), into the benchmark's buckets. */
function sampled(random: SeededRandom, n: number, p95Ms: number, sigma: number): TrackReading {
  const mu = Math.log(p95Ms) - 1.6448536269514722 * sigma;
  const counts = new Float64Array(LATENCY_BUCKET_BOUNDS_MS.length);
  addLatencySample(
    random,
    n,
    { mu, sigma, probabilities: lognormalBucketProbabilities(mu, sigma) },
    counts,
  );
  let total = 0;
  const buckets = LATENCY_BUCKET_BOUNDS_MS.map((leMs, i) => {
    total += counts[i]!;
    return { leMs, count: total };
  });
  return {
    requests: n,
    errors: 0,
    errorRate: n > 0 ? 0 : null,
    p95LatencyMs: n > 0 ? histogramQuantile(buckets, 0.95) : null,
    latencyBuckets: n > 0 ? buckets : null,
  };
}

/** How many of `releases` one-step releases of `polls` sampled polls end in a breach. */
function breaches(
  releases: number,
  polls: number,
  perPoll: { canary: number; stable: number },
  p95Ms: { canary: number; stable: number },
  seed: number,
): number {
  const random = createSeededRandom(seed);
  let count = 0;
  for (let r = 0; r < releases; r++) {
    const j = createStatisticalJudge({ early_promotion: false });
    const obs: PollObservation[] = [];
    for (let m = 1; m <= polls; m++) {
      obs.push(
        poll(
          m,
          sampled(random, perPoll.canary, p95Ms.canary, 0.8),
          sampled(random, perPoll.stable, p95Ms.stable, 0.8),
          1,
          25,
        ),
      );
      if (j.decide(input(obs, m === polls)).verdict === "breach") {
        count += 1;
        break;
      }
    }
  }
  return count;
}

describe("statistical judge", () => {
  it("rolls back a canary with five times stable's error rate on a large sample", () => {
    const obs = [1, 2, 3].map((m) => poll(m, track(1000, 20, 150), track(19_000, 76, 150)));
    const d = judge.decide(input(obs));
    expect(d.verdict).toBe("breach");
    expect(d.reason).toMatch(/worse than stable beyond chance .* and by more than 1\.5×/);
    expect(d.evidence.errorRateRatio).toBeCloseTo(5, 5);
    expect(d.evidence.checks.find((c) => c.against === "vs_stable")?.outcome).toBe("breach");
  });

  it("does not roll back a difference under the effect floor, however certain", () => {
    // 1.3× stable on 400,000 canary requests: beyond chance, but under max_error_rate_ratio.
    const obs = [1, 2].map((m) => poll(m, track(200_000, 1040, 150), track(800_000, 3200, 150)));
    const d = judge.decide(input(obs));
    expect(d.verdict).not.toBe("breach");
    const check = d.evidence.checks.find(
      (c) => c.against === "vs_stable" && c.metric === "error_rate",
    );
    expect(check?.outcome).toBe("open");
    // …and a lower floor makes the same evidence a breach.
    expect(createStatisticalJudge({ max_error_rate_ratio: 1.2 }).decide(input(obs)).verdict).toBe(
      "breach",
    );
  });

  it("does not roll back on one unlucky error at low traffic", () => {
    const obs = [poll(1, track(5, 1, 150), track(95, 0, 150))];
    const d = judge.decide(input(obs));
    expect(d.verdict).toBe("continue");
    expect(judge.decide(input(obs, true)).verdict).toBe("inconclusive");
    // Enough requests for a verdict, and a point estimate over the objective (1.7% > 1%),
    // but well within noise: one error in 60 is no evidence of a breach.
    const noisy = [poll(1, track(60, 1, 150), null, 2, 100)];
    expect(judge.decide(input(noisy, true)).verdict).toBe("pass");
  });

  it("catches a doubled p95 against stable on a large sample", () => {
    const obs = [1, 2].map((m) => poll(m, track(2000, 2, 240), track(18_000, 18, 120)));
    const d = judge.decide(input(obs));
    expect(d.verdict).toBe("breach");
    expect(d.reason).toMatch(/p95 over 1\.15× stable/);
  });

  it("does not roll back a canary as fast as stable when each poll has few stable requests", () => {
    // 10 requests a minute on each track, 40 minutes: a minute's stable p95 is a noisy
    // quantile of 10 requests that the canary exceeds far more than 5% of the time; counting
    // both tracks' requests over one threshold keeps a breach at chance level.
    const same = { canary: 180, stable: 180 };
    expect(breaches(200, 40, { canary: 10, stable: 10 }, same, 3)).toBeLessThanOrEqual(2);
    // …and a canary three times slower is still rolled back, on the same traffic.
    const slower = { canary: 540, stable: 180 };
    expect(breaches(50, 40, { canary: 10, stable: 10 }, slower, 4)).toBeGreaterThanOrEqual(45);
  });

  it("catches a 30% slower p95 at 5% of 2,000 requests a minute within 15 minutes", () => {
    // 100 canary and 1,900 stable requests a minute: stable's share of slow requests is
    // measured, not taken to be 5% of a threshold rounded up to the next bucket bound.
    const slower = { canary: 234, stable: 180 };
    expect(breaches(40, 15, { canary: 100, stable: 1900 }, slower, 5)).toBeGreaterThanOrEqual(39);
  });

  it("without a baseline, rolls back an error rate shown over the objective by a one-sided test", () => {
    // 56 errors in 3,000 requests at 100%: ×1000 of evidence of a rate over 1%, though an
    // interval on the rate at the same level still reaches below 1%.
    const counts = [19, 19, 18];
    const obs = counts.map((e, i) => poll(i + 1, track(1000, e, 150), null, 2, 100));
    const d = judge.decide(input(obs));
    expect(d.verdict).toBe("breach");
    expect(d.reason).toMatch(/over the 1\.00% objective beyond chance \(evidence ×\d+ ≥ ×1000\)/);
    // At the objective itself, no breach.
    const at = [10, 10, 10].map((e, i) => poll(i + 1, track(1000, e, 150), null, 2, 100));
    expect(judge.decide(input(at)).verdict).not.toBe("breach");
  });

  it("holds, and says so, when stable is as degraded as the canary", () => {
    const obs = [1, 2, 3].map((m) => poll(m, track(1000, 50, 150), track(19_000, 950, 150)));
    const d = judge.decide(input(obs, true));
    expect(d.verdict).toBe("hold");
    expect(d.reason).toMatch(/shared degradation/);
  });

  it("without a baseline, holds the canary to the objectives only", () => {
    const over = [1, 2, 3].map((m) => poll(m, track(5000, 100, 150), null, 2, 100));
    expect(judge.decide(input(over)).verdict).toBe("breach");
    const within = [1, 2, 3].map((m) => poll(m, track(5000, 10, 150), null, 2, 100));
    const d = judge.decide(input(within));
    expect(d.verdict).toBe("pass");
    expect(d.reason).toMatch(/^early promotion/);
  });

  it("never promotes early before min_step_minutes, however strong the evidence", () => {
    const strict = createStatisticalJudge({ min_step_minutes: 5 });
    const obs = [1, 2, 3].map((m) => poll(m, track(50_000, 10, 100), null, 2, 100));
    expect(strict.decide(input(obs)).verdict).toBe("continue");
    const later = [1, 2, 3, 4, 5].map((m) => poll(m, track(50_000, 10, 100), null, 2, 100));
    expect(strict.decide(input(later)).verdict).toBe("pass");
    expect(createStatisticalJudge({ early_promotion: false }).decide(input(later)).verdict).toBe(
      "continue",
    );
  });

  it("is a pure function of the series: same input, same decision, input untouched", () => {
    const obs = [1, 2, 3].map((m) => poll(m, track(800, 3, 170), track(15_000, 40, 160)));
    const frozen = JSON.stringify(obs);
    const a = judge.decide(input(obs));
    const b = judge.decide(input(JSON.parse(frozen, (_, v) => (v === null ? null : v))));
    expect(JSON.stringify(obs)).toBe(frozen);
    expect(b.verdict).toBe(a.verdict);
    expect(b.reason).toBe(a.reason);
  });

  it("extends a step that ends under suspicion, never rolling back for it", () => {
    // Twice stable's error rate on 2,400 canary requests: past the floors, evidence of a
    // regression over ×10 (×75) but short of the ×1000 a breach needs.
    const obs = [1, 2, 3].map((m) => poll(m, track(800, 10, 150), track(9500, 57, 150)));
    const ended = judge.decide(input(obs, true));
    expect(ended.verdict).toBe("extend");
    expect(ended.reason).toMatch(/^suspect: .*worse than stable by more than 1\.5×/);
    const check = ended.evidence.checks.find(
      (c) => c.against === "vs_stable" && c.metric === "error_rate",
    );
    expect(check?.outcome).toBe("suspect");
    // Before the window's end it only keeps watching.
    expect(judge.decide(input(obs)).verdict).toBe("continue");
    // Turned off, or with a stricter suspicion bound, the step passes.
    expect(
      createStatisticalJudge({ max_suspect_extensions: 0 }).decide(input(obs, true)).verdict,
    ).toBe("pass");
    expect(createStatisticalJudge({ suspect_evidence: 1e5 }).decide(input(obs, true)).verdict).toBe(
      "pass",
    );
    // The same rate on stable's side is no suspicion.
    const even = [1, 2, 3].map((m) => poll(m, track(800, 5, 150), track(9500, 57, 150)));
    expect(judge.decide(input(even, true)).verdict).toBe("pass");
  });

  it("gives the same decisions whether or not earlier decisions saw the same polls", () => {
    // Decisions reuse sums of polls they have seen; any order of calls must not matter.
    const a = [1, 2, 3, 4].map((m) => poll(m, track(700, 4 + m, 160), track(12_000, 30, 150)));
    const b = [a[0]!, poll(2, track(900, 20, 400), track(12_000, 30, 150)), a[2]!];
    const fresh = (obs: PollObservation[], final: boolean) =>
      createStatisticalJudge().decide(input(structuredClone(obs), final));
    const shared = createStatisticalJudge();
    for (const [obs, final] of [
      [a, false],
      [a.slice(0, 2), true],
      [b, false],
      [a.slice(0, 3), true],
      [a, true],
      [b.slice(0, 2), false],
    ] as const) {
      const d = shared.decide(input([...obs], final));
      const f = fresh([...obs], final);
      expect(d.verdict).toBe(f.verdict);
      expect(d.reason).toBe(f.reason);
      expect(d.evidence).toEqual(f.evidence);
    }
  });

  const counts = fc.record({
    requests: fc.integer({ min: 0, max: 200_000 }),
    errorShare: fc.double({ min: 0, max: 1, noNaN: true }),
    p95: fc.double({ min: 1, max: 2000, noNaN: true }),
  });

  it("never promotes on no data, on NaN, or on fewer than the minimum requests (property)", () => {
    fc.assert(
      fc.property(
        fc.array(counts, { minLength: 1, maxLength: 12 }),
        fc.constantFrom("nodata", "nan", "few"),
        fc.boolean(),
        (series, kind, final) => {
          const obs = series.map((c, i) => {
            const few = Math.min(c.requests, 3);
            const canary: TrackReading =
              kind === "nodata"
                ? {
                    requests: null,
                    errors: null,
                    errorRate: null,
                    p95LatencyMs: null,
                    latencyBuckets: null,
                  }
                : kind === "nan"
                  ? {
                      requests: c.requests,
                      errors: null,
                      errorRate: Number.NaN,
                      p95LatencyMs: Number.NaN,
                      latencyBuckets: null,
                    }
                  : track(few, Math.round(few * c.errorShare), c.p95);
            return poll(i + 1, canary, track(10_000, 10, 150));
          });
          // 12 polls × at most 3 requests stays under the default minimum of 50.
          const d = judge.decide(input(obs, final, 30));
          return d.verdict !== "pass";
        },
      ),
      { numRuns: 300 },
    );
  });

  it("always rolls back a clear breach of the ceiling on a large sample while stable is within it (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20_000, max: 500_000 }),
        fc.double({ min: 0.03, max: 0.5, noNaN: true }),
        fc.double({ min: 0, max: 0.008, noNaN: true }),
        fc.boolean(),
        (requests, canaryRate, stableRate, withBaseline) => {
          const stable = withBaseline
            ? track(requests * 4, Math.round(requests * 4 * stableRate), 150)
            : null;
          const obs = [poll(1, track(requests, Math.round(requests * canaryRate), 150), stable)];
          return judge.decide(input(obs)).verdict === "breach";
        },
      ),
      { numRuns: 200 },
    );
  });

  it("never rolls back a canary with no errors and a p95 within both limits (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 15 }),
        fc.double({ min: 20, max: 250, noNaN: true }),
        (perPoll, p95) => {
          const obs = perPoll.map((n, i) => poll(i + 1, track(n, 0, p95), track(n * 19, n, p95)));
          const d = judge.decide(input(obs, true, 10));
          return d.verdict !== "breach" && d.verdict !== "hold";
        },
      ),
      { numRuns: 200 },
    );
  });

  it("decides after every poll as it would on the whole series afresh, histogram bounds changing midway", () => {
    // The judge keeps sums poll by poll and each histogram's bounds: a later poll over other
    // bounds (and back), or a series that shares a prefix with one seen before, must not
    // reuse anything stale. Afresh: a new judge on deep copies, so nothing is shared.
    const coarse = (t: TrackReading): TrackReading => ({
      ...t,
      latencyBuckets: t.latencyBuckets!.filter(
        (_, i) => i % 2 === 0 || i === t.latencyBuckets!.length - 1,
      ),
    });
    const copy = (t: TrackReading | null): TrackReading | null =>
      t && { ...t, latencyBuckets: t.latencyBuckets?.map((b) => ({ ...b })) ?? null };
    const afresh = (obs: PollObservation[], final: boolean) =>
      createStatisticalJudge().decide(
        input(
          obs.map((o) => ({ ...o, canary: copy(o.canary)!, stable: copy(o.stable) })),
          final,
        ),
      );
    // Series that differ from poll `slowAt` on share their earlier polls, object for object.
    const made = new Map<string, PollObservation>();
    const series = (slowAt: number) =>
      Array.from({ length: 8 }, (_, i) => {
        const key = `${i}:${i >= slowAt}`;
        if (!made.has(key)) {
          const canary = track(2000, 4, i >= slowAt ? 400 : 120);
          const stable = track(20_000, 40, 120);
          made.set(
            key,
            poll(
              i + 1,
              i === 3 ? coarse(canary) : canary,
              i === 5 ? coarse(stable) : stable,
              i < 4 ? 0 : 1,
              i < 4 ? 5 : 25,
            ),
          );
        }
        return made.get(key)!;
      });
    const j = createStatisticalJudge();
    for (const slowAt of [99, 6, 2]) {
      const obs = series(slowAt);
      for (let n = 1; n <= obs.length; n++) {
        const seen = obs.slice(0, n);
        const d = j.decide(input(seen, n === obs.length));
        expect(d).toEqual(afresh(seen, n === obs.length));
        // The coarse canary histogram (4th poll) has other bounds: the step has no merged
        // histogram, so its p95 is the last poll's own.
        if (n === 4) expect(d.evidence.canary.p95LatencyMs).toBe(seen[3]!.canary.p95LatencyMs);
      }
    }
  });
});
