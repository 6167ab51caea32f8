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

/** One track of one recorded poll, as stored (snake_case; `+Inf` for the last bucket's bound). */
export const recordedTrackSchema = z.object({
  requests: count.nullable(),
  errors: count.nullable(),
  error_rate: finite.nullable(),
  p95_latency_ms: finite.nullable(),
  latency_buckets: z
    .array(z.tuple([z.union([finite, z.literal("+Inf")]), count]))
    .nullable()
    .default(null),
});

/** One recorded poll: the end of its interval, its length, and both tracks. */
export const recordedPollSchema = z.object({
  at: z.iso.datetime({ offset: true }),
  interval_ms: z.number().positive(),
  canary: recordedTrackSchema,
  stable: recordedTrackSchema.nullable(),
});

/** A recorded poll as stored in `deploy-result.json`. */
export type RecordedPoll = z.output<typeof recordedPollSchema>;
type RecordedTrack = z.output<typeof recordedTrackSchema>;

function encodeTrack(t: TrackReading): RecordedTrack {
  return {
    requests: t.requests,
    errors: t.errors,
    error_rate: t.errorRate,
    p95_latency_ms: t.p95LatencyMs,
    latency_buckets: t.latencyBuckets
      ? t.latencyBuckets.map((b) => [Number.isFinite(b.leMs) ? b.leMs : "+Inf", b.count])
      : null,
  };
}

function decodeTrack(t: RecordedTrack): TrackReading {
  const buckets: LatencyBucket[] | null = t.latency_buckets
    ? t.latency_buckets.map(([le, n]) => ({ leMs: le === "+Inf" ? Infinity : le, count: n }))
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

/** One step's polls as stored in `deploy-result.json`, bounded to {@link MAX_RECORDED_POLLS_PER_STEP}. */
export function recordPolls(polls: readonly PollObservation[]): RecordedPoll[] {
  return boundPolls(polls).map((o) => ({
    at: new Date(o.atMs).toISOString(),
    interval_ms: o.intervalMs,
    canary: encodeTrack(o.canary),
    stable: o.stable ? encodeTrack(o.stable) : null,
  }));
}

/** Recorded polls back as the judge's observations of one step. */
export function recordedObservations(
  polls: readonly RecordedPoll[],
  step: { stepIndex: number; weight: number; phase: PollObservation["phase"] },
): PollObservation[] {
  return polls.map((p) => ({
    atMs: Date.parse(p.at),
    intervalMs: p.interval_ms,
    stepIndex: step.stepIndex,
    weight: step.weight,
    phase: step.phase,
    canary: decodeTrack(p.canary),
    stable: p.stable ? decodeTrack(p.stable) : null,
  }));
}
