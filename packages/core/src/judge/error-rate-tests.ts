import { proportionInterval } from "./confidence-sequence.js";

/** One interval's counts on both tracks. */
export interface PairedCounts {
  canaryRequests: number;
  canaryErrors: number;
  stableRequests: number;
  stableErrors: number;
}

/** Ratios (× the limit) the mixture puts its weight on, above and below the limit. */
export const WORSE_ALTERNATIVES: readonly number[] = [1.25, 1.6, 2, 3, 5, 10, 30];
export const BETTER_ALTERNATIVES: readonly number[] = [0.8, 0.6, 0.4, 0.2, 0.05];

/**
 * The mixture's ln likelihood ratio from each alternative's: ln of their mean ratio (equal
 * weights).
 */
export function mixtureOf(logs: readonly number[]): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logs.length; i++) if (logs[i]! > max) max = logs[i]!;
  if (!Number.isFinite(max)) return max;
  let sum = 0;
  for (let i = 0; i < logs.length; i++) sum += Math.exp(logs[i]! - max);
  return max + Math.log(sum) - Math.log(logs.length);
}

/**
 * ln of the mixture likelihood ratio for "the canary's error rate is `ratio`× stable's"
 * against "it is `limit`×", over intervals. Conditioned on each interval's total errors, the
 * canary's share is binomial with p = θ·nc / (θ·nc + ns), whatever the traffic split or the
 * stable rate (which cancels): a shared incident that raises both tracks alike moves nothing.
 * Each factor is a likelihood ratio, so the product is a martingale under the limit and, by
 * monotone likelihood ratio, a supermartingale on the far side of it.
 */
export function logRatioEvidence(
  intervals: readonly PairedCounts[],
  limit: number,
  direction: "worse" | "better",
): number {
  const alternatives = (direction === "worse" ? WORSE_ALTERNATIVES : BETTER_ALTERNATIVES).map(
    (f) => f * limit,
  );
  const logs = alternatives.map((theta) => {
    let sum = 0;
    for (const i of intervals) {
      const m = i.canaryErrors + i.stableErrors;
      if (m === 0 || i.canaryRequests <= 0 || i.stableRequests <= 0) continue;
      const p0 = (limit * i.canaryRequests) / (limit * i.canaryRequests + i.stableRequests);
      const p1 = (theta * i.canaryRequests) / (theta * i.canaryRequests + i.stableRequests);
      sum += i.canaryErrors * Math.log(p1 / p0) + i.stableErrors * Math.log((1 - p1) / (1 - p0));
    }
    return sum;
  });
  return mixtureOf(logs);
}

/**
 * ln of the one-sided mixture likelihood ratio for "the proportion is above `p0`", from `x`
 * of `n`: equal weights on θ·`p0` for each θ of {@link WORSE_ALTERNATIVES} (capped halfway
 * to 1), each against `p0`. For θ > 1 each ratio is a martingale when the proportion is
 * `p0` and a supermartingale when it is lower, so the mixture ever reaching `1/alpha` has
 * probability at most alpha whenever the proportion is at most `p0`, however often it is
 * looked at: the test of a ceiling. Its weight sits where a breach lies, 1.25 to 30 times the
 * ceiling, where an interval's lower bound (Jeffreys' mixture, spread over all of [0, 1])
 * gets 2–3 nats (×7 to ×16) less evidence from the same requests near the ceiling.
 */
export function logAboveEvidence(x: number, n: number, p0: number): number {
  if (!(n > 0)) return 0;
  if (p0 <= 0) return x > 0 ? Number.POSITIVE_INFINITY : 0;
  if (p0 >= 1) return Number.NEGATIVE_INFINITY;
  const k = Math.min(Math.max(x, 0), n);
  const { success, failure } = aboveTerms(p0);
  const logs = new Array<number>(success.length);
  for (let i = 0; i < success.length; i++) logs[i] = k * success[i]! + (n - k) * failure[i]!;
  return mixtureOf(logs);
}

/** Per alternative of {@link logAboveEvidence}: ln(p1/p0), and ln(1 − p1) − ln(1 − p0). */
interface AboveTerms {
  success: number[];
  failure: number[];
}

/**
 * The terms of each ceiling tested lately. They depend on the ceiling alone, and the judge
 * tests two (the error objective, and 5% over the p95 objective) after every poll: the same
 * logarithms, taken once instead of 21 at a time. Keyed on the ceiling's value.
 */
const aboveTermsOf = new Map<number, AboveTerms>();
const MAX_CEILINGS = 16;

function aboveTerms(p0: number): AboveTerms {
  let terms = aboveTermsOf.get(p0);
  if (terms) return terms;
  terms = { success: [], failure: [] };
  for (const f of WORSE_ALTERNATIVES) {
    const p1 = Math.min(f * p0, (1 + p0) / 2);
    terms.success.push(Math.log(p1 / p0));
    terms.failure.push(Math.log1p(-p1) - Math.log1p(-p0));
  }
  if (aboveTermsOf.size >= MAX_CEILINGS) aboveTermsOf.clear();
  aboveTermsOf.set(p0, terms);
  return terms;
}

/** Sums of the paired intervals. */
export function totals(intervals: readonly PairedCounts[]): PairedCounts {
  const t = { canaryRequests: 0, canaryErrors: 0, stableRequests: 0, stableErrors: 0 };
  for (const i of intervals) {
    t.canaryRequests += i.canaryRequests;
    t.canaryErrors += i.canaryErrors;
    t.stableRequests += i.stableRequests;
    t.stableErrors += i.stableErrors;
  }
  return t;
}

/** The anytime-valid interval of a rate, or null with no requests. */
export function rateInterval(errors: number, requests: number, alpha: number) {
  return requests > 0 ? proportionInterval(errors, requests, alpha) : null;
}

/**
 * Stable's error rate as the canary's traffic saw time: each interval's stable rate,
 * weighted by the canary's requests in it. Pooling stable's own counts instead would mix
 * time differently for the two tracks (stable's traffic is front-loaded, the canary's grows
 * with its weight), so a blip late in the release would look like the canary's fault.
 */
export function matchedStableRate(intervals: readonly PairedCounts[]): number {
  let weight = 0;
  let sum = 0;
  for (const i of intervals) {
    if (i.stableRequests <= 0) continue;
    weight += i.canaryRequests;
    sum += i.canaryRequests * (i.stableErrors / i.stableRequests);
  }
  if (weight > 0) return sum / weight;
  const t = totals(intervals);
  return t.stableRequests > 0 ? t.stableErrors / t.stableRequests : 0;
}
