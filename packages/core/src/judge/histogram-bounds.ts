import type { LatencyBucket } from "../contracts/slo-source.js";

/**
 * One list of bucket bounds, shared by every histogram counted over it: two histograms
 * have the same bounds when they have the same {@link HistogramBounds}. `comparable` is
 * false for bounds that hold NaN, which equal nothing, not even themselves. `ascending`:
 * comparable and never decreasing, so a bound can be found by bisection.
 */
export interface HistogramBounds {
  readonly leMs: readonly number[];
  readonly comparable: boolean;
  readonly ascending: boolean;
}

/** Each histogram's bounds, once looked up (histograms are never mutated). */
const boundsOf = new WeakMap<readonly LatencyBucket[], HistogramBounds>();
/** The bounds handed out last: a source counts every histogram over the same ones. */
let last: HistogramBounds | null = null;

/**
 * The bounds of a histogram, the same object for every histogram whose bounds are equal
 * (`===`, bucket by bucket) to the last ones seen. A poll's histogram is merged into up to
 * six sums (each track, paired or not, for the step and for the release): comparing its
 * ~130 bounds once here, not at every merge, was most of the merging's time.
 */
export function histogramBounds(buckets: readonly LatencyBucket[]): HistogramBounds {
  let bounds = boundsOf.get(buckets);
  if (bounds) return bounds;
  bounds = last && sameBounds(buckets, last) ? last : boundsFrom(buckets);
  boundsOf.set(buckets, bounds);
  last = bounds;
  return bounds;
}

function sameBounds(buckets: readonly LatencyBucket[], bounds: HistogramBounds): boolean {
  if (!bounds.comparable || buckets.length !== bounds.leMs.length) return false;
  for (let i = 0; i < buckets.length; i++) if (buckets[i]!.leMs !== bounds.leMs[i]) return false;
  return true;
}

function boundsFrom(buckets: readonly LatencyBucket[]): HistogramBounds {
  const leMs = new Array<number>(buckets.length);
  let comparable = true;
  let ascending = true;
  for (let i = 0; i < buckets.length; i++) {
    leMs[i] = buckets[i]!.leMs;
    if (Number.isNaN(leMs[i])) comparable = false;
    if (i > 0 && !(leMs[i - 1]! <= leMs[i]!)) ascending = false;
  }
  return { leMs, comparable, ascending: comparable && ascending };
}

/**
 * Whether two histograms' bounds are equal bucket by bucket, as `===` compares them (so
 * never where either holds NaN). The same object answers at once; other objects (bounds
 * that alternated with others in between) are compared value by value.
 */
export function sameHistogramBounds(a: HistogramBounds, b: HistogramBounds): boolean {
  if (!a.comparable || !b.comparable) return false;
  if (a === b) return true;
  if (a.leMs.length !== b.leMs.length) return false;
  for (let i = 0; i < a.leMs.length; i++) if (a.leMs[i] !== b.leMs[i]) return false;
  return true;
}
