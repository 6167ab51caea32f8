import type { SloQuery } from "@shipgate/core";
import { evenSamples, spreadCount } from "@shipgate/core/testing/emulator";
import type { DatadogSeededSeries } from "./datadog-emulator.js";

/** A 10-minute window aligned to its own length, so Datadog answers with a single bucket. */
export const WINDOW_START = new Date(1_700_000_400_000);
export const WINDOW_END = new Date(WINDOW_START.getTime() + 600_000);

/** A measurement request for the fixture service. */
export function sloQuery(overrides: Partial<SloQuery> = {}): SloQuery {
  return {
    service: "checkout",
    environment: "prod",
    version: "1.4.0",
    track: "canary",
    windowStart: WINDOW_START,
    windowEnd: WINDOW_END,
    ...overrides,
  };
}

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
