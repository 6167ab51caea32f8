import { lognormalP95Ms } from "./latency-histogram.js";
import { createSeededRandom, hashSeed } from "./seeded-random.js";

/** Traffic tiers of the benchmark, requests per minute over both tracks. */
export const TRAFFIC_TIERS_PER_MINUTE = [20, 200, 2000, 20000] as const;

/** A regression's size: an error-rate factor or a p95 increase. */
export type RegressionSize =
  | "error_x1.5"
  | "error_x2"
  | "error_x5"
  | "error_x20"
  | "p95_+10%"
  | "p95_+30%"
  | "p95_+100%";

/** Every regression size, smallest first within each metric. */
export const REGRESSION_SIZES: readonly RegressionSize[] = [
  "error_x1.5",
  "error_x2",
  "error_x5",
  "error_x20",
  "p95_+10%",
  "p95_+30%",
  "p95_+100%",
];

const REGRESSION_EFFECTS: Record<RegressionSize, { metric: "error_rate" | "p95"; factor: number }> =
  {
    "error_x1.5": { metric: "error_rate", factor: 1.5 },
    error_x2: { metric: "error_rate", factor: 2 },
    error_x5: { metric: "error_rate", factor: 5 },
    error_x20: { metric: "error_rate", factor: 20 },
    "p95_+10%": { metric: "p95", factor: 1.1 },
    "p95_+30%": { metric: "p95", factor: 1.3 },
    "p95_+100%": { metric: "p95", factor: 2 },
  };

/** When a regression shows. */
export type RegressionOnset =
  /** From the canary's first request. */
  | { kind: "immediate" }
  /** Once the canary has carried at least this share of traffic (a load-dependent bug). */
  | { kind: "at_weight"; weight: number }
  /** This many minutes after the first canary weight was set (a leak, an expiring cache). */
  | { kind: "after_minutes"; minutes: number };

/** What a trace is, which is what a judge should conclude about it. */
export type CanaryTraceLabel =
  /** The canary behaves exactly like stable: rolling it back is a false rollback. */
  | { class: "healthy" }
  /**
   * A healthy canary, but a dependency blip raises errors and/or latency on both tracks
   * alike for a few minutes, starting `startAfterSeconds` after the weight `atWeight`
   * was set, while both tracks serve traffic (it ends early if the canary reaches 100%
   * first). Rolling back is a false rollback.
   */
  | {
      class: "shared_noise";
      atWeight: number;
      startAfterSeconds: number;
      durationSeconds: number;
      /** Added to both tracks' error rate during the blip (0: latency only). */
      errorRateAdded: number;
      /** Both tracks' latencies are multiplied by this during the blip (1: errors only). */
      latencyFactor: number;
    }
  /** The canary is worse than stable: error rate × factor, or latency × factor. */
  | {
      class: "regression";
      size: RegressionSize;
      metric: "error_rate" | "p95";
      factor: number;
      onset: RegressionOnset;
    };

/** One labelled canary trace: the world a release runs in. */
export interface CanaryTrace {
  id: number;
  /** Seed of the trace's request stream (each slot draws from `hashSeed(seed, slot)`). */
  seed: number;
  /** The nominal traffic tier, requests per minute. */
  tierPerMinute: number;
  /** Mean requests per minute over both tracks (the tier ± 15%). */
  requestsPerMinute: number;
  /** Sigma of the per-minute lognormal traffic factor (no diurnal cycle). */
  trafficJitter: number;
  /** The objectives the release is judged against. */
  objectives: { errorRateMax: number; p95LatencyMs: number };
  /** The stable version: its error rate and lognormal latency (`ln ms ~ N(mu, sigma²)`). */
  stable: { errorRate: number; latencyMu: number; latencySigma: number; p95LatencyMs: number };
  label: CanaryTraceLabel;
}

/** Options of {@link generateCanaryTraces}. */
export interface CanaryTraceOptions {
  /** How many traces (default 2,000). */
  count?: number;
  /** The seed (default 1): same seed and count, same traces. */
  seed?: number;
  /** The objectives (default: 1% errors, 300 ms p95). */
  objectives?: { errorRateMax: number; p95LatencyMs: number };
}

/** The group a trace is counted in: `healthy`, `shared_noise`, or its regression size. */
export function traceGroup(label: CanaryTraceLabel): "healthy" | "shared_noise" | RegressionSize {
  return label.class === "regression" ? label.size : label.class;
}

// Per tier, traces cycle through 16 classes: 5 healthy, 4 shared noise, one of each regression.
const CLASS_CYCLE: readonly ("healthy" | "shared_noise" | RegressionSize)[] = [
  "healthy",
  "healthy",
  "healthy",
  "healthy",
  "healthy",
  "shared_noise",
  "shared_noise",
  "shared_noise",
  "shared_noise",
  ...REGRESSION_SIZES,
];

const uniform = (u: number, low: number, high: number) => low + (high - low) * u;
const roundTo = (value: number, step: number) => Math.round(value / step) * step;

/**
 * Generates labelled canary traces, seeded and reproducible. Trace `i` is in tier
 * `TRAFFIC_TIERS_PER_MINUTE[i % 4]`; within a tier, classes cycle 5 healthy, 4 shared
 * noise, then one of each regression size. Each trace draws, from `hashSeed(seed, i)`:
 * traffic (tier × 0.85–1.15, per-minute jitter sigma 0.05–0.15), a stable error rate at
 * 20–60% of the objective, a lognormal latency with sigma 0.3–0.8 and a p95 at 40–80% of
 * the objective (20–60% headroom), and the class's parameters (regression onset: half
 * immediate, a quarter once the canary carries 25%, a quarter 3–8 minutes into the first
 * step; blips 30–120 s into the 5% or 25% step, lasting 2–5 minutes, on errors
 * (+0.5–3× the objective), latency (×1.3–2.5) or both).
 *
 * @example
 * ```ts
 * const traces = generateCanaryTraces({ count: 2000, seed: 7 });
 * traces.filter((t) => t.label.class === "healthy").length; // 636 (5 in every 16, per tier)
 * ```
 */
export function generateCanaryTraces(options: CanaryTraceOptions = {}): CanaryTrace[] {
  const count = options.count ?? 2000;
  const seed = options.seed ?? 1;
  const objectives = options.objectives ?? { errorRateMax: 0.01, p95LatencyMs: 300 };
  const traces: CanaryTrace[] = [];
  for (let id = 0; id < count; id++) {
    const rng = createSeededRandom(hashSeed(seed, id, 0x7ace));
    const tierPerMinute = TRAFFIC_TIERS_PER_MINUTE[id % TRAFFIC_TIERS_PER_MINUTE.length]!;
    const group =
      CLASS_CYCLE[Math.floor(id / TRAFFIC_TIERS_PER_MINUTE.length) % CLASS_CYCLE.length]!;
    const latencySigma = uniform(rng.next(), 0.3, 0.8);
    const p95LatencyMs = objectives.p95LatencyMs * uniform(rng.next(), 0.4, 0.8);
    const latencyMu = Math.log(p95LatencyMs) - 1.6448536269514722 * latencySigma;
    const stable = {
      errorRate: objectives.errorRateMax * uniform(rng.next(), 0.2, 0.6),
      latencyMu,
      latencySigma,
      p95LatencyMs: lognormalP95Ms(latencyMu, latencySigma),
    };
    const requestsPerMinute = tierPerMinute * uniform(rng.next(), 0.85, 1.15);
    const trafficJitter = uniform(rng.next(), 0.05, 0.15);
    let label: CanaryTraceLabel;
    if (group === "healthy") label = { class: "healthy" };
    else if (group === "shared_noise") {
      const what = rng.next();
      const errors = what < 0.7;
      const latency = what >= 0.4;
      label = {
        class: "shared_noise",
        atWeight: rng.next() < 0.5 ? 5 : 25,
        startAfterSeconds: roundTo(uniform(rng.next(), 30, 120), 5),
        durationSeconds: roundTo(uniform(rng.next(), 120, 300), 5),
        errorRateAdded: errors ? objectives.errorRateMax * uniform(rng.next(), 0.5, 3) : 0,
        latencyFactor: latency ? uniform(rng.next(), 1.3, 2.5) : 1,
      };
    } else {
      const when = rng.next();
      const onset: RegressionOnset =
        when < 0.5
          ? { kind: "immediate" }
          : when < 0.75
            ? { kind: "at_weight", weight: 25 }
            : { kind: "after_minutes", minutes: roundTo(uniform(rng.next(), 3, 8), 1 / 12) };
      label = { class: "regression", size: group, ...REGRESSION_EFFECTS[group], onset };
    }
    traces.push({
      id,
      seed: hashSeed(seed, id),
      tierPerMinute,
      requestsPerMinute,
      trafficJitter,
      objectives,
      stable,
      label,
    });
  }
  return traces;
}
