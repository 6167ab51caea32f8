import type { SloQuery } from "@shipgate/core";
import {
  FIXTURE_WINDOW_END,
  FIXTURE_WINDOW_START,
  type FixtureTraffic,
  fixtureSloQuery,
  fixtureWindowSeries,
} from "@shipgate/core/testing/emulator";
import type { DatadogSeededSeries } from "./datadog-emulator.js";

/** A 10-minute window aligned to its own length, so Datadog answers with a single bucket. */
export const WINDOW_START = FIXTURE_WINDOW_START;
/** The end of the window, 10 minutes after its start. */
export const WINDOW_END = FIXTURE_WINDOW_END;

/** A measurement request for the fixture service: `checkout` 1.4.0 in `prod`, canary. */
export const sloQuery: (overrides?: Partial<SloQuery>) => SloQuery = fixtureSloQuery;

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
