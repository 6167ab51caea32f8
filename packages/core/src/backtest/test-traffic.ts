import { okAsync } from "neverthrow";
import type { LatencyBucket } from "../contracts/slo-source.js";
import {
  readingOf,
  type SloMeasurement,
  type SloQuery,
  type SloSource,
} from "../contracts/slo-source.js";

/** A coarse histogram whose p95 is `p95Ms`: half the requests under half of it, 95% under it. */
function histogram(requests: number, p95Ms: number): LatencyBucket[] {
  return [
    { leMs: p95Ms / 2, count: Math.round(requests * 0.5) },
    { leMs: p95Ms, count: Math.round(requests * 0.95) },
    { leMs: p95Ms * 2, count: requests },
    { leMs: Infinity, count: requests },
  ];
}

/** Traffic of one version over a span of time (tests only). */
export interface VersionTraffic {
  version: string;
  fromMs: number;
  toMs: number;
  requestsPerMinute: number;
  errorRate: number;
  p95LatencyMs: number;
}

/**
 * An SLO source whose answers are a function of the window only: each version serves
 * constant traffic over its spans, so a release replayed over the same windows sees the
 * same numbers. Windows ending before `retainedFromMs` have no data (retention).
 */
export function createTrafficSloSource(
  traffic: readonly VersionTraffic[],
  options: { retainedFromMs?: number } = {},
): SloSource & { queries: SloQuery[] } {
  const queries: SloQuery[] = [];
  return {
    name: "traffic",
    queries,
    measure(query) {
      queries.push(query);
      const start = query.windowStart.getTime();
      const end = query.windowEnd.getTime();
      if (options.retainedFromMs !== undefined && end <= options.retainedFromMs) {
        const reason = "no samples in window";
        return okAsync<SloMeasurement>({
          errorRate: readingOf(null, reason),
          p95LatencyMs: readingOf(null, reason),
          sampleCount: null,
        });
      }
      let requests = 0;
      let errors = 0;
      let p95 = 0;
      for (const t of traffic) {
        if (t.version !== query.version) continue;
        const overlap = Math.min(end, t.toMs) - Math.max(start, t.fromMs);
        if (overlap <= 0) continue;
        const n = Math.round((t.requestsPerMinute * overlap) / 60_000);
        requests += n;
        errors += Math.round(n * t.errorRate);
        p95 = Math.max(p95, t.p95LatencyMs);
      }
      const reason = "no traffic in window";
      return okAsync<SloMeasurement>({
        errorRate: readingOf(requests > 0 ? errors / requests : null, reason),
        p95LatencyMs: readingOf(requests > 0 ? p95 : null, reason),
        sampleCount: requests,
        requestCount: requests,
        errorCount: errors,
        latencyBuckets: requests > 0 ? histogram(requests, p95) : null,
      });
    },
  };
}
