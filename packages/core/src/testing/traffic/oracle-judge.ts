import type { Judge, JudgeDecision, PollObservation } from "../../judge/judge.js";
import { normalCdf } from "../fakes/simulated-latency.js";
import type { CanaryTrace } from "./canary-trace.js";

/** z of the 95th percentile. */
const Z95 = 1.6448536269514722;

/** ln of the binomial likelihood ratio of `p1` against `p0` for `x` of `n`. */
function binomialLogRatio(x: number, n: number, p0: number, p1: number): number {
  return x * Math.log(p1 / p0) + (n - x) * Math.log((1 - p1) / (1 - p0));
}

/** The evidence one canary poll adds, for a regression of known size against the truth. */
function pollEvidence(trace: CanaryTrace, o: PollObservation): number {
  const label = trace.label;
  if (label.class !== "regression") return 0;
  const c = o.canary;
  if (label.metric === "error_rate") {
    if (c.requests === null || c.errors === null || c.requests <= 0) return 0;
    const p0 = trace.stable.errorRate;
    const p1 = Math.min(1 - 1e-12, p0 * label.factor);
    return binomialLogRatio(c.errors, c.requests, p0, p1);
  }
  // Latency: requests slower than the first bucket bound at or over stable's true p95,
  // whose share is known exactly under both hypotheses (the lognormal is known).
  const buckets = c.latencyBuckets;
  if (!buckets || buckets.length === 0) return 0;
  const { latencyMu: mu, latencySigma: sigma } = trace.stable;
  const p95 = Math.exp(mu + Z95 * sigma);
  const bound = buckets.find((b) => b.leMs >= p95);
  if (!bound || !Number.isFinite(bound.leMs)) return 0;
  const n = buckets[buckets.length - 1]!.count;
  const slow = n - bound.count;
  const p0 = 1 - normalCdf((Math.log(bound.leMs) - mu) / sigma);
  const p1 = 1 - normalCdf((Math.log(bound.leMs) - mu - Math.log(label.factor)) / sigma);
  return binomialLogRatio(slow, n, p0, p1);
}

/**
 * A judge no real judge can be: it knows the trace — stable's true error rate and latency,
 * and the regression's metric and size — and runs a CUSUM of the exact likelihood ratio
 * (regressed against healthy) over every canary request of the release, stable track or
 * none, breaching at `ln(1/alpha)`. It never promotes early and never waits longer. Its
 * recall bounds what any judge can reach at that false-breach level on the same traffic:
 * a regression the oracle misses is not in the data. `whileStableServes` counts only the
 * polls where stable also served (before 100%): the bound for a judge that compares the
 * canary with a concurrent baseline, as the statistical judge does.
 *
 * @example
 * ```ts
 * const run = await runJudgeOnTrace(trace, "oracle");
 * ```
 */
export function createOracleJudge(
  trace: CanaryTrace,
  options: { alpha?: number; whileStableServes?: boolean } = {},
): Judge {
  const bound = Math.log(1 / (options.alpha ?? 0.001));
  const counted = (o: PollObservation) => !options.whileStableServes || o.stable !== null;
  return {
    name: "oracle",
    window: "interval",
    decide(input): JudgeDecision {
      let cusum = 0;
      for (const o of input.observations)
        if (counted(o)) cusum = Math.max(0, cusum + pollEvidence(trace, o));
      const last = input.observations.at(-1);
      const evidence = {
        canary: {
          requests: last?.canary.requests ?? null,
          errors: last?.canary.errors ?? null,
          errorRate: last?.canary.errorRate ?? null,
          p95LatencyMs: last?.canary.p95LatencyMs ?? null,
        },
        stable: null,
        errorRateRatio: null,
        p95Ratio: null,
        checks: [],
      };
      if (cusum >= bound)
        return {
          verdict: "breach",
          reason: `oracle: the regression shows (evidence ${cusum.toFixed(1)} ≥ ${bound.toFixed(1)})`,
          evidence,
        };
      return input.step.final
        ? { verdict: "pass", reason: "oracle: not shown in the window", evidence }
        : { verdict: "continue", reason: "oracle: watching", evidence };
    },
  };
}
