import type { LatencyBucket } from "../contracts/slo-source.js";
import type { HistogramBounds } from "./histogram-bounds.js";
import { histogramTotal, slowerThan } from "./latency-histogram.js";

// Bisection finds what a scan from the start finds wherever the scan's test is false up to
// some index and true from there on. Over ascending bounds each test below is: `le >= x`,
// `!(le <= x)` and `!(le < x)` (all true, or all false, when x is NaN). Written out, not
// passed a closure: these run several times a poll.

/** The first index whose bound is at or over `x` (`leMs.length` if none). */
function firstAtOrOver(leMs: readonly number[], x: number): number {
  let lo = 0;
  let hi = leMs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (leMs[mid]! >= x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The first index whose bound is not at or under `x` (`leMs.length` if none). */
function firstNotAtOrUnder(leMs: readonly number[], x: number): number {
  let lo = 0;
  let hi = leMs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (!(leMs[mid]! <= x)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The first index whose bound is not under `x` (`leMs.length` if none), for ascending bounds. */
export function firstNotUnder(bounds: HistogramBounds, x: number): number {
  const leMs = bounds.leMs;
  let lo = 0;
  let hi = leMs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (!(leMs[mid]! < x)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * {@link slowerThan}'s count for a histogram over `bounds` (its own, or equal to them),
 * found by bisection where the bounds ascend (the judge asks several times a poll, over
 * ~130 buckets) and by `slowerThan`'s own scan where they do not.
 */
export function slowCount(
  buckets: readonly LatencyBucket[],
  bounds: HistogramBounds,
  limitMs: number,
  side: "at_most" | "at_least",
): number {
  if (!bounds.ascending || bounds.leMs.length !== buckets.length)
    return slowerThan(buckets, limitMs, side).slow;
  const total = histogramTotal(buckets);
  if (side === "at_most") {
    // As slowerThan: above the first bucket at or over the limit.
    const i = firstAtOrOver(bounds.leMs, limitMs);
    return i === buckets.length ? 0 : total - buckets[i]!.count;
  }
  // As slowerThan: above the last bucket at or under the limit, the one before the first over it.
  const last = firstNotAtOrUnder(bounds.leMs, limitMs) - 1;
  return last === -1 ? total : total - buckets[last]!.count;
}
