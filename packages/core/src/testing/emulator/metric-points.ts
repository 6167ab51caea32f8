// Datapoints for seeding metrics emulators (Datadog, CloudWatch, …): counts spread over a
// window in whole numbers, evenly placed samples, steady traffic with errors at a rate.

import type { SloQuery } from "../../contracts/slo-source.js";

/** `[timestamp ms, value]`: one datapoint of a seeded metric. */
export type MetricPoint = [number, number];

/**
 * `total` spread over `slots` equal slots of `[startMs, endMs)` in whole numbers (earlier
 * slots take the remainder), one point per non-empty slot at its start plus `offsetMs`. Pure.
 */
export function spreadCount(
  total: number,
  slots: number,
  startMs: number,
  endMs: number,
  offsetMs = 0,
): MetricPoint[] {
  const out: MetricPoint[] = [];
  const step = (endMs - startMs) / slots;
  for (let i = 0; i < slots; i++) {
    const share = Math.floor(total / slots) + (i < total % slots ? 1 : 0);
    if (share > 0) out.push([Math.floor(startMs + i * step + offsetMs), share]);
  }
  return out;
}

/** `count` samples in the middles of `count` equal slots of `[startMs, endMs)`, valued `valueAt(i)`. Pure. */
export function evenSamples(
  count: number,
  startMs: number,
  endMs: number,
  valueAt: (index: number) => number,
): MetricPoint[] {
  return Array.from({ length: count }, (_, i) => [
    Math.floor(startMs + ((i + 0.5) * (endMs - startMs)) / count),
    valueAt(i),
  ]);
}

/** Options of {@link steadyTraffic}. */
export interface SteadyTrafficOptions {
  /** First point (epoch ms). */
  startMs: number;
  /** Points stop before this instant. */
  endMs: number;
  /** Time between points. */
  everyMs: number;
  /** Requests per point. */
  requestsPerPoint: number;
  /** Errors per 1000 requests: owed errors are emitted once they add up to a whole one. */
  errorsPerMille: number;
  /** The latency sample at every point, in the metric's unit. */
  latency: number;
}

/** Steady traffic as three point series: requests, errors (whole numbers) and latency. Pure. */
export function steadyTraffic(options: SteadyTrafficOptions): {
  requests: MetricPoint[];
  errors: MetricPoint[];
  latency: MetricPoint[];
} {
  const requests: MetricPoint[] = [];
  const errors: MetricPoint[] = [];
  const latency: MetricPoint[] = [];
  let owed = 0;
  for (let t = options.startMs; t < options.endMs; t += options.everyMs) {
    requests.push([t, options.requestsPerPoint]);
    owed += (options.requestsPerPoint * options.errorsPerMille) / 1000;
    if (owed >= 1) {
      errors.push([t, Math.floor(owed)]);
      owed -= Math.floor(owed);
    }
    latency.push([t, options.latency]);
  }
  return { requests, errors, latency };
}

/**
 * The two versions a metrics emulator seeds for the SLO-source conformance suite: the
 * traffic (requests, errors, and 100 latency samples `step, 2·step, …, 100·step` seconds,
 * so the nearest-rank p95 is `95·step`) and what an adapter must measure from it.
 */
export const CONFORMANCE_TRAFFIC = {
  healthy: {
    traffic: { requests: 1000, errors: 5, latencyStepSeconds: 0.002 },
    expected: { errorRate: 0.005, p95LatencyMs: 190, requestCount: 1000, errorCount: 5 },
  },
  breaching: {
    traffic: { requests: 500, errors: 40, latencyStepSeconds: 0.01 },
    expected: { errorRate: 0.08, p95LatencyMs: 950, requestCount: 500, errorCount: 40 },
  },
} as const;

/** Start of the fixture window: 10 minutes aligned to their own length (and to whole minutes). */
export const FIXTURE_WINDOW_START = new Date(1_700_000_400_000);
/** End of the fixture window, 10 minutes after its start. */
export const FIXTURE_WINDOW_END = new Date(FIXTURE_WINDOW_START.getTime() + 600_000);

/** A measurement request for the fixture service: `checkout` 1.4.0 in `prod`, canary, over the fixture window. */
export function fixtureSloQuery(overrides: Partial<SloQuery> = {}): SloQuery {
  return {
    service: "checkout",
    environment: "prod",
    version: "1.4.0",
    track: "canary",
    windowStart: FIXTURE_WINDOW_START,
    windowEnd: FIXTURE_WINDOW_END,
    ...overrides,
  };
}
