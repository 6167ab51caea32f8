import { proportionInterval } from "./confidence-sequence.js";
import { logAboveEvidence, mixtureOf, rateInterval } from "./error-rate-tests.js";
import { formatCount, formatMs, formatPercent } from "./format.js";
import {
  foldHorizon,
  type HorizonSums,
  mergedOf,
  mergedP95,
  pairedCanaryHistogram,
} from "./horizon-fold.js";
import type {
  Judge,
  JudgeCheck,
  JudgeDecision,
  JudgeEvidence,
  JudgeInput,
  PollObservation,
} from "./judge.js";
import { type JudgePolicy, type JudgePolicyInput, judgePolicySchema } from "./judge-policy.js";
import { histogramTotal, slowerThan } from "./latency-histogram.js";

/** The share of requests allowed above a p95 limit: 5%, by definition of a 95th percentile. */
const P95_TAIL = 0.05;

interface Horizon {
  label: string;
  observations: readonly PollObservation[];
  /** The sums every test reads, folded once per horizon (and poll by poll across decisions). */
  sums: HorizonSums;
}

interface Settings {
  policy: JudgePolicy;
  errorIncrease: (errorRateMax: number) => number;
  breachBound: number;
  passBound: number;
  /** ln of `suspect_evidence`. */
  suspectBound: number;
}

function horizon(
  label: string,
  observations: readonly PollObservation[],
  s: Settings,
  p95MaxMs: number,
): Horizon {
  const sums = foldHorizon(observations, {
    errorRatio: s.policy.max_error_rate_ratio,
    p95Ratio: s.policy.max_p95_ratio,
    p95MaxMs,
  });
  return { label, observations, sums };
}

/** Stable's error rate as the canary's traffic saw time (as `matchedStableRate` computes it). */
function matchedRate(sums: HorizonSums): number {
  if (sums.matchedRateWeight > 0) return sums.matchedRateSum / sums.matchedRateWeight;
  const t = sums.paired;
  return t.stableRequests > 0 ? t.stableErrors / t.stableRequests : 0;
}

function totalsOf(h: Horizon, track: "canary" | "stable") {
  const t = h.sums[track];
  return t.known ? { requests: t.requests, errors: t.errors } : null;
}

function histogramOf(h: Horizon, track: "canary" | "stable", needBoth: boolean) {
  return track === "stable"
    ? h.sums.stableAll
    : needBoth
      ? pairedCanaryHistogram(h.sums)
      : h.sums.canaryAll;
}

function bucketsOf(h: Horizon, track: "canary" | "stable", needBoth: boolean) {
  return mergedOf(histogramOf(h, track, needBoth));
}

/** The p95 of a track's merged histogram over the horizon, or null without one. */
function mergedP95Of(h: Horizon, track: "canary" | "stable", needBoth: boolean) {
  return mergedP95(histogramOf(h, track, needBoth));
}

/**
 * Canary requests slower than `ratio` × the *same interval's* stable p95, summed over the
 * intervals where both tracks have histograms: a time-matched comparison, so a blip that
 * slows both tracks moves the limit with it. Folded for two limits: stable's p95 itself
 * (`at_most`, for a breach) and `max_p95_ratio` × it (`at_least`, for a pass), rounding to
 * bucket bounds as {@link slowerThan} does. Also the canary-weighted stable p95.
 */
function slowVsStable(
  h: Horizon,
  which: "p95" | "limit",
): { slow: number; total: number; stableP95: number | null } | null {
  const m = which === "p95" ? h.sums.slowVsStableP95 : h.sums.slowVsStableLimit;
  return m.total > 0 ? { slow: m.slow, total: m.total, stableP95: m.weighted / m.total } : null;
}

/** Stable's share of requests slower than the p95 objective, weighted by the canary's traffic per interval. */
function matchedStableSlowShare(h: Horizon): { share: number; requests: number } | null {
  const { stableSlowShareSum: sum, stableSlowShareWeight: weight, stableSlowRequests } = h.sums;
  return weight > 0 ? { share: sum / weight, requests: stableSlowRequests } : null;
}

/** A check's figures, before its outcome is known. */
type CheckBase = Omit<JudgeCheck, "outcome" | "detail">;

/**
 * The check with its outcome, fields in the order the evidence is written in. Built as one
 * literal rather than `{ ...base, outcome, detail }`: the spread copies `base` and then grows
 * the copy by two fields, and with 8 checks a poll that was a tenth of the judge's time.
 */
function withOutcome(base: CheckBase, outcome: JudgeCheck["outcome"], detail: string): JudgeCheck {
  return {
    metric: base.metric,
    against: base.against,
    limit: base.limit,
    estimate: base.estimate,
    lower: base.lower,
    upper: base.upper,
    outcome,
    detail,
  };
}

function countLabel(n: number): string {
  return `${formatCount(n)} canary request${n === 1 ? "" : "s"}`;
}

function evidenceLabel(logE: number): string {
  const e = Math.exp(Math.min(logE, 700));
  return e >= 1e6 ? `×${e.toExponential(1)}` : `×${e < 10 ? e.toFixed(1) : Math.round(e)}`;
}

function errorVsStable(
  h: Horizon,
  s: Settings,
  errorRateMax: number,
  minRequests: number,
): JudgeCheck | null {
  if (h.sums.pairs === 0) return null;
  const t = h.sums.paired;
  const rateC = t.canaryRequests > 0 ? t.canaryErrors / t.canaryRequests : null;
  const rateS = matchedRate(h.sums);
  const rho = s.policy.max_error_rate_ratio;
  const delta = s.errorIncrease(errorRateMax);
  const limit = Math.max(rho * rateS, rateS + delta);
  const ci = rateInterval(t.canaryErrors, t.canaryRequests, s.policy.false_breach_probability);
  // Significance against "no worse than stable" (ratio 1); the floors then ask whether the
  // difference is big enough to matter. Testing against the floor itself would need many
  // times more requests to catch the same regression.
  const logE = h.sums.pairs > 0 ? mixtureOf(h.sums.worseLogs) : 0;
  const ratioEstimate =
    rateC === null ? null : rateS > 0 ? rateC / rateS : Number.POSITIVE_INFINITY;
  const base = {
    metric: "error_rate" as const,
    against: "vs_stable" as const,
    limit,
    estimate: rateC,
    lower: ci?.lower ?? null,
    upper: ci?.upper ?? null,
  };
  const shown =
    rateC === null
      ? "no canary requests"
      : `error rate ${formatPercent(rateC)} vs stable ${formatPercent(rateS)} over ${countLabel(t.canaryRequests)} (${h.label})`;
  const pastFloors =
    rateC !== null &&
    ratioEstimate !== null &&
    t.canaryRequests >= minRequests &&
    ratioEstimate > rho &&
    rateC - rateS > delta;
  if (pastFloors && logE >= s.breachBound) {
    return withOutcome(
      base,
      "breach",
      `${shown}: worse than stable beyond chance (evidence ${evidenceLabel(logE)} ≥ ×${Math.round(Math.exp(s.breachBound))}) and by more than ${rho}×`,
    );
  }
  if (pastFloors && logE >= s.suspectBound) {
    return withOutcome(
      base,
      "suspect",
      `${shown}: worse than stable by more than ${rho}×, with evidence ${evidenceLabel(logE)} (a breach needs ×${Math.round(Math.exp(s.breachBound))})`,
    );
  }
  return withOutcome(base, "open", `${shown}; evidence of a regression ${evidenceLabel(logE)}`);
}

function errorVsObjective(
  h: Horizon,
  s: Settings,
  errorRateMax: number,
  minRequests: number,
): JudgeCheck | null {
  const c = totalsOf(h, "canary");
  if (!c || c.requests === 0) return null;
  const ci = proportionInterval(c.errors, c.requests, s.policy.false_breach_probability);
  const base = {
    metric: "error_rate" as const,
    against: "objective" as const,
    limit: errorRateMax,
    estimate: ci.estimate,
    lower: ci.lower,
    upper: ci.upper,
  };
  // One-sided: only a rate above the ceiling breaches it (see logAboveEvidence).
  const logE = logAboveEvidence(c.errors, c.requests, errorRateMax);
  const shown = `error rate ${formatPercent(ci.estimate)} over ${countLabel(c.requests)} (${h.label})`;
  if (c.requests >= minRequests && logE >= s.breachBound) {
    const stableRequests = h.sums.paired.stableRequests;
    const stableRate = matchedRate(h.sums);
    if (stableRequests >= minRequests && stableRate > errorRateMax) {
      return withOutcome(
        base,
        "degraded",
        `${shown} is over the ${formatPercent(errorRateMax)} objective, but stable is too (${formatPercent(stableRate)} over the same minutes): a shared degradation`,
      );
    }
    return withOutcome(
      base,
      "breach",
      `${shown}: over the ${formatPercent(errorRateMax)} objective beyond chance (evidence ${evidenceLabel(logE)} ≥ ×${Math.round(Math.exp(s.breachBound))})`,
    );
  }
  return withOutcome(
    base,
    "open",
    `${shown}; evidence of a breach of the ${formatPercent(errorRateMax)} objective ${evidenceLabel(logE)}`,
  );
}

function latencyVsStable(h: Horizon, s: Settings, minRequests: number): JudgeCheck | null {
  const ratio = s.policy.max_p95_ratio;
  // Significance: in each interval, the canary has more than its share of traffic of the
  // requests slower than stable's p95 so far, beyond chance (conditioned on their number, as
  // the error test is: exact on any sample, and a blip that slows both tracks cancels out).
  // The floor: the canary's p95 estimate over `ratio` × stable's.
  const matched = slowVsStable(h, "p95");
  const slower = h.sums.slowerThanStable;
  if (matched && slower.canaryTotal > 0) {
    const { total: n, stableP95 } = matched;
    const logE = mixtureOf(h.sums.slowerLogs);
    const canaryShare = slower.canary / slower.canaryTotal;
    const stableShare = slower.stable / slower.stableTotal;
    const canaryP95 = mergedP95Of(h, "canary", true);
    const base = {
      metric: "p95_latency" as const,
      against: "vs_stable" as const,
      limit: ratio * (stableP95 ?? 0),
      estimate: canaryP95,
      lower: null,
      upper: null,
    };
    const shown = `p95 ${canaryP95 === null ? "n/a" : formatMs(canaryP95)} vs stable ${stableP95 === null ? "n/a" : formatMs(stableP95)}: ${formatPercent(canaryShare)} of ${countLabel(n)} slower than stable's p95, against ${formatPercent(stableShare)} of stable's (${h.label})`;
    const pastFloor =
      n >= minRequests && canaryP95 !== null && stableP95 !== null && canaryP95 > ratio * stableP95;
    if (pastFloor && logE >= s.breachBound) {
      return withOutcome(
        base,
        "breach",
        `${shown}: slower than stable beyond chance (evidence ${evidenceLabel(logE)} ≥ ×${Math.round(Math.exp(s.breachBound))}) and p95 over ${ratio}× stable's`,
      );
    }
    if (pastFloor && logE >= s.suspectBound) {
      return withOutcome(
        base,
        "suspect",
        `${shown}: p95 over ${ratio}× stable's, with evidence ${evidenceLabel(logE)} (a breach needs ×${Math.round(Math.exp(s.breachBound))})`,
      );
    }
    return withOutcome(base, "open", `${shown}; evidence of a regression ${evidenceLabel(logE)}`);
  }
  // No histograms: a sign test on the per-interval p95s.
  const pairs = h.observations.filter(
    (o) => o.canary.p95LatencyMs !== null && o.stable?.p95LatencyMs != null,
  );
  if (pairs.length === 0) return null;
  const worse = pairs.filter(
    (o) => o.canary.p95LatencyMs! > ratio * o.stable!.p95LatencyMs!,
  ).length;
  const ci = proportionInterval(worse, pairs.length, s.policy.false_breach_probability);
  const requests = totalsOf(h, "canary")?.requests ?? 0;
  const shown = `canary p95 above ${ratio}× stable's in ${worse} of ${pairs.length} polls (${h.label})`;
  const base = {
    metric: "p95_latency" as const,
    against: "vs_stable" as const,
    limit: ratio,
    estimate: ci.estimate,
    lower: ci.lower,
    upper: ci.upper,
  };
  if (requests >= minRequests && ci.lower > 0.5) {
    return withOutcome(base, "breach", `${shown}: consistently slower beyond chance`);
  }
  if (
    requests >= minRequests &&
    proportionInterval(worse, pairs.length, 1 / s.policy.suspect_evidence).lower > 0.5
  ) {
    return withOutcome(base, "suspect", `${shown}: slower, short of the breach bound`);
  }
  return withOutcome(base, "open", shown);
}

function latencyVsObjective(
  h: Horizon,
  s: Settings,
  p95LatencyMsMax: number,
  minRequests: number,
): JudgeCheck | null {
  const canary = bucketsOf(h, "canary", false);
  if (canary) {
    const n = histogramTotal(canary);
    if (n === 0) return null;
    const { slow, boundMs } = slowerThan(canary, p95LatencyMsMax, "at_most");
    const ci = proportionInterval(slow, n, s.policy.false_breach_probability);
    // One-sided, as for the error rate: more than 5% slower than the objective.
    const logE = logAboveEvidence(slow, n, P95_TAIL);
    const p95 = mergedP95Of(h, "canary", false);
    const base = {
      metric: "p95_latency" as const,
      against: "objective" as const,
      limit: p95LatencyMsMax,
      estimate: p95,
      lower: null,
      upper: null,
    };
    const shown = `p95 ${p95 === null ? "n/a" : formatMs(p95)}: ${formatPercent(ci.estimate)} of ${countLabel(n)} slower than ${formatMs(boundMs)} (${h.label})`;
    if (n >= minRequests && logE >= s.breachBound) {
      const stable = matchedStableSlowShare(h);
      if (stable && stable.requests >= minRequests) {
        if (stable.share > P95_TAIL) {
          return withOutcome(
            base,
            "degraded",
            `${shown}: over the ${formatMs(p95LatencyMsMax)} objective, but stable is too: a shared degradation`,
          );
        }
      }
      return withOutcome(
        base,
        "breach",
        `${shown}: p95 over the ${formatMs(p95LatencyMsMax)} objective beyond chance (evidence ${evidenceLabel(logE)} ≥ ×${Math.round(Math.exp(s.breachBound))})`,
      );
    }
    return withOutcome(
      base,
      "open",
      `${shown}; evidence of a breach of the ${formatMs(p95LatencyMsMax)} objective ${evidenceLabel(logE)}`,
    );
  }
  const polls = h.observations.filter((o) => o.canary.p95LatencyMs !== null);
  if (polls.length === 0) return null;
  const over = polls.filter((o) => o.canary.p95LatencyMs! > p95LatencyMsMax).length;
  const ci = proportionInterval(over, polls.length, s.policy.false_breach_probability);
  const requests = totalsOf(h, "canary")?.requests ?? minRequests;
  const shown = `p95 over the ${formatMs(p95LatencyMsMax)} objective in ${over} of ${polls.length} polls (${h.label})`;
  const base = {
    metric: "p95_latency" as const,
    against: "objective" as const,
    limit: p95LatencyMsMax,
    estimate: ci.estimate,
    lower: ci.lower,
    upper: ci.upper,
  };
  if (requests >= minRequests && ci.lower > 0.5) {
    const stablePolls = h.observations.filter((o) => o.stable?.p95LatencyMs != null);
    const stableOver = stablePolls.filter((o) => o.stable!.p95LatencyMs! > p95LatencyMsMax).length;
    if (stablePolls.length > 0 && stableOver / stablePolls.length > 0.5) {
      return withOutcome(base, "degraded", `${shown}, and stable's too: a shared degradation`);
    }
    return withOutcome(base, "breach", `${shown}: over the objective beyond chance`);
  }
  return withOutcome(base, "open", shown);
}

/** Strong evidence that the canary is within the limits: the early-promotion test. */
function passEvidence(
  input: JudgeInput,
  step: Horizon,
  release: Horizon,
  s: Settings,
): { pass: boolean; detail: string } {
  const { errorRateMax, p95LatencyMsMax } = input.objectives;
  const alpha = s.policy.false_pass_probability;
  const bound = s.passBound;
  const c = totalsOf(step, "canary");
  if (!c || c.requests === 0) return { pass: false, detail: "no canary requests" };
  // Error rate: within the objective, and (with a baseline) within the limit vs stable.
  const own = proportionInterval(c.errors, c.requests, alpha);
  if (own.upper > errorRateMax)
    return { pass: false, detail: `error rate could still be ${formatPercent(own.upper)}` };
  if (step.sums.pairs > 0) {
    const t = release.sums.paired;
    const rateS = matchedRate(release.sums);
    const limit = Math.max(
      s.policy.max_error_rate_ratio * rateS,
      rateS + s.errorIncrease(errorRateMax),
    );
    const stepT = step.sums.paired;
    const stepRateS = matchedRate(step.sums);
    const stepLimit = Math.max(
      s.policy.max_error_rate_ratio * stepRateS,
      stepRateS + s.errorIncrease(errorRateMax),
    );
    if (stepT.canaryRequests > 0 && stepT.canaryErrors / stepT.canaryRequests > stepLimit)
      return { pass: false, detail: "error rate above the limit vs stable in this step" };
    const upper = proportionInterval(t.canaryErrors, t.canaryRequests, alpha).upper;
    const better = release.sums.pairs > 0 ? mixtureOf(release.sums.betterLogs) : 0;
    if (!(upper <= limit || better >= bound))
      return { pass: false, detail: "not yet shown within the limit vs stable" };
  }
  // Latency needs histograms to be shown within limits; without them a step runs its window.
  const canary = bucketsOf(step, "canary", false);
  if (!canary) return { pass: false, detail: "no latency histogram" };
  const n = histogramTotal(canary);
  const overObjective = slowerThan(canary, p95LatencyMsMax, "at_least").slow;
  if (proportionInterval(overObjective, n, alpha).upper > P95_TAIL)
    return { pass: false, detail: "p95 not yet shown within the objective" };
  if (step.sums.pairs > 0) {
    const matched = slowVsStable(release, "limit");
    if (!matched) return { pass: false, detail: "no paired latency histograms" };
    if (proportionInterval(matched.slow, matched.total, alpha).upper > P95_TAIL)
      return { pass: false, detail: "p95 not yet shown within the limit vs stable" };
  }
  return {
    pass: true,
    detail: `error rate at most ${formatPercent(own.upper)} and p95 within limits over ${countLabel(c.requests)}`,
  };
}

function summarize(h: Horizon, track: "canary" | "stable") {
  const observations = h.observations;
  const t = totalsOf(h, track);
  const p95 = mergedP95Of(h, track, false);
  let lastP95: number | null = null;
  for (let i = observations.length - 1; i >= 0 && lastP95 === null; i--)
    lastP95 = observations[i]![track]?.p95LatencyMs ?? null;
  return {
    requests: t?.requests ?? null,
    errors: t?.errors ?? null,
    errorRate: t && t.requests > 0 ? t.errors / t.requests : null,
    p95LatencyMs: p95 ?? lastP95 ?? null,
  };
}

/**
 * The default judge: canary vs stable with anytime-valid sequential tests, an effect floor,
 * the objectives as a hard ceiling, a minimum-evidence rule, shared-degradation holds, and
 * early promotion on strong evidence. See the core README's "How the canary is judged".
 *
 * @example
 * ```ts
 * const judge = createStatisticalJudge({ max_error_rate_ratio: 2, min_step_minutes: 5 });
 * ```
 */
export function createStatisticalJudge(options: JudgePolicyInput = {}): Judge {
  return statisticalJudgeOf(judgePolicySchema.parse({ ...options, kind: "statistical" }));
}

/** The statistical judge of a policy already parsed (a release spec's `policy.judge`). */
export function statisticalJudgeOf(policy: JudgePolicy): Judge {
  const s: Settings = {
    policy,
    errorIncrease: (max) => policy.min_error_rate_increase ?? max / 10,
    breachBound: Math.log(1 / policy.false_breach_probability),
    passBound: Math.log(1 / policy.false_pass_probability),
    suspectBound: Math.log(policy.suspect_evidence),
  };
  return {
    name: "statistical",
    window: "interval",
    decide(input: JudgeInput): JudgeDecision {
      const { objectives, step } = input;
      const min = policy.min_canary_requests;
      const stepObs = input.observations.filter((o) => o.stepIndex === step.index);
      const p95Max = objectives.p95LatencyMsMax;
      const stepH = horizon("this step", stepObs, s, p95Max);
      const releaseH =
        stepObs.length === input.observations.length
          ? stepH
          : horizon("whole release", input.observations, s, p95Max);
      const horizons = releaseH === stepH ? [stepH] : [stepH, releaseH];
      const checks: JudgeCheck[] = [];
      for (const h of horizons) {
        for (const check of [
          errorVsStable(h, s, objectives.errorRateMax, min),
          errorVsObjective(h, s, objectives.errorRateMax, min),
          latencyVsStable(h, s, min),
          latencyVsObjective(h, s, objectives.p95LatencyMsMax, min),
        ]) {
          if (check) checks.push(check);
        }
      }
      const canary = summarize(stepH, "canary");
      const stable = stepObs.some((o) => o.stable) ? summarize(stepH, "stable") : null;
      const evidence: JudgeEvidence = {
        canary,
        stable,
        errorRateRatio:
          canary.errorRate !== null && stable?.errorRate
            ? canary.errorRate / stable.errorRate
            : null,
        p95Ratio:
          canary.p95LatencyMs !== null && stable?.p95LatencyMs
            ? canary.p95LatencyMs / stable.p95LatencyMs
            : null,
        checks,
      };
      const breach = checks.find((c) => c.outcome === "breach");
      if (breach) return { verdict: "breach", reason: breach.detail, evidence };
      const degraded = checks.find((c) => c.outcome === "degraded");
      if (degraded) return { verdict: "hold", reason: `holding: ${degraded.detail}`, evidence };
      const requests = canary.requests ?? 0;
      if (canary.requests === null || requests < min) {
        const why =
          canary.requests === null
            ? "the SLO source gives no request counts"
            : `only ${countLabel(requests)} in this step, fewer than the ${min} needed for a verdict`;
        return { verdict: step.final ? "inconclusive" : "continue", reason: why, evidence };
      }
      const latencyKnown = stepObs.some(
        (o) => o.canary.p95LatencyMs !== null || o.canary.latencyBuckets !== null,
      );
      if (!latencyKnown) {
        const why = "no latency data for the canary in this step";
        return { verdict: step.final ? "inconclusive" : "continue", reason: why, evidence };
      }
      if (step.final) {
        const suspect = checks.find((c) => c.outcome === "suspect");
        if (suspect && policy.max_suspect_extensions > 0) {
          return { verdict: "extend", reason: `suspect: ${suspect.detail}`, evidence };
        }
        return {
          verdict: "pass",
          reason: `no regression shown over ${countLabel(requests)} in the window`,
          evidence,
        };
      }
      if (policy.early_promotion && step.elapsedMs >= policy.min_step_minutes * 60_000) {
        const early = passEvidence(input, stepH, releaseH, s);
        if (early.pass)
          return { verdict: "pass", reason: `early promotion: ${early.detail}`, evidence };
        return { verdict: "continue", reason: `watching: ${early.detail}`, evidence };
      }
      return { verdict: "continue", reason: "watching", evidence };
    },
  };
}
