import { okAsync } from "neverthrow";
import {
  readingOf,
  type SloMeasurement,
  type SloQuery,
  type SloSource,
} from "../contracts/slo-source.js";
import type { PollObservation, TrackReading } from "../judge/judge.js";
import { histogramQuantile, mergeBuckets } from "../judge/latency-histogram.js";

const TOLERANCE_MS = 1000;

function measurementOf(t: TrackReading): SloMeasurement {
  return {
    errorRate: readingOf(t.errorRate, t.errorRateNoData ?? "not recorded"),
    p95LatencyMs: readingOf(t.p95LatencyMs, t.p95NoData ?? "not recorded"),
    sampleCount: t.requests,
    requestCount: t.requests,
    errorCount: t.errors,
    latencyBuckets: t.latencyBuckets,
  };
}

const sum = (xs: (number | null)[]): number | null =>
  xs.some((x) => x === null) ? null : xs.reduce<number>((a, x) => a + (x as number), 0);

/** Readings of consecutive intervals as one reading over all of them. */
function combined(tracks: TrackReading[]): TrackReading {
  if (tracks.length === 1) return tracks[0]!;
  const requests = sum(tracks.map((t) => t.requests));
  const errors = sum(tracks.map((t) => t.errors));
  const buckets = mergeBuckets(tracks.map((t) => t.latencyBuckets));
  const p95s = tracks.map((t) => t.p95LatencyMs);
  return {
    requests,
    errors,
    errorRate: requests !== null && errors !== null && requests > 0 ? errors / requests : null,
    // Without a histogram, p95s do not add up: the highest is the cautious answer.
    p95LatencyMs: buckets
      ? histogramQuantile(buckets, 0.95)
      : p95s.some((p) => p === null)
        ? null
        : Math.max(...(p95s as number[])),
    latencyBuckets: buckets,
  };
}

const noData = (reason: string): SloMeasurement => ({
  errorRate: readingOf(null, reason),
  p95LatencyMs: readingOf(null, reason),
  sampleCount: null,
});

/**
 * An {@link SloSource} that answers from the polls a release recorded in
 * `deploy-result.json`: a window that one recorded poll covers, or that consecutive
 * recorded polls tile exactly, is answered (counts and histograms added); any other window
 * is "no data", never a guess. The stable track answers 0 requests where no baseline was
 * recorded.
 */
export function createRecordedSloSource(observations: readonly PollObservation[]): SloSource {
  const polls = [...observations].sort((a, b) => a.atMs - b.atMs);
  return {
    name: "recorded polls",
    measure(query: SloQuery) {
      const start = query.windowStart.getTime();
      const end = query.windowEnd.getTime();
      const exact = polls.find(
        (o) =>
          Math.abs(o.atMs - end) <= TOLERANCE_MS &&
          Math.abs(o.atMs - o.intervalMs - start) <= TOLERANCE_MS,
      );
      let covering: PollObservation[] | null = exact ? [exact] : null;
      if (!covering) {
        const inside = polls.filter(
          (o) => o.atMs - o.intervalMs >= start - TOLERANCE_MS && o.atMs <= end + TOLERANCE_MS,
        );
        let at = start;
        for (const o of inside) {
          if (Math.abs(o.atMs - o.intervalMs - at) > TOLERANCE_MS) break;
          at = o.atMs;
        }
        if (inside.length > 0 && Math.abs(at - end) <= TOLERANCE_MS) covering = inside;
      }
      if (!covering) return okAsync(noData("no recorded poll covers this window"));
      if (query.track === "stable") {
        const stable = covering.map((o) => o.stable);
        if (stable.some((s) => s === null)) {
          return okAsync({
            ...noData("no baseline was recorded"),
            sampleCount: 0,
            requestCount: 0,
          });
        }
        return okAsync(measurementOf(combined(stable as TrackReading[])));
      }
      return okAsync(measurementOf(combined(covering.map((o) => o.canary))));
    },
  };
}
