import type { LatencyBucket } from "../../contracts/slo-source.js";
import { normalCdf } from "../fakes/simulated-latency.js";
import type { SeededRandom } from "./seeded-random.js";

/** Buckets per doubling: bounds grow by 2^(1/8), like a Prometheus native histogram of schema 3. */
export const LATENCY_BUCKETS_PER_DOUBLING = 8;

/**
 * Upper bounds (ms) of the simulated latency histogram: 2^(i/8) ms from 1 ms to 65.5 s,
 * then `Infinity`. 130 buckets; a bucket counts requests above the previous bound and at
 * most its own.
 */
export const LATENCY_BUCKET_BOUNDS_MS: readonly number[] = [
  ...Array.from(
    { length: 16 * LATENCY_BUCKETS_PER_DOUBLING + 1 },
    (_, i) => 2 ** (i / LATENCY_BUCKETS_PER_DOUBLING),
  ),
  Number.POSITIVE_INFINITY,
];

const LAST_FINITE = LATENCY_BUCKET_BOUNDS_MS.length - 2;

/** The bucket index a latency falls in. */
export function latencyBucketIndex(latencyMs: number): number {
  if (!(latencyMs > 1)) return 0;
  // Bound i is 2^(i/8): the smallest i with 2^(i/8) >= latency. The nudge absorbs
  // rounding so that a latency equal to a bound lands in that bound's bucket.
  const i = Math.ceil(Math.log2(latencyMs) * LATENCY_BUCKETS_PER_DOUBLING - 1e-9);
  return i > LAST_FINITE ? LAST_FINITE + 1 : i;
}

/**
 * The probability of each bucket of {@link LATENCY_BUCKET_BOUNDS_MS} under a lognormal
 * latency (`ln(latency) ~ N(mu, sigma²)`); sums to 1. Buckets with less than 1e-12 of the
 * mass are 0 (the far tails, where a draw would never land in a benchmark's lifetime).
 */
export function lognormalBucketProbabilities(mu: number, sigma: number): Float64Array {
  const probabilities = new Float64Array(LATENCY_BUCKET_BOUNDS_MS.length);
  let below = 0;
  for (let i = 0; i < LATENCY_BUCKET_BOUNDS_MS.length; i++) {
    const bound = LATENCY_BUCKET_BOUNDS_MS[i]!;
    const upTo = bound === Number.POSITIVE_INFINITY ? 1 : normalCdf((Math.log(bound) - mu) / sigma);
    probabilities[i] = Math.max(0, upTo - below);
    below = Math.max(below, upTo);
  }
  // Buckets beyond about 7 sigma would cost a draw per slot for nothing: drop them.
  let kept = 0;
  for (let i = 0; i < probabilities.length; i++) {
    if (probabilities[i]! < 1e-12) probabilities[i] = 0;
    kept += probabilities[i]!;
  }
  for (let i = 0; i < probabilities.length; i++) probabilities[i]! /= kept;
  return probabilities;
}

/** The 95th percentile of a lognormal latency, ms. */
export function lognormalP95Ms(mu: number, sigma: number): number {
  return Math.exp(mu + 1.6448536269514722 * sigma);
}

/**
 * Adds `n` lognormal latencies to `counts` (one count per bucket, not cumulative): one
 * draw per request for small `n`, conditional binomials over the buckets (an exact
 * multinomial, with normal approximations for large means) otherwise.
 */
export function addLatencySample(
  rng: SeededRandom,
  n: number,
  lognormal: { mu: number; sigma: number; probabilities: Float64Array },
  counts: Float64Array | number[],
): void {
  if (n <= 0) return;
  if (n <= 24) {
    for (let i = 0; i < n; i++) {
      counts[latencyBucketIndex(Math.exp(lognormal.mu + lognormal.sigma * rng.normal()))]! += 1;
    }
    return;
  }
  const p = lognormal.probabilities;
  let left = n;
  let mass = 1;
  for (let i = 0; i < p.length && left > 0; i++) {
    const pi = p[i]!;
    if (pi <= 0) continue;
    const share = mass <= pi ? 1 : pi / mass;
    const k = rng.binomial(left, share);
    counts[i]! += k;
    left -= k;
    mass -= pi;
  }
  // Rounding can leave a remainder after the last bucket with mass; it belongs in the tail.
  if (left > 0) counts[p.length - 1]! += left;
}

/**
 * The `q` quantile of a cumulative histogram, interpolating within the bucket on a log
 * scale (the buckets are exponential); the last finite bound when the rank falls in
 * `+Inf`, as Prometheus does. `null` on an empty histogram.
 */
export function histogramQuantile(q: number, buckets: readonly LatencyBucket[]): number | null {
  const total = buckets.length ? buckets[buckets.length - 1]!.count : 0;
  if (!(total > 0)) return null;
  const rank = q * total;
  let previousBound = 0;
  let previousCount = 0;
  for (const bucket of buckets) {
    if (bucket.count >= rank && bucket.count > previousCount) {
      if (bucket.leMs === Number.POSITIVE_INFINITY) return previousBound;
      const within = (rank - previousCount) / (bucket.count - previousCount);
      if (previousBound <= 0) return bucket.leMs * within;
      return previousBound * (bucket.leMs / previousBound) ** within;
    }
    previousBound = bucket.leMs;
    previousCount = bucket.count;
  }
  return previousBound;
}
