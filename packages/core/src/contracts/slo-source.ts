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

/** The service's health over a window. */
export interface SloMeasurement {
  /** Fraction of failed requests, 0–1. */
  errorRate: MetricReading;
  /** 95th percentile latency, milliseconds. */
  p95LatencyMs: MetricReading;
  /** Requests seen in the window, or null where the back end cannot say. */
  sampleCount: number | null;
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
