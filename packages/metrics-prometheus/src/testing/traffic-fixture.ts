import type { SloQuery, Track } from "@shipgate/core";
import type { TrafficSeries } from "./openmetrics-fixture.js";

/** Last sample of the backfilled data: fixed, and far outside the head block's window. */
export const END = new Date("2023-11-14T22:13:20Z");
export const DURATION_SECONDS = 7200;
export const INTERVAL_SECONDS = 15;
export const WINDOW_SECONDS = 600;

const BOUNDS = [0.05, 0.1, 0.2, 0.3, 0.5, 1] as const;
function buckets(...cumulative: number[]): [number, number][] {
  return BOUNDS.map((le, i) => [le, cumulative[i] ?? 0]);
}

function series(
  labels: Record<string, string>,
  requestsPerInterval: Record<string, number>,
  latency: [number, number][],
): TrafficSeries {
  return { labels: { env: "prod", ...labels }, requestsPerInterval, latencyBuckets: latency };
}

/**
 * Every dataset of the real-server tests, backfilled once. Amounts are per 15 s scrape
 * interval and constant, so expected values follow by arithmetic (see
 * `expectedErrorRate` / `expectedHistogramQuantile`). No quantile rank lands exactly on a
 * bucket count, so float rounding inside Prometheus cannot change the bucket chosen.
 */
export const DATASETS = {
  /** Stable baseline of checkout: 0.125 % errors, p95 ≈ 83 ms; instance b has no 5xx series. */
  checkoutStable: [
    series(
      { service: "checkout", version: "1.4.0", track: "stable", instance: "a" },
      { "200": 399, "500": 1 },
      buckets(350, 395, 398, 400, 400, 400),
    ),
    series(
      { service: "checkout", version: "1.4.0", track: "stable", instance: "b" },
      { "200": 400 },
      buckets(350, 395, 399, 400, 400, 400),
    ),
  ],
  /** Healthy canary: 0.5 % errors (404s are not errors), p95 ≈ 99.8 ms. */
  checkoutCanary: [
    series(
      { service: "checkout", version: "1.5.0", track: "canary", instance: "a" },
      { "200": 198, "404": 1, "500": 1 },
      buckets(60, 191, 198, 200, 200, 200),
    ),
    series(
      { service: "checkout", version: "1.5.0", track: "canary", instance: "c" },
      { "200": 199, "502": 1 },
      buckets(70, 190, 199, 200, 200, 200),
    ),
  ],
  /** Stable baseline of payments: 0.3 % errors, p95 162.5 ms. */
  paymentsStable: [
    series(
      { service: "payments", version: "2.0.0", track: "stable", instance: "a" },
      { "200": 997, "500": 3 },
      buckets(500, 900, 980, 995, 1000, 1000),
    ),
  ],
  /** Breaching canary: 5 % errors, p95 ≈ 727 ms. */
  paymentsCanary: [
    series(
      { service: "payments", version: "2.1.0", track: "canary", instance: "a" },
      { "200": 190, "500": 8, "504": 2 },
      buckets(20, 60, 120, 160, 185, 196),
    ),
  ],
  /** Traffic without a single 5xx series: the error rate is a true 0. */
  searchPerfect: [
    series(
      { service: "search", version: "3.0.0", track: "canary", instance: "a" },
      { "200": 100, "404": 2 },
      buckets(90, 100, 102, 102, 102, 102),
    ),
  ],
  /** Series exist but never move: 0/0, i.e. NaN. */
  batchIdle: [
    series(
      { service: "batch", version: "0.9.0", track: "canary", instance: "a" },
      { "200": 0, "500": 0 },
      buckets(0, 0, 0, 0, 0, 0),
    ),
  ],
  /** Labelled `app` / `app_version` instead of `service` / `version`: 1 % errors, p95 ≈ 233 ms. */
  inventoryCustomLabels: [
    series(
      { app: "inventory", app_version: "7.0.0", track: "canary", instance: "a" },
      { "200": 297, "500": 3 },
      buckets(100, 200, 280, 295, 300, 300),
    ),
  ],
  /** Queries for this service also go to a dead remote-read store: answers carry warnings. */
  legacyPartial: [
    series(
      { service: "legacy", version: "1.0.0", track: "canary", instance: "a" },
      { "200": 99, "500": 1 },
      buckets(50, 99, 100, 100, 100, 100),
    ),
  ],
} satisfies Record<string, TrafficSeries[]>;

/** Every series, for the backfill. */
export const ALL_SERIES: TrafficSeries[] = Object.values(DATASETS).flat();

/** A query over the last 10 minutes of the data. */
export function sloQuery(
  service: string,
  version: string,
  track: Track = "canary",
  overrides: Partial<SloQuery> = {},
): SloQuery {
  return {
    service,
    version,
    track,
    environment: "prod",
    windowStart: new Date(END.getTime() - WINDOW_SECONDS * 1000),
    windowEnd: END,
    ...overrides,
  };
}
