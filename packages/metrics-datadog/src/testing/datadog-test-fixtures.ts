import type { SloQuery } from "@shipgate/core";
import {
  evenSamples,
  FIXTURE_WINDOW_END,
  FIXTURE_WINDOW_START,
  fixtureSloQuery,
  spreadCount,
} from "@shipgate/core/testing/emulator";
import type { DatadogSeededSeries } from "./datadog-emulator.js";

/** A 10-minute window aligned to its own length, so Datadog answers with a single bucket. */
export const WINDOW_START = FIXTURE_WINDOW_START;
/** The end of the window, 10 minutes after its start. */
export const WINDOW_END = FIXTURE_WINDOW_END;

/** A measurement request for the fixture service: `checkout` 1.4.0 in `prod`, canary. */
export const sloQuery: (overrides?: Partial<SloQuery>) => SloQuery = fixtureSloQuery;

/**
 * APM trace metrics for one version: `requests` hits spread over the window, `errors` of
 * them failed, and 100 latency samples `step, 2·step, …, 100·step` seconds, so the exact
 * (nearest-rank) p95 is `95·step` seconds.
 */
export function traceMetrics(args: {
  service?: string;
  environment?: string;
  version: string;
  requests: number;
  errors: number;
  latencyStepSeconds: number;
  start?: Date;
  end?: Date;
}): DatadogSeededSeries[] {
  const start = (args.start ?? WINDOW_START).getTime();
  const end = (args.end ?? WINDOW_END).getTime();
  const tags = {
    service: args.service ?? "checkout",
    env: args.environment ?? "prod",
    version: args.version,
  };
  const series: DatadogSeededSeries[] = [
    {
      metric: "trace.http.request.hits",
      type: "count",
      tags,
      points: spreadCount(args.requests, 60, start, end),
    },
    {
      metric: "trace.http.request",
      type: "distribution",
      tags,
      points: evenSamples(100, start, end, (i) => (i + 1) * args.latencyStepSeconds),
    },
  ];
  // Like Datadog, no errors series at all when nothing failed.
  if (args.errors > 0) {
    series.push({
      metric: "trace.http.request.errors",
      type: "count",
      tags,
      points: spreadCount(args.errors, 10, start, end),
    });
  }
  return series;
}
