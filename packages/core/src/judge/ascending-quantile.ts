import type { LatencyBucket } from "../contracts/slo-source.js";
import { histogramQuantile, histogramTotal } from "./latency-histogram.js";

/**
 * {@link histogramQuantile} of a histogram whose counts never decrease from bucket to bucket
 * (as a cumulative histogram's do; none NaN): the bucket holding the rank is found by
 * bisection, which finds the scan's first bucket at or over the rank wherever the counts
 * ascend. The judge takes a merged histogram's p95 several times a poll, over ~130 buckets.
 * Interpolates exactly as `histogramQuantile` does.
 */
export function ascendingHistogramQuantile(
  buckets: readonly LatencyBucket[],
  q: number,
): number | null {
  const total = histogramTotal(buckets);
  if (!(total > 0)) return null;
  const rank = q * total;
  let lo = 0;
  let hi = buckets.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (buckets[mid]!.count >= rank) hi = mid;
    else lo = mid + 1;
  }
  const prevLe = lastFiniteBound(buckets, lo);
  if (lo === buckets.length) return prevLe;
  const b = buckets[lo]!;
  if (!Number.isFinite(b.leMs)) return prevLe;
  const prevCount = lo > 0 ? buckets[lo - 1]!.count : 0;
  const inBucket = b.count - prevCount;
  return inBucket > 0 ? prevLe + ((b.leMs - prevLe) * (rank - prevCount)) / inBucket : b.leMs;
}

/** The last finite bound before bucket `end`, or 0: the scan's lower edge of that bucket. */
function lastFiniteBound(buckets: readonly LatencyBucket[], end: number): number {
  for (let i = end - 1; i >= 0; i--) if (Number.isFinite(buckets[i]!.leMs)) return buckets[i]!.leMs;
  return 0;
}

/** Either quantile, as the counts allow: the same answer, by bisection where it may. */
export function quantileOf(
  buckets: readonly LatencyBucket[],
  q: number,
  countsAscend: boolean,
): number | null {
  return countsAscend ? ascendingHistogramQuantile(buckets, q) : histogramQuantile(buckets, q);
}
