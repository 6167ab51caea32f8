import { z } from "zod";
import type { LatencyBucket } from "../contracts/slo-source.js";
import type { PollObservation, TrackReading } from "../judge/judge.js";
import { histogramQuantile, mergeBuckets } from "../judge/latency-histogram.js";

/**
 * Most polls kept per step in `deploy-result.json`. A longer step keeps coarser polls:
 * adjacent ones are merged (counts and histogram buckets added) until it fits, so the
 * series still covers the whole step.
 */
export const MAX_RECORDED_POLLS_PER_STEP = 60;

/** Only the newest releases in `deploy-result.json` keep their series; older ones keep their steps. */
export const MAX_RELEASES_WITH_SERIES = 50;

const finite = z.number().refine(Number.isFinite);
const count = z.number().min(0).refine(Number.isFinite);

/**
 * One track of one recorded poll, as stored (snake_case). `latency_counts` is the
 * cumulative histogram's counts over the step's `latency_bounds_ms`, run-length encoded
 * on one line (`"0*40 3 17 250*12"`: a value, `*` how many times), so a 130-bucket
 * histogram stays a short line in `deploy-result.json`.
 */
export const recordedTrackSchema = z.object({
  requests: count.nullable(),
  errors: count.nullable(),
  error_rate: finite.nullable(),
  p95_latency_ms: finite.nullable(),
  latency_counts: z.string().nullable().default(null),
});

/** One recorded poll: the end of its interval, its length, and both tracks. */
export const recordedPollSchema = z.object({
  at: z.iso.datetime({ offset: true }),
  interval_ms: z.number().positive(),
  canary: recordedTrackSchema,
  stable: recordedTrackSchema.nullable(),
});

/** The bounds every histogram of a step is counted over, once per step (`"+Inf"` last). */
export const recordedBoundsSchema = z.array(z.union([finite, z.literal("+Inf")]));

/** A recorded poll as stored in `deploy-result.json`. */
export type RecordedPoll = z.output<typeof recordedPollSchema>;
type RecordedTrack = z.output<typeof recordedTrackSchema>;
type Bounds = z.output<typeof recordedBoundsSchema>;

function runLength(values: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[i]) j++;
    out.push(j > i ? `${values[i]}*${j - i + 1}` : String(values[i]));
    i = j + 1;
  }
  return out.join(" ");
}

function unRunLength(text: string): number[] | null {
  const out: number[] = [];
  for (const token of text.split(" ")) {
    const [value, times = "1"] = token.split("*");
    const v = Number(value);
    const n = Number(times);
    if (!Number.isFinite(v) || !Number.isInteger(n) || n < 1) return null;
    for (let k = 0; k < n; k++) out.push(v);
  }
  return out;
}

const boundOf = (leMs: number): number | "+Inf" => (Number.isFinite(leMs) ? leMs : "+Inf");

function sameBounds(buckets: readonly LatencyBucket[], bounds: Bounds): boolean {
  if (buckets.length !== bounds.length) return false;
  for (let i = 0; i < buckets.length; i++)
    if (boundOf(buckets[i]!.leMs) !== bounds[i]) return false;
  return true;
}

/** The last encoding of each histogram: a source may hand out one histogram at several polls. */
const encodedCounts = new WeakMap<
  readonly LatencyBucket[],
  { bounds: Bounds; text: string | null }
>();

/** A histogram's counts, run-length encoded, or null when its bounds are not the step's. */
function countsText(buckets: readonly LatencyBucket[], bounds: Bounds): string | null {
  const known = encodedCounts.get(buckets);
  if (known && known.bounds === bounds) return known.text;
  const text = sameBounds(buckets, bounds) ? runLength(buckets.map((b) => b.count)) : null;
  encodedCounts.set(buckets, { bounds, text });
  return text;
}

function encodeTrack(t: TrackReading, bounds: Bounds | null): RecordedTrack {
  return {
    requests: t.requests,
    errors: t.errors,
    error_rate: t.errorRate,
    p95_latency_ms: t.p95LatencyMs,
    // A histogram over other bounds than the step's is not kept (rare: one source, one histogram).
    latency_counts: t.latencyBuckets && bounds ? countsText(t.latencyBuckets, bounds) : null,
  };
}

function decodeTrack(t: RecordedTrack, bounds: Bounds | null): TrackReading {
  const counts = t.latency_counts && bounds ? unRunLength(t.latency_counts) : null;
  const buckets: LatencyBucket[] | null =
    counts && bounds && counts.length === bounds.length
      ? counts.map((n, i) => ({
          leMs: bounds[i] === "+Inf" ? Infinity : (bounds[i] as number),
          count: n,
        }))
      : null;
  return {
    requests: t.requests,
    errors: t.errors,
    errorRate: t.error_rate,
    p95LatencyMs: t.p95_latency_ms,
    latencyBuckets: buckets,
    ...(t.error_rate === null ? { errorRateNoData: "not recorded" } : {}),
    ...(t.p95_latency_ms === null ? { p95NoData: "not recorded" } : {}),
  };
}

function sum(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a + b;
}

/** Two readings of consecutive intervals as one reading of both. */
function mergeTracks(a: TrackReading, b: TrackReading): TrackReading {
  const requests = sum(a.requests, b.requests);
  const errors = sum(a.errors, b.errors);
  const buckets = mergeBuckets([a.latencyBuckets, b.latencyBuckets]);
  const errorRate =
    requests !== null && errors !== null && requests > 0
      ? errors / requests
      : a.errorRate !== null && b.errorRate !== null
        ? Math.max(a.errorRate, b.errorRate)
        : null;
  // Without a histogram two p95s do not make one: keep the higher (the cautious side).
  const p95 = buckets
    ? histogramQuantile(buckets, 0.95)
    : a.p95LatencyMs !== null && b.p95LatencyMs !== null
      ? Math.max(a.p95LatencyMs, b.p95LatencyMs)
      : null;
  return {
    requests,
    errors,
    errorRate,
    p95LatencyMs: p95,
    latencyBuckets: buckets,
    ...(errorRate === null ? { errorRateNoData: a.errorRateNoData ?? b.errorRateNoData } : {}),
    ...(p95 === null ? { p95NoData: a.p95NoData ?? b.p95NoData } : {}),
  };
}

/**
 * Adjacent polls as one. Interval polls add up; a cumulative poll (the step so far)
 * already covers the earlier one, so the later one stands.
 */
function mergePolls(a: PollObservation, b: PollObservation): PollObservation {
  if (b.atMs - b.intervalMs <= a.atMs - a.intervalMs) return b;
  return {
    ...b,
    intervalMs: b.atMs - (a.atMs - a.intervalMs),
    canary: mergeTracks(a.canary, b.canary),
    stable: a.stable && b.stable ? mergeTracks(a.stable, b.stable) : null,
  };
}

/** At most `max` polls: adjacent pairs merged until the series fits. */
export function boundPolls(
  polls: readonly PollObservation[],
  max = MAX_RECORDED_POLLS_PER_STEP,
): PollObservation[] {
  let out = [...polls];
  while (out.length > max) {
    const next: PollObservation[] = [];
    for (let i = 0; i < out.length; i += 2) {
      const a = out[i]!;
      const b = out[i + 1];
      next.push(b ? mergePolls(a, b) : a);
    }
    out = next;
  }
  return out;
}

/** One step's polls as stored in `deploy-result.json`: the histogram bounds once, and the polls. */
export interface RecordedStepSeries {
  latency_bounds_ms?: Bounds;
  observations: RecordedPoll[];
}

/** One step's polls as stored in `deploy-result.json`, bounded to {@link MAX_RECORDED_POLLS_PER_STEP}. */
export function recordStepSeries(polls: readonly PollObservation[]): RecordedStepSeries {
  const bounded = boundPolls(polls);
  const first = bounded
    .flatMap((o) => [o.canary.latencyBuckets, o.stable?.latencyBuckets ?? null])
    .find((b) => b && b.length > 0);
  const bounds = first ? first.map((b) => boundOf(b.leMs)) : null;
  return {
    ...(bounds ? { latency_bounds_ms: bounds } : {}),
    observations: bounded.map((o) => ({
      at: new Date(o.atMs).toISOString(),
      interval_ms: o.intervalMs,
      canary: encodeTrack(o.canary, bounds),
      stable: o.stable ? encodeTrack(o.stable, bounds) : null,
    })),
  };
}

/** Recorded polls back as the judge's observations of one step. */
export function recordedObservations(
  series: {
    latency_bounds_ms?: Bounds | undefined;
    observations?: readonly RecordedPoll[] | undefined;
  },
  step: { stepIndex: number; weight: number; phase: PollObservation["phase"] },
): PollObservation[] {
  const bounds = series.latency_bounds_ms ?? null;
  return (series.observations ?? []).map((p) => ({
    atMs: Date.parse(p.at),
    intervalMs: p.interval_ms,
    stepIndex: step.stepIndex,
    weight: step.weight,
    phase: step.phase,
    canary: decodeTrack(p.canary, bounds),
    stable: p.stable ? decodeTrack(p.stable, bounds) : null,
  }));
}
