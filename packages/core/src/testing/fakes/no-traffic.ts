import { readingOf, type SloMeasurement } from "../../contracts/slo-source.js";

/** A window with no requests on the track: no rate and no p95 (saying why), counts of 0. */
export function noTrafficMeasurement(reason: string): SloMeasurement {
  return {
    errorRate: readingOf(null, reason),
    p95LatencyMs: readingOf(null, reason),
    sampleCount: 0,
    requestCount: 0,
    errorCount: 0,
    latencyBuckets: null,
  };
}
