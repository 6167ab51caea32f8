import type { LatencyBucket } from "../../contracts/slo-source.js";

/** Bucket bounds like a Prometheus native histogram (schema 3: factor 2^(1/8)), 1 ms to ~65 s. */
export const SIMULATED_BUCKET_BOUNDS_MS: readonly number[] = Array.from(
  { length: 129 },
  (_, i) => 2 ** (i / 8),
);

/** The standard normal CDF (Abramowitz–Stegun 7.1.26 via erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** z of the 95th percentile. */
const Z95 = 1.6448536269514722;

/**
 * The expected cumulative histogram of `requests` lognormal latencies whose p95 is `p95Ms`
 * (shape `sigma`, 0.5 by default), on {@link SIMULATED_BUCKET_BOUNDS_MS} plus `+Inf`.
 * The array is frozen (and may be shared with other callers): copy it to change it.
 */
export function lognormalBuckets(requests: number, p95Ms: number, sigma = 0.5): LatencyBucket[] {
  const key = `${requests}|${p95Ms}|${sigma}`;
  const known = recent.get(key);
  if (known) return known;
  // Frozen, so one histogram can be handed out at every poll that asks for it.
  const buckets = Object.freeze(
    computeBuckets(requests, p95Ms, sigma).map((b) => Object.freeze(b)),
  ) as LatencyBucket[];
  if (recent.size >= RECENT_MAX) recent.delete(recent.keys().next().value as string);
  recent.set(key, buckets);
  return buckets;
}

/** Histograms computed lately: a scenario asks for the same few again at every poll. */
const recent = new Map<string, LatencyBucket[]>();
const RECENT_MAX = 256;

function computeBuckets(requests: number, p95Ms: number, sigma: number): LatencyBucket[] {
  const mu = Math.log(p95Ms) - Z95 * sigma;
  const buckets: LatencyBucket[] = SIMULATED_BUCKET_BOUNDS_MS.map((leMs) => ({
    leMs,
    count: Math.round(requests * normalCdf((Math.log(leMs) - mu) / sigma)),
  }));
  buckets.push({ leMs: Number.POSITIVE_INFINITY, count: requests });
  return buckets;
}
