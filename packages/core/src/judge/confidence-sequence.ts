/**
 * Anytime-valid confidence sequences for a binomial proportion (errors among requests,
 * requests slower than a limit): Robbins' beta-binomial mixture martingale. For a true
 * proportion `p`, the mixture likelihood ratio against `p` is a nonnegative martingale, so
 * by Ville's inequality it ever exceeds `1/alpha` with probability at most `alpha` — however
 * often it is looked at. The bounds below are the set of `p` where it has not.
 */

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, |error| < 1e-13 over the range used here). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = 0.99999999999980993;
  const t = z + 7.5;
  for (let i = 0; i < LANCZOS.length; i++) a += LANCZOS[i]! / (z + i + 1);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** The mixing prior: Beta(a, b). Jeffreys' Beta(½, ½) by default. */
export interface MixturePrior {
  a: number;
  b: number;
}

export const JEFFREYS_PRIOR: MixturePrior = { a: 0.5, b: 0.5 };

/** ln B(½, ½) = ln π, the default prior's normalizer, computed once. */
const JEFFREYS_LOG_BETA = logBeta(JEFFREYS_PRIOR.a, JEFFREYS_PRIOR.b);

function priorLogBeta(prior: MixturePrior): number {
  return prior === JEFFREYS_PRIOR ? JEFFREYS_LOG_BETA : logBeta(prior.a, prior.b);
}

/**
 * ln of the mixture likelihood ratio against proportion `p` after `x` successes in `n`
 * trials. Large values are evidence that the true proportion is not `p`.
 */
export function logMixtureRatio(
  x: number,
  n: number,
  p: number,
  prior: MixturePrior = JEFFREYS_PRIOR,
): number {
  if (n <= 0) return 0;
  if (p <= 0)
    return x > 0 ? Number.POSITIVE_INFINITY : logBeta(prior.a, n + prior.b) - priorLogBeta(prior);
  if (p >= 1)
    return x < n ? Number.POSITIVE_INFINITY : logBeta(n + prior.a, prior.b) - priorLogBeta(prior);
  return (
    logBeta(x + prior.a, n - x + prior.b) -
    priorLogBeta(prior) -
    x * Math.log(p) -
    (n - x) * Math.log1p(-p)
  );
}

/** An anytime-valid interval for a proportion. */
export interface ProportionInterval {
  estimate: number;
  lower: number;
  upper: number;
}

/** Newton steps at most per bound (each converges in a handful; this only guards the loop). */
const MAX_STEPS = 100;
/** Stop when a step moves the bound's logarithm by less than this. */
const TOLERANCE = 1e-10;
/** The bounds are searched within [SMALLEST, 1 - SMALLEST]. */
const SMALLEST = 1e-12;
const LOG_SMALLEST = Math.log(SMALLEST);

/**
 * The confidence sequence's interval for `x` of `n` at level `1 - alpha`: every proportion
 * whose mixture ratio is still below `1/alpha`. `n = 0` gives [0, 1].
 *
 * Each bound is a root of `excess(p)` = ln ratio − ln(1/alpha), which is convex with its
 * minimum at the estimate. Newton's method on ln p (lower bound) and on ln(1 − p) (upper
 * bound), where `excess` is convex too, starts outside the interval and approaches the root
 * from outside without crossing it: the bounds returned are never inside the true interval,
 * so it is never narrower than it should be.
 */
export function proportionInterval(
  x: number,
  n: number,
  alpha: number,
  prior: MixturePrior = JEFFREYS_PRIOR,
): ProportionInterval {
  // The judge asks for the same interval twice in a row (the canary's error rate against
  // stable and against the objective): the last answer is kept, as a copy.
  const last = lastInterval;
  if (last && last.x === x && last.n === n && last.alpha === alpha && last.prior === prior)
    return { ...last.interval };
  const interval = computeInterval(x, n, alpha, prior);
  lastInterval = { x, n, alpha, prior, interval: { ...interval } };
  return interval;
}

let lastInterval: {
  x: number;
  n: number;
  alpha: number;
  prior: MixturePrior;
  interval: ProportionInterval;
} | null = null;

function computeInterval(
  x: number,
  n: number,
  alpha: number,
  prior: MixturePrior,
): ProportionInterval {
  if (!(n > 0)) return { estimate: Number.NaN, lower: 0, upper: 1 };
  const k = Math.min(Math.max(x, 0), n);
  const estimate = k / n;
  const bound = Math.log(1 / alpha);
  const constant = logBeta(k + prior.a, n - k + prior.b) - priorLogBeta(prior) - bound;
  const excess = (p: number, q: number) => constant - k * Math.log(p) - (n - k) * Math.log(q);
  let lower = 0;
  if (k > 0) {
    // u = ln p, from ln SMALLEST up: d excess / du = −k + (n − k)·p/(1 − p).
    // The estimate's logarithm caps every step: taken once, not once a step.
    const top = Math.log(estimate);
    let u = LOG_SMALLEST;
    for (let i = 0; i < MAX_STEPS; i++) {
      const p = Math.exp(u);
      const f = excess(p, 1 - p);
      if (f <= 0) break;
      const slope = -k + ((n - k) * p) / (1 - p);
      if (!(slope < 0)) break;
      const step = -f / slope;
      u += step;
      if (u >= top) {
        u = top;
        break;
      }
      if (step < TOLERANCE) break;
    }
    lower = Math.exp(u);
  }
  let upper = 1;
  if (k < n) {
    // v = ln(1 − p), from ln SMALLEST up: d excess / dv = −(n − k) + k·(1 − p)/p.
    const top = Math.log1p(-estimate);
    let v = LOG_SMALLEST;
    for (let i = 0; i < MAX_STEPS; i++) {
      const q = Math.exp(v);
      const f = excess(1 - q, q);
      if (f <= 0) break;
      const slope = -(n - k) + (k * q) / (1 - q);
      if (!(slope < 0)) break;
      const step = -f / slope;
      v += step;
      if (v >= top) {
        v = top;
        break;
      }
      if (step < TOLERANCE) break;
    }
    upper = 1 - Math.exp(v);
  }
  return { estimate, lower, upper };
}
