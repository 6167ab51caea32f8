import type { LatencyBucket } from "../contracts/slo-source.js";
import { quantileOf } from "./ascending-quantile.js";
import { firstNotUnder, slowCount } from "./bounds-search.js";
import { BETTER_ALTERNATIVES, type PairedCounts, WORSE_ALTERNATIVES } from "./error-rate-tests.js";
import { type HistogramBounds, histogramBounds, sameHistogramBounds } from "./histogram-bounds.js";
import type { PollObservation, TrackReading } from "./judge.js";
import { histogramQuantile, histogramTotal } from "./latency-histogram.js";

/** What a horizon's sums depend on besides its polls. */
export interface FoldParameters {
  /** `max_error_rate_ratio`: the limit the "better" evidence (early promotion) is taken against. */
  errorRatio: number;
  /** `max_p95_ratio`. */
  p95Ratio: number;
  /** The p95 objective, ms. */
  p95MaxMs: number;
}

/** A merged cumulative histogram, built poll by poll; `broken` once a poll lacks one or bounds differ. */
export interface MergedHistogram {
  polls: number;
  broken: boolean;
  buckets: LatencyBucket[];
  /** The bounds of `buckets` (null before the first poll with a histogram). */
  bounds: HistogramBounds | null;
  /** Whether the merged counts never decrease from bucket to bucket (none NaN): its quantiles bisect. */
  countsAscend: boolean;
  /** The p95 of the histogram as it was after `polls` polls. */
  p95?: { polls: number; value: number | null };
}

interface TrackSums {
  known: boolean;
  requests: number;
  errors: number;
}

interface SlowSums {
  slow: number;
  total: number;
  weighted: number;
}

/**
 * Every sum the statistical judge reads over a horizon (a step, or the whole release), in
 * one pass over its polls. Each field is what the judge's tests would compute by walking
 * the polls; keeping them as running sums lets the next decision add only the new poll.
 */
export interface HorizonSums {
  /** Polls with counts on both tracks and stable traffic: the paired intervals. */
  pairs: number;
  paired: PairedCounts;
  /** Σ canary requests × stable's rate, and Σ canary requests, over the pairs. */
  matchedRateSum: number;
  matchedRateWeight: number;
  /** Per alternative: the log likelihood ratio of "worse than stable" (against ratio 1). */
  worseLogs: number[];
  /** Per alternative: the log likelihood ratio of "better than the error ratio limit". */
  betterLogs: number[];
  canary: TrackSums;
  stable: TrackSums;
  /**
   * Canary histograms where both tracks had traffic; canary's and stable's where each had.
   * `canaryPaired` is null while it would equal `canaryAll` (every canary poll so far had
   * stable traffic too): read it through {@link pairedCanaryHistogram}.
   */
  canaryPaired: MergedHistogram | null;
  canaryAll: MergedHistogram;
  stableAll: MergedHistogram;
  /** Canary requests slower than the same interval's stable p95 (`at_most`), and than `p95Ratio` × it (`at_least`). */
  slowVsStableP95: SlowSums;
  slowVsStableLimit: SlowSums;
  /**
   * Per track, requests slower than stable's p95 over the earlier polls (see
   * `addSlowerThanStable`), summed over the intervals; and per alternative, the log likelihood
   * ratio of "the canary's share of them is larger than its share of traffic" (ratio 1),
   * conditioned on their number per interval as the error evidence is.
   */
  slowerThanStable: { canary: number; canaryTotal: number; stable: number; stableTotal: number };
  slowerLogs: number[];
  /** Stable's share of requests slower than the p95 objective, weighted by canary traffic. */
  stableSlowShareSum: number;
  stableSlowShareWeight: number;
  stableSlowRequests: number;
}

function emptyHistogram(): MergedHistogram {
  return { polls: 0, broken: false, buckets: [], bounds: null, countsAscend: false };
}

function emptySums(): HorizonSums {
  return {
    pairs: 0,
    paired: { canaryRequests: 0, canaryErrors: 0, stableRequests: 0, stableErrors: 0 },
    matchedRateSum: 0,
    matchedRateWeight: 0,
    worseLogs: WORSE_ALTERNATIVES.map(() => 0),
    betterLogs: BETTER_ALTERNATIVES.map(() => 0),
    canary: { known: false, requests: 0, errors: 0 },
    stable: { known: false, requests: 0, errors: 0 },
    canaryPaired: null,
    canaryAll: emptyHistogram(),
    stableAll: emptyHistogram(),
    slowVsStableP95: { slow: 0, total: 0, weighted: 0 },
    slowVsStableLimit: { slow: 0, total: 0, weighted: 0 },
    slowerThanStable: { canary: 0, canaryTotal: 0, stable: 0, stableTotal: 0 },
    slowerLogs: WORSE_ALTERNATIVES.map(() => 0),
    stableSlowShareSum: 0,
    stableSlowShareWeight: 0,
    stableSlowRequests: 0,
  };
}

function hasCounts(
  t: TrackReading | null,
): t is TrackReading & { requests: number; errors: number } {
  return !!t && t.requests !== null && t.errors !== null && t.requests >= 0;
}

function addHistogram(into: MergedHistogram, h: LatencyBucket[] | null): void {
  into.polls += 1;
  if (into.broken) return;
  if (!h || h.length === 0) {
    into.broken = true;
    return;
  }
  // Whether the counts ascend is checked as they are copied or added, bucket by bucket.
  let previous = Number.NEGATIVE_INFINITY;
  let ascend = true;
  if (into.polls === 1) {
    const buckets = new Array<LatencyBucket>(h.length);
    for (let i = 0; i < h.length; i++) {
      const count = h[i]!.count;
      buckets[i] = { leMs: h[i]!.leMs, count };
      if (!(previous <= count)) ascend = false;
      previous = count;
    }
    into.buckets = buckets;
    into.bounds = histogramBounds(h);
    into.countsAscend = ascend;
    return;
  }
  // Bounds that differ in any bucket (or hold NaN) break the sum, as comparing them one by one would.
  if (!into.bounds || !sameHistogramBounds(into.bounds, histogramBounds(h))) {
    into.broken = true;
    return;
  }
  const merged = into.buckets;
  for (let i = 0; i < h.length; i++) {
    const b = merged[i]!;
    b.count += h[i]!.count;
    const count = b.count;
    if (!(previous <= count)) ascend = false;
    previous = count;
  }
  into.countsAscend = ascend;
}

function copyHistogram(h: MergedHistogram): MergedHistogram {
  return {
    polls: h.polls,
    broken: h.broken,
    buckets: h.buckets.map((b) => ({ ...b })),
    bounds: h.bounds,
    countsAscend: h.countsAscend,
  };
}

/** The canary's histogram over the polls where stable had traffic too. */
export function pairedCanaryHistogram(s: HorizonSums): MergedHistogram {
  return s.canaryPaired ?? s.canaryAll;
}

/** The merged histogram, or null where no poll counted or one lacked a histogram. */
export function mergedOf(h: MergedHistogram): LatencyBucket[] | null {
  return h.polls === 0 || h.broken ? null : h.buckets;
}

/** The merged histogram's p95 (interpolated in its bucket), or null; computed once per fold. */
export function mergedP95(h: MergedHistogram): number | null {
  const buckets = mergedOf(h);
  if (!buckets) return null;
  if (h.p95?.polls !== h.polls)
    h.p95 = { polls: h.polls, value: quantileOf(buckets, 0.95, h.countsAscend) };
  return h.p95.value;
}

const p95Memo = new WeakMap<TrackReading, number | null>();

/** An interval's p95 from its histogram (memoized per reading; readings are never mutated). */
export function p95Of(t: TrackReading): number | null {
  if (!t.latencyBuckets) return null;
  let p = p95Memo.get(t);
  if (p === undefined) {
    p = histogramQuantile(t.latencyBuckets, 0.95);
    p95Memo.set(t, p);
  }
  return p;
}

function addPoll(s: HorizonSums, o: PollObservation, p: FoldParameters): void {
  const c = o.canary;
  const st = o.stable;
  // Stable's p95 over the polls before this one: the threshold of `slowerThanStable`.
  const pastStableP95 = mergedP95(s.stableAll);
  if (hasCounts(c)) {
    s.canary.known = true;
    s.canary.requests += c.requests;
    s.canary.errors += c.errors;
  }
  if (hasCounts(st)) {
    s.stable.known = true;
    s.stable.requests += st.requests;
    s.stable.errors += st.errors;
  }
  if (hasCounts(c) && hasCounts(st) && st.requests > 0) {
    s.pairs += 1;
    s.paired.canaryRequests += c.requests;
    s.paired.canaryErrors += c.errors;
    s.paired.stableRequests += st.requests;
    s.paired.stableErrors += st.errors;
    s.matchedRateWeight += c.requests;
    s.matchedRateSum += c.requests * (st.errors / st.requests);
    const m = c.errors + st.errors;
    if (m > 0 && c.requests > 0) {
      addLogRatios(
        s.worseLogs,
        WORSE_ALTERNATIVES,
        1,
        c.requests,
        c.errors,
        st.requests,
        st.errors,
      );
      addLogRatios(
        s.betterLogs,
        BETTER_ALTERNATIVES,
        p.errorRatio,
        c.requests,
        c.errors,
        st.requests,
        st.errors,
      );
    }
  }
  const canaryRequests = c.requests ?? 0;
  const stableRequests = st?.requests ?? 0;
  if (canaryRequests > 0 && stableRequests <= 0 && !s.canaryPaired)
    s.canaryPaired = copyHistogram(s.canaryAll);
  if (canaryRequests > 0) addHistogram(s.canaryAll, c.latencyBuckets);
  if (canaryRequests > 0 && stableRequests > 0 && s.canaryPaired)
    addHistogram(s.canaryPaired, c.latencyBuckets);
  if (st && stableRequests > 0) addHistogram(s.stableAll, st.latencyBuckets);

  const cb = c.latencyBuckets;
  if (cb && st && canaryRequests > 0 && stableRequests > 0) {
    const stableP95 = p95Of(st);
    if (stableP95 !== null) {
      const n = histogramTotal(cb);
      const bounds = histogramBounds(cb);
      s.slowVsStableP95.slow += slowCount(cb, bounds, stableP95, "at_most");
      s.slowVsStableP95.total += n;
      s.slowVsStableP95.weighted += n * stableP95;
      s.slowVsStableLimit.slow += slowCount(cb, bounds, p.p95Ratio * stableP95, "at_least");
      s.slowVsStableLimit.total += n;
      s.slowVsStableLimit.weighted += n * stableP95;
    }
    if (st.latencyBuckets) addSlowerThanStable(s, cb, st.latencyBuckets, pastStableP95);
  }
  const sb = st?.latencyBuckets;
  if (sb && canaryRequests > 0) {
    const total = histogramTotal(sb);
    if (total > 0) {
      s.stableSlowRequests += total;
      s.stableSlowShareWeight += canaryRequests;
      s.stableSlowShareSum +=
        (canaryRequests * slowCount(sb, histogramBounds(sb), p.p95MaxMs, "at_least")) / total;
    }
  }
}

/**
 * Adds one interval's requests slower than a threshold on both tracks: stable's p95 over the
 * horizon's earlier polls (`thresholdMs`), or with none yet the p95 of this interval's
 * requests of both tracks together; either way at a bucket's bound. Neither depends on which
 * track served which of this interval's requests, so a canary no slower than stable gets each
 * slow request with its share of traffic: the count is exact however few requests each track
 * has. A threshold drawn from the same interval's stable requests alone is not: on small
 * samples it is a noisy quantile that a healthy canary exceeds more than 5% of the time.
 */
function addSlowerThanStable(
  s: HorizonSums,
  cb: LatencyBucket[],
  sb: LatencyBucket[],
  thresholdMs: number | null,
): void {
  if (cb.length !== sb.length) return;
  const nc = histogramTotal(cb);
  const ns = histogramTotal(sb);
  if (!(nc > 0 && ns > 0)) return;
  // Both over the same ascending bounds: no bound differs before the threshold's bucket,
  // which bisection finds (as the scan below would).
  const bounds = histogramBounds(cb);
  if (
    thresholdMs !== null &&
    bounds.ascending &&
    sameHistogramBounds(bounds, histogramBounds(sb))
  ) {
    const i = firstNotUnder(bounds, thresholdMs);
    if (i < cb.length) addSlowerAt(s, nc, nc - cb[i]!.count, ns, ns - sb[i]!.count);
    return;
  }
  const rank = 0.95 * (nc + ns);
  for (let i = 0; i < cb.length; i++) {
    if (cb[i]!.leMs !== sb[i]!.leMs) return;
    if (thresholdMs === null ? cb[i]!.count + sb[i]!.count < rank : cb[i]!.leMs < thresholdMs)
      continue;
    addSlowerAt(s, nc, nc - cb[i]!.count, ns, ns - sb[i]!.count);
    return;
  }
}

/** Adds one interval's slow requests on both tracks (see {@link addSlowerThanStable}). */
function addSlowerAt(
  s: HorizonSums,
  nc: number,
  slowCanary: number,
  ns: number,
  slowStable: number,
): void {
  const t = s.slowerThanStable;
  t.canary += slowCanary;
  t.canaryTotal += nc;
  t.stable += slowStable;
  t.stableTotal += ns;
  if (slowCanary + slowStable > 0)
    addLogRatios(s.slowerLogs, WORSE_ALTERNATIVES, 1, nc, slowCanary, ns, slowStable);
}

/**
 * Adds one interval's terms to each alternative's log likelihood ratio: conditioned on the
 * interval's errors, the canary's share is binomial with p = θ·nc / (θ·nc + ns).
 */
function addLogRatios(
  logs: number[],
  factors: readonly number[],
  limit: number,
  canaryRequests: number,
  canaryErrors: number,
  stableRequests: number,
  stableErrors: number,
): void {
  const p0 = (limit * canaryRequests) / (limit * canaryRequests + stableRequests);
  for (let k = 0; k < factors.length; k++) {
    const theta = factors[k]! * limit;
    const p1 = (theta * canaryRequests) / (theta * canaryRequests + stableRequests);
    logs[k]! += canaryErrors * Math.log(p1 / p0) + stableErrors * Math.log((1 - p1) / (1 - p0));
  }
}

interface Folded {
  key: string;
  polls: PollObservation[];
  sums: HorizonSums;
}

/** The last fold of each horizon, keyed by its first poll: the next decision adds only the new polls. */
const folds = new WeakMap<PollObservation, Folded[]>();
const MAX_FOLDS_PER_START = 4;

/**
 * The sums of a horizon's polls. A pure function of `polls` and `p`: it reuses the fold of
 * an earlier call only when every poll it covered is the very same object at the same
 * place (polls are never mutated), and otherwise folds afresh.
 */
export function foldHorizon(polls: readonly PollObservation[], p: FoldParameters): HorizonSums {
  if (polls.length === 0) return emptySums();
  const key = `${p.errorRatio}|${p.p95Ratio}|${p.p95MaxMs}`;
  const first = polls[0]!;
  const list = folds.get(first) ?? [];
  let entry = list.find((f) => f.key === key && isPrefix(f.polls, polls));
  if (!entry) {
    entry = { key, polls: [], sums: emptySums() };
    list.unshift(entry);
    if (list.length > MAX_FOLDS_PER_START) list.length = MAX_FOLDS_PER_START;
    folds.set(first, list);
  }
  for (let i = entry.polls.length; i < polls.length; i++) {
    addPoll(entry.sums, polls[i]!, p);
    entry.polls.push(polls[i]!);
  }
  return entry.sums;
}

function isPrefix(done: readonly PollObservation[], polls: readonly PollObservation[]): boolean {
  if (done.length > polls.length) return false;
  for (let i = done.length - 1; i >= 0; i--) if (done[i] !== polls[i]) return false;
  return true;
}
