import type { Clock } from "../../contracts/clock.js";
import type {
  LatencyBucket,
  SloMeasurement,
  SloQuery,
  SloSource,
} from "../../contracts/slo-source.js";
import { readingOf } from "../../contracts/slo-source.js";
import { guarded } from "../fakes/guard.js";
import { noTrafficMeasurement } from "../fakes/no-traffic.js";
import type { CanaryTrace } from "./canary-trace.js";
import {
  addLatencySample,
  histogramQuantile,
  LATENCY_BUCKET_BOUNDS_MS,
  lognormalBucketProbabilities,
} from "./latency-histogram.js";
import { createSeededRandom, hashSeed } from "./seeded-random.js";
import type { WeightTimeline } from "./weight-timeline.js";

/** Options of {@link createTraceSloSource}. */
export interface TraceSloSourceOptions {
  clock: Clock;
  /** The canary's share of traffic over time (from {@link recordWeightTimeline}). */
  timeline: WeightTimeline;
  /** Aggregation slot, seconds (default 5): the time resolution of every window. */
  slotSeconds?: number;
}

/** An {@link SloSource} over one trace's simulated request stream. */
export interface TraceSloSource extends SloSource {
  /** Slots generated so far (each one 5 s of both tracks' traffic). */
  readonly slotsGenerated: number;
  /** Measurements answered so far. */
  readonly queries: number;
}

interface Lognormal {
  mu: number;
  sigma: number;
  probabilities: Float64Array;
}

const BUCKETS = LATENCY_BUCKET_BOUNDS_MS.length;
// A prefix row: requests, errors, then one count per latency bucket (not cumulative).
const ROW = 2 + BUCKETS;

/** Running sums of one track's slots: row k holds the totals of slots [0, k). */
class PrefixRows {
  // 512 slots of 5 s cover a 40-minute release without growing.
  rows = new Float64Array(ROW * 512);
  length = 1;
  push(requests: number, errors: number, counts: Float64Array): void {
    if ((this.length + 1) * ROW > this.rows.length) {
      const grown = new Float64Array(this.rows.length * 2);
      grown.set(this.rows);
      this.rows = grown;
    }
    const from = (this.length - 1) * ROW;
    const to = this.length * ROW;
    const rows = this.rows;
    rows[to] = rows[from]! + requests;
    rows[to + 1] = rows[from + 1]! + errors;
    for (let i = 0; i < BUCKETS; i++) rows[to + 2 + i] = rows[from + 2 + i]! + counts[i]!;
    this.length += 1;
  }
}

/**
 * An {@link SloSource} that answers any window exactly from a trace's simulated request
 * stream on the (virtual) clock. Time is cut into slots (5 s); a window covers the slots
 * that start inside it, so adjacent windows add up to their union. Each slot is drawn
 * once, lazily, from its own seeded stream (`hashSeed(trace.seed, slot)`): total
 * requests (Poisson around the trace's rate × a per-minute jitter), the canary's share
 * (binomial at the weight the timeline had when the slot began; 100% after promotion,
 * 0% after a rollback), errors (binomial) and latencies (lognormal, into exponential
 * buckets of factor 2^(1/8)) for each track, with the trace's regression or blip applied
 * where it is active (a blip ends early if the canary reaches 100% first). The same slot
 * at the same weight is the same traffic whichever judge runs, so judges are compared on
 * the same world.
 *
 * Answers carry every `SloMeasurement` v2 field; a window without requests is `no_data`
 * with `requestCount: 0`. The query's `track` picks the side; `version` is not checked.
 *
 * @example
 * ```ts
 * const clock = createVirtualClock();
 * const { deployer, timeline } = recordWeightTimeline(createSimulatedDeployer({ stableVersion: "v1.3.0" }), clock);
 * const slo = createTraceSloSource(generateCanaryTraces({ count: 1 })[0]!, { clock, timeline });
 * await runScenario(scenario, { clock, overrides: { deployer, slo } });
 * ```
 */
export function createTraceSloSource(
  trace: CanaryTrace,
  options: TraceSloSourceOptions,
): TraceSloSource {
  const { clock, timeline } = options;
  const slotMs = (options.slotSeconds ?? 5) * 1000;
  const originMs = clock.now();
  const canaryRows = new PrefixRows();
  const stableRows = new PrefixRows();
  const canaryCounts = new Float64Array(BUCKETS);
  const stableCounts = new Float64Array(BUCKETS);
  // Latency distributions by state: [blip active][canary regressed], built on first use.
  const lognormals: (Lognormal | undefined)[] = [];
  const trafficFactors: number[] = [];
  const label = trace.label;
  let queries = 0;

  const lognormal = (blip: boolean, regressed: boolean): Lognormal => {
    const index = (blip ? 2 : 0) + (regressed ? 1 : 0);
    let found = lognormals[index];
    if (!found) {
      let mu = trace.stable.latencyMu;
      if (blip && label.class === "shared_noise") mu += Math.log(label.latencyFactor);
      if (regressed && label.class === "regression" && label.metric === "p95")
        mu += Math.log(label.factor);
      const sigma = trace.stable.latencySigma;
      found = { mu, sigma, probabilities: lognormalBucketProbabilities(mu, sigma) };
      lognormals[index] = found;
    }
    return found;
  };

  const trafficFactor = (minute: number): number => {
    let factor = trafficFactors[minute];
    if (factor === undefined) {
      const z = createSeededRandom(hashSeed(trace.seed, minute, 0x6a17)).normal();
      const s = trace.trafficJitter;
      factor = Math.exp(s * z - (s * s) / 2);
      trafficFactors[minute] = factor;
    }
    return factor;
  };

  const regressionActive = (atMs: number): boolean => {
    if (label.class !== "regression") return false;
    const onset = label.onset;
    if (onset.kind === "immediate") return true;
    const since =
      onset.kind === "at_weight"
        ? timeline.firstAtOrAboveMs(onset.weight)
        : (() => {
            const first = timeline.firstWeightSetAtMs();
            return first === null ? null : first + onset.minutes * 60_000;
          })();
    return since !== null && atMs >= since;
  };

  const blipActive = (atMs: number): boolean => {
    if (label.class !== "shared_noise") return false;
    const stepAt = timeline.weightSetAtMs(label.atWeight);
    if (stepAt === null) return false;
    const from = stepAt + label.startAfterSeconds * 1000;
    // The class is a blip while both tracks serve traffic: it ends when the canary reaches
    // 100%, where there is no stable track left to show that it is shared.
    const full = timeline.firstAtOrAboveMs(100);
    const to = Math.min(from + label.durationSeconds * 1000, full ?? Number.POSITIVE_INFINITY);
    return atMs >= from && atMs < to;
  };

  const generateSlot = (slot: number): void => {
    const atMs = originMs + slot * slotMs;
    const canaryPercent = timeline.canaryPercentAt(atMs);
    const rng = createSeededRandom(hashSeed(trace.seed, slot));
    const lambda =
      ((trace.requestsPerMinute * slotMs) / 60_000) *
      trafficFactor(Math.floor((slot * slotMs) / 60_000));
    const total = rng.poisson(lambda);
    const canaryRequests = rng.binomial(total, canaryPercent / 100);
    const stableRequests = total - canaryRequests;

    const blip = blipActive(atMs);
    const regressed = regressionActive(atMs);
    let stableErrorRate = trace.stable.errorRate;
    if (blip && label.class === "shared_noise")
      stableErrorRate = Math.min(1, stableErrorRate + label.errorRateAdded);
    let canaryErrorRate = stableErrorRate;
    if (regressed && label.class === "regression" && label.metric === "error_rate")
      canaryErrorRate = Math.min(1, canaryErrorRate * label.factor);
    const canaryErrors = rng.binomial(canaryRequests, canaryErrorRate);
    const stableErrors = rng.binomial(stableRequests, stableErrorRate);
    canaryCounts.fill(0);
    stableCounts.fill(0);
    addLatencySample(rng, canaryRequests, lognormal(blip, regressed), canaryCounts);
    addLatencySample(rng, stableRequests, lognormal(blip, false), stableCounts);
    canaryRows.push(canaryRequests, canaryErrors, canaryCounts);
    stableRows.push(stableRequests, stableErrors, stableCounts);
  };

  // The first slot starting at or after `ms`.
  const slotFrom = (ms: number): number => Math.max(0, Math.ceil((ms - originMs) / slotMs));

  const measureWindow = (query: SloQuery): SloMeasurement => {
    queries += 1;
    const from = slotFrom(query.windowStart.getTime());
    const to = Math.max(from, slotFrom(query.windowEnd.getTime()));
    while (canaryRows.length - 1 < to) generateSlot(canaryRows.length - 1);
    const rows = (query.track === "canary" ? canaryRows : stableRows).rows;
    const a = from * ROW;
    const b = to * ROW;
    const requests = rows[b]! - rows[a]!;
    const errors = rows[b + 1]! - rows[a + 1]!;
    const described = `trace ${trace.id} ${query.track} slots [${from}, ${to}) of ${slotMs / 1000}s`;
    if (requests === 0) {
      return {
        ...noTrafficMeasurement(`no ${query.track} requests in window`),
        queries: [described],
      };
    }
    const latencyBuckets: LatencyBucket[] = [];
    let cumulative = 0;
    for (let i = 0; i < BUCKETS; i++) {
      cumulative += rows[b + 2 + i]! - rows[a + 2 + i]!;
      latencyBuckets.push({ leMs: LATENCY_BUCKET_BOUNDS_MS[i]!, count: cumulative });
    }
    return {
      errorRate: readingOf(errors / requests),
      p95LatencyMs: readingOf(histogramQuantile(0.95, latencyBuckets)),
      sampleCount: requests,
      requestCount: requests,
      errorCount: errors,
      latencyBuckets,
      queries: [described],
    };
  };

  return {
    name: `trace-${trace.id}`,
    splitsByTrack: true,
    get slotsGenerated() {
      return canaryRows.length - 1;
    },
    get queries() {
      return queries;
    },
    measure(query, { signal }) {
      return guarded(signal, () => measureWindow(query));
    },
  };
}
