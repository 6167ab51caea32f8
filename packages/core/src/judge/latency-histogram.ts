import type { LatencyBucket } from "../contracts/slo-source.js";

/** Adds cumulative histograms bucket by bucket; `null` when any is missing or bounds differ. */
export function mergeBuckets(
  histograms: readonly (LatencyBucket[] | null)[],
): LatencyBucket[] | null {
  let merged: LatencyBucket[] | null = null;
  for (const h of histograms) {
    if (!h || h.length === 0) return null;
    if (!merged) {
      merged = h.map((b) => ({ leMs: b.leMs, count: b.count }));
      continue;
    }
    if (merged.length !== h.length) return null;
    for (let i = 0; i < h.length; i++) {
      if (merged[i]!.leMs !== h[i]!.leMs) return null;
      merged[i]!.count += h[i]!.count;
    }
  }
  return merged;
}

/** Total requests in a cumulative histogram (its last bucket). */
export function histogramTotal(buckets: readonly LatencyBucket[]): number {
  return buckets.length === 0 ? 0 : buckets[buckets.length - 1]!.count;
}

/**
 * The quantile `q` of a cumulative histogram, interpolated linearly inside its bucket (as
 * Prometheus' `histogram_quantile` does); `null` with no requests. A quantile in the `+Inf`
 * bucket is the highest finite bound.
 */
export function histogramQuantile(buckets: readonly LatencyBucket[], q: number): number | null {
  const total = histogramTotal(buckets);
  if (!(total > 0)) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  // Indexed loops: these run for every poll over ~130 buckets, and must not allocate.
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i]!;
    if (b.count >= rank) {
      if (!Number.isFinite(b.leMs)) return prevLe;
      const inBucket = b.count - prevCount;
      return inBucket > 0 ? prevLe + ((b.leMs - prevLe) * (rank - prevCount)) / inBucket : b.leMs;
    }
    prevLe = Number.isFinite(b.leMs) ? b.leMs : prevLe;
    prevCount = b.count;
  }
  return prevLe;
}

/**
 * Requests slower than `limitMs`, bounded from the side the caller needs: `at_most` counts
 * above the first bucket bound at or over the limit (never more than the truth: safe for a
 * breach), `at_least` counts above the last bound at or under it (never fewer: safe for a pass).
 */
export function slowerThan(
  buckets: readonly LatencyBucket[],
  limitMs: number,
  side: "at_most" | "at_least",
): { slow: number; boundMs: number } {
  const total = histogramTotal(buckets);
  if (side === "at_most") {
    for (let i = 0; i < buckets.length; i++) {
      const b = buckets[i]!;
      if (b.leMs >= limitMs) return { slow: total - b.count, boundMs: b.leMs };
    }
    return { slow: 0, boundMs: Number.POSITIVE_INFINITY };
  }
  let last = -1;
  for (let i = 0; i < buckets.length && buckets[i]!.leMs <= limitMs; i++) last = i;
  return last === -1
    ? { slow: total, boundMs: 0 }
    : { slow: total - buckets[last]!.count, boundMs: buckets[last]!.leMs };
}
