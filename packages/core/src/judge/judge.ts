import type { LatencyBucket } from "../contracts/slo-source.js";

/**
 * One track's traffic over one poll interval (or, for a judge that measures cumulatively,
 * over the step so far). Every field is `null` where the SLO source could not say.
 */
export interface TrackReading {
  requests: number | null;
  errors: number | null;
  errorRate: number | null;
  p95LatencyMs: number | null;
  latencyBuckets: LatencyBucket[] | null;
  /** Why `errorRate` is null, when it is. */
  errorRateNoData?: string;
  /** Why `p95LatencyMs` is null, when it is. */
  p95NoData?: string;
}

/** One poll of the canary and, where there is one, the stable track. */
export interface PollObservation {
  /** End of the measured interval, ms since the epoch (release clock). */
  atMs: number;
  /** Length of the measured interval in ms. */
  intervalMs: number;
  /** Which watch window this poll belongs to (0-based, canary steps then stabilization). */
  stepIndex: number;
  weight: number;
  phase: "canary" | "stabilization";
  canary: TrackReading;
  /** `null` when there is no baseline: no stable version, no stable traffic, or no split by track. */
  stable: TrackReading | null;
}

/** The objectives a judge holds the canary to. */
export interface JudgeObjectives {
  /** Highest acceptable error rate (fraction). */
  errorRateMax: number;
  /** Highest acceptable p95 latency, ms. */
  p95LatencyMsMax: number;
}

/** What a judge is asked after every poll. */
export interface JudgeInput {
  objectives: JudgeObjectives;
  /** Every poll of this release so far, oldest first; the last one is the newest. */
  observations: readonly PollObservation[];
  step: {
    index: number;
    weight: number;
    phase: "canary" | "stabilization";
    /** Time watched in this step so far (extensions included). */
    elapsedMs: number;
    /** The step's window (extensions included). */
    windowMs: number;
    /** True when the window is over: the judge must say breach, pass, hold, inconclusive or extend. */
    final: boolean;
  };
}

/**
 * What the judge decided:
 * - `breach`: roll back now.
 * - `pass`: the step may end now (early promotion before the window's end; a pass at its end).
 * - `continue`: keep watching (only before the window's end).
 * - `hold`: stable is as degraded as the canary: not the canary's fault, keep watching.
 * - `inconclusive`: not enough evidence either way; at the window's end the policy decides.
 * - `extend`: only at the window's end: the evidence leans towards a regression without
 *   reaching the breach bound; watch one more window before promoting (the release policy
 *   bounds how many: `policy.judge.max_suspect_extensions`).
 */
export type JudgeVerdict = "breach" | "pass" | "continue" | "hold" | "inconclusive" | "extend";

/** One comparison the judge made, for the evidence table. */
export interface JudgeCheck {
  /** `error_rate` or `p95_latency`. */
  metric: "error_rate" | "p95_latency";
  /** `vs_stable` (comparison with the baseline) or `objective` (absolute ceiling). */
  against: "vs_stable" | "objective";
  /** The limit the canary was held to (a rate, a latency in ms, or an exceedance fraction). */
  limit: number;
  /** The canary's estimate and its anytime-valid confidence interval. */
  estimate: number | null;
  lower: number | null;
  upper: number | null;
  /**
   * What the check concluded: `suspect` leans towards a regression past the limits without
   * reaching the breach bound (a step ending so watches one more window).
   */
  outcome: "breach" | "pass" | "open" | "suspect" | "degraded" | "skipped";
  detail: string;
}

/** What the judge saw, in numbers: the evidence row of a poll. */
export interface JudgeEvidence {
  canary: {
    requests: number | null;
    errors: number | null;
    errorRate: number | null;
    p95LatencyMs: number | null;
  };
  stable: {
    requests: number | null;
    errors: number | null;
    errorRate: number | null;
    p95LatencyMs: number | null;
  } | null;
  /** Canary error rate ÷ stable error rate, where both are known and stable's is above 0. */
  errorRateRatio: number | null;
  /** Canary p95 ÷ stable p95, where both are known. */
  p95Ratio: number | null;
  checks: JudgeCheck[];
}

/** A judge's answer for one poll. */
export interface JudgeDecision {
  verdict: JudgeVerdict;
  /** One sentence a person can act on: why this verdict. */
  reason: string;
  evidence: JudgeEvidence;
}

/**
 * Decides, after each poll, whether a canary step breaches, passes, holds or needs more
 * evidence. A judge is a pure function of its input: the same series always gives the same
 * decision, so a policy can be unit-tested and backtested.
 *
 * `window` says what each poll measures: `interval` (the time since the previous poll, both
 * tracks) or `cumulative` (the step so far, the canary and a baseline where configured).
 */
export interface Judge {
  readonly name: string;
  readonly window: "interval" | "cumulative";
  decide(input: JudgeInput): JudgeDecision;
}
