import { readingOf, type SloMeasurement } from "../contracts/slo-source.js";
import type {
  Judge,
  JudgeDecision,
  JudgeEvidence,
  PollObservation,
  TrackReading,
} from "./judge.js";
import { judgeMeasurement, type SloVerdict, type ThresholdRuleSpec } from "./threshold-rule.js";

/** What the threshold judge reads: the objectives, the optional baseline rule, and the no-data limits. */
export interface ThresholdJudgeOptions extends ThresholdRuleSpec {
  policy: { min_sample_count: number; max_no_data_polls: number };
}

function measurementOf(t: TrackReading): SloMeasurement {
  return {
    errorRate: readingOf(t.errorRate, t.errorRateNoData ?? "no samples in window"),
    p95LatencyMs: readingOf(t.p95LatencyMs, t.p95NoData ?? "no samples in window"),
    sampleCount: t.requests,
  };
}

function verdictOf(o: PollObservation, options: ThresholdJudgeOptions): SloVerdict {
  return judgeMeasurement(
    measurementOf(o.canary),
    options,
    o.weight,
    o.stable ? measurementOf(o.stable) : null,
  );
}

function evidenceOf(o: PollObservation): JudgeEvidence {
  const view = (t: TrackReading) => ({
    requests: t.requests,
    errors: t.errors,
    errorRate: t.errorRate,
    p95LatencyMs: t.p95LatencyMs,
  });
  const canary = view(o.canary);
  const stable = o.stable ? view(o.stable) : null;
  return {
    canary,
    stable,
    errorRateRatio:
      canary.errorRate !== null && stable?.errorRate ? canary.errorRate / stable.errorRate : null,
    p95Ratio:
      canary.p95LatencyMs !== null && stable?.p95LatencyMs
        ? canary.p95LatencyMs / stable.p95LatencyMs
        : null,
    checks: [],
  };
}

/**
 * The threshold judge: each poll reads the step so far (a cumulative window) and the first
 * reading over an objective rolls back; `max_no_data_polls` readings without data in a row,
 * or a window that ends on one, fail closed. Kept for teams that want this rule and as the
 * benchmark's reference; choose it with `policy.judge.kind: threshold`.
 */
export function createThresholdJudge(options: ThresholdJudgeOptions): Judge {
  return {
    name: "threshold",
    window: "cumulative",
    decide(input): JudgeDecision {
      const stepObs = input.observations.filter((o) => o.stepIndex === input.step.index);
      const last = stepObs[stepObs.length - 1];
      if (!last) {
        return {
          verdict: input.step.final ? "breach" : "continue",
          reason: "no reading in the window (failing closed)",
          evidence: {
            canary: { requests: null, errors: null, errorRate: null, p95LatencyMs: null },
            stable: null,
            errorRateRatio: null,
            p95Ratio: null,
            checks: [],
          },
        };
      }
      const evidence = evidenceOf(last);
      const verdict = verdictOf(last, options);
      if (verdict.verdict === "breach")
        return { verdict: "breach", reason: verdict.reason, evidence };
      if (verdict.verdict === "no_data") {
        let run = 0;
        for (let i = stepObs.length - 1; i >= 0; i--) {
          if (verdictOf(stepObs[i]!, options).verdict !== "no_data") break;
          run += 1;
        }
        if (run >= options.policy.max_no_data_polls) {
          return {
            verdict: "breach",
            reason: `${verdict.reason} (${run} polls in a row; failing closed)`,
            evidence,
          };
        }
        if (input.step.final) {
          return {
            verdict: "breach",
            reason: `${verdict.reason} at the end of the window (failing closed)`,
            evidence,
          };
        }
        return { verdict: "continue", reason: verdict.reason, evidence };
      }
      return { verdict: input.step.final ? "pass" : "continue", reason: verdict.detail, evidence };
    },
  };
}
