import type { ResultAsync } from "neverthrow";
import type { ShipgateError } from "../errors/shipgate-error.js";
import type { CallOptions } from "./call-options.js";

/**
 * A measured number, or an explicit absence of one. "No data" is never 0: a canary with
 * no traffic has proved nothing.
 */
export type MetricReading = { kind: "value"; value: number } | { kind: "no_data"; reason: string };

/** Which side of the canary a measurement is for. */
export type Track = "canary" | "stable";

/** One measurement request. */
export interface SloQuery {
  service: string;
  environment: string;
  /** The version to measure (the canary's, or the stable one for a baseline). */
  version: string;
  track: Track;
  /** The window, as instants; `end` is exclusive where the back end allows. */
  windowStart: Date;
  windowEnd: Date;
}

/**
 * The version of the {@link SloMeasurement} shape. Version 2 added `requestCount`,
 * `errorCount` and `latencyBuckets`: a judge needs counts, not only ratios, because an
 * error rate alone loses the sample size.
 */
export const SLO_MEASUREMENT_VERSION = 2;

/**
 * One cumulative latency histogram bucket over the window: `count` requests took at most
 * `leMs` milliseconds. The last bucket of a histogram is `leMs: Infinity` (every request).
 */
export interface LatencyBucket {
  leMs: number;
  count: number;
}

/** The service's health over a window. */
export interface SloMeasurement {
  /** Fraction of failed requests, 0–1. */
  errorRate: MetricReading;
  /** 95th percentile latency, milliseconds. */
  p95LatencyMs: MetricReading;
  /** Requests seen in the window, or null where the back end cannot say. */
  sampleCount: number | null;
  /**
   * Requests in the window (v2). `null` where the back end cannot count them; absent on a
   * v1 source, where core falls back to `sampleCount`.
   */
  requestCount?: number | null;
  /** Failed requests in the window (v2); `null` where the back end cannot count them. */
  errorCount?: number | null;
  /**
   * Cumulative latency histogram over the window, ascending by `leMs` (v2), where the back
   * end keeps one (Prometheus `_bucket` series); `null` where it does not.
   */
  latencyBuckets?: LatencyBucket[] | null;
  /** The queries run, secret-free, for the report's evidence section. */
  queries?: string[];
}

/** Errors an {@link SloSource} may return. `bad_query` is a configuration error. */
export type SloSourceError = ShipgateError;

/**
 * Measures error rate and latency. Core compares them with the objectives (and with the
 * stable baseline, where the policy asks for it).
 *
 * @example
 * ```ts
 * const source: SloSource = {
 *   name: "my-metrics",
 *   measure: (query, { signal }) => ResultAsync.fromPromise(fetchMine(query, signal), toShipgateError),
 * };
 * ```
 */
export interface SloSource {
  readonly name: string;
  /**
   * Whether the source can measure the stable track apart from the canary (by version or
   * track label). `false` tells the judge there is no baseline to compare with; absent
   * means it can.
   */
  readonly splitsByTrack?: boolean;
  measure(query: SloQuery, options: CallOptions): ResultAsync<SloMeasurement, SloSourceError>;
}

/** Helper: a reading with a value. Non-finite numbers become `no_data`, never 0. */
export function readingOf(
  value: number | null | undefined,
  reasonIfMissing = "no samples in window",
): MetricReading {
  if (value === null || value === undefined) return { kind: "no_data", reason: reasonIfMissing };
  if (Number.isNaN(value)) return { kind: "no_data", reason: "value is NaN" };
  if (!Number.isFinite(value))
    return { kind: "no_data", reason: `value is ${value > 0 ? "+Inf" : "-Inf"}` };
  return { kind: "value", value };
}

/** The counts of a measurement: `requestCount`/`errorCount` (v2), else what v1 fields imply. */
export function countsOf(m: SloMeasurement): { requests: number | null; errors: number | null } {
  const requests =
    m.requestCount !== undefined && m.requestCount !== null ? m.requestCount : m.sampleCount;
  if (requests === null || !Number.isFinite(requests) || requests < 0)
    return { requests: null, errors: null };
  if (m.errorCount !== undefined && m.errorCount !== null && Number.isFinite(m.errorCount))
    return { requests, errors: Math.min(Math.max(0, m.errorCount), requests) };
  if (m.errorRate.kind === "value")
    return { requests, errors: Math.round(m.errorRate.value * requests) };
  return { requests, errors: null };
}
