import { type FixtureTraffic, fixtureWindowSeries } from "@shipgate/core/testing/emulator";
import type { DatadogSeededSeries } from "./datadog-emulator.js";

// The fixture window (10 minutes aligned to their own length, so Datadog answers with a
// single bucket) and a measurement request for the fixture service over it: `checkout`
// 1.4.0 in `prod`, canary.
export {
  FIXTURE_WINDOW_END as WINDOW_END,
  FIXTURE_WINDOW_START as WINDOW_START,
  fixtureSloQuery as sloQuery,
} from "@shipgate/core/testing/emulator";

const TRACE_METRICS = {
  requests: { metric: "trace.http.request.hits", type: "count" },
  latency: { metric: "trace.http.request", type: "distribution" },
  // Like Datadog, no errors series at all when nothing failed.
  errors: { metric: "trace.http.request.errors", type: "count" },
} as const;

/**
 * APM trace metrics for one version: `requests` hits spread over the window, `errors` of
 * them failed, and 100 latency samples `step, 2·step, …, 100·step` seconds, so the exact
 * (nearest-rank) p95 is `95·step` seconds.
 */
export function traceMetrics(
  args: FixtureTraffic & { service?: string; environment?: string; version: string },
): DatadogSeededSeries[] {
  const tags = {
    service: args.service ?? "checkout",
    env: args.environment ?? "prod",
    version: args.version,
  };
  return fixtureWindowSeries(args, { requestSlots: 60, errorSlots: 10 }, (kind, points) => ({
    ...TRACE_METRICS[kind],
    tags,
    points,
  }));
}
