import type { v2 } from "@datadog/datadog-api-client";
import {
  errorRateReading,
  type MetricReading,
  readingOf,
  ShipgateError,
  type SloMeasurement,
} from "@shipgate/core";
import { err, ok, type Result } from "neverthrow";

/** Units a latency query may return values in. */
export type LatencyUnit = "s" | "ms" | "us" | "ns";

const MS_PER_UNIT: Record<LatencyUnit, number> = { s: 1000, ms: 1, us: 0.001, ns: 0.000001 };

/** The three rendered queries, in the order they are sent (query_index 0, 1, 2). */
export interface RenderedDatadogQueries {
  errors: string;
  hits: string;
  p95: string;
}

/** How a timeseries response is turned into readings. */
export interface TimeseriesReadingOptions {
  /**
   * The unit of the p95 query's values. When unset, the unit Datadog reports for the series
   * (`unit[0]`, family `time`) is used, and seconds (the unit of APM `trace.*` latency
   * distributions) when Datadog reports none.
   */
  latencyUnit?: LatencyUnit;
  /**
   * Datadog writes no `trace.*.errors` points for intervals without errors, so an error
   * query with no series while the hits query has requests means zero errors. Turn off for
   * error queries that always report (then no series means no data).
   */
  errorsAbsentMeansZero: boolean;
  /**
   * Whether the hits and errors queries return counts (`.as_count()`), so their sums are
   * `requestCount` / `errorCount`. Otherwise (e.g. `.as_rate()`, per second) the ratio is
   * still the error rate but the sums are no counts, and both fields are `null`. Default true.
   */
  queriesCount?: boolean;
}

/** Query indices in the request body. */
export const QUERY_INDEX = { errors: 0, hits: 1, p95: 2 } as const;

type Series = v2.TimeseriesResponseSeries;

interface Points {
  /** Non-null values of every series of this query. */
  values: number[];
  /** Number of series answering this query (0: Datadog knows no such data). */
  seriesCount: number;
  /** The first series' unit, as Datadog described it. */
  unit: Series["unit"];
}

function pointsOf(
  series: Series[],
  values: (number | null)[][],
  queryIndex: number,
): Result<Points, string> {
  const out: Points = { values: [], seriesCount: 0, unit: undefined };
  for (let i = 0; i < series.length; i++) {
    const s = series[i];
    if (s?.queryIndex !== queryIndex) continue;
    out.seriesCount++;
    if (out.unit === undefined) out.unit = s.unit;
    const row = values[i];
    if (!Array.isArray(row)) return err(`values[${i}] is missing for series ${i}`);
    for (const v of row) {
      if (v === null || v === undefined) continue;
      if (typeof v !== "number") return err(`values[${i}] holds a non-number (${typeof v})`);
      out.values.push(v);
    }
  }
  return ok(out);
}

function absence(what: string, points: Points, vendorErrors: string | undefined): string {
  const said = vendorErrors ? ` (Datadog said: ${vendorErrors})` : "";
  if (points.seriesCount === 0)
    return `${what} query returned no series in the window — unknown service/version, or no traffic${said}`;
  return `${what} query returned only null points in the window${said}`;
}

function nonFinite(what: string, values: number[]): string | null {
  const bad = values.find((v) => !Number.isFinite(v));
  if (bad === undefined) return null;
  return `${what} query returned ${Number.isNaN(bad) ? "NaN" : bad > 0 ? "+Inf" : "-Inf"}`;
}

function msFactor(unit: Series["unit"], configured: LatencyUnit | undefined): number {
  if (configured) return MS_PER_UNIT[configured];
  const primary = Array.isArray(unit) ? unit[0] : null;
  // Datadog's scale factors are relative to the family's base unit, which for time is the second.
  if (primary && primary.family === "time" && typeof primary.scaleFactor === "number") {
    return primary.scaleFactor * 1000;
  }
  return MS_PER_UNIT.s;
}

/**
 * Turns one `POST /api/v2/query/timeseries` response (three queries, no formulas: Datadog
 * then returns series per query, `query_index` pointing into `queries`) into a measurement.
 *
 * - Counts are summed over every bucket and series (the window may straddle two buckets).
 * - p95 is the largest per-bucket (per-group) p95: percentiles cannot be merged, and the
 *   maximum is an upper bound of the window's true p95 — the safe side for a gate. With
 *   `interval` = the window length there is usually a single bucket and it is exact.
 * - No series, only nulls, zero requests, NaN or ±Inf are `no_data` with the reason, never 0.
 *
 * @example
 * ```ts
 * const m = measurementFromTimeseries(response, queries, { errorsAbsentMeansZero: true });
 * ```
 */
export function measurementFromTimeseries(
  response: v2.TimeseriesFormulaQueryResponse,
  queries: RenderedDatadogQueries,
  options: TimeseriesReadingOptions,
): Result<SloMeasurement, ShipgateError> {
  const invalid = (why: string) =>
    err(
      new ShipgateError("invalid_response", `Datadog timeseries response is malformed: ${why}`, {
        request: "POST /api/v2/query/timeseries",
      }),
    );
  const attributes = response?.data?.attributes;
  if (typeof response !== "object" || response === null || response._unparsed)
    return invalid("not a timeseries_response object");
  if (attributes === undefined && response.errors === undefined)
    return invalid("neither data.attributes nor errors present");
  const series = attributes?.series ?? [];
  const times = attributes?.times ?? [];
  const values = (attributes?.values ?? []) as (number | null)[][];
  if (!Array.isArray(series) || !Array.isArray(times) || !Array.isArray(values))
    return invalid("series, times and values must be arrays");
  if (values.length !== series.length)
    return invalid(`${series.length} series but ${values.length} value rows`);
  for (const [i, row] of values.entries()) {
    if (!Array.isArray(row) || row.length !== times.length)
      return invalid(`values[${i}] has ${row?.length} points for ${times.length} times`);
  }
  const vendorErrors = response.errors || undefined;

  const got = {
    errors: pointsOf(series, values, QUERY_INDEX.errors),
    hits: pointsOf(series, values, QUERY_INDEX.hits),
    p95: pointsOf(series, values, QUERY_INDEX.p95),
  };
  if (got.errors.isErr()) return invalid(got.errors.error);
  if (got.hits.isErr()) return invalid(got.hits.error);
  if (got.p95.isErr()) return invalid(got.p95.error);
  const errors = got.errors.value;
  const hits = got.hits.value;
  const p95 = got.p95.value;

  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  let errorRate: MetricReading;
  let sampleCount: number | null = null;
  const hitsBad = nonFinite("hits", hits.values);
  const errorsBad = nonFinite("errors", errors.values);
  if (hits.values.length === 0) {
    errorRate = { kind: "no_data", reason: absence("hits", hits, vendorErrors) };
  } else if (hitsBad) {
    errorRate = { kind: "no_data", reason: hitsBad };
  } else {
    const requests = sum(hits.values);
    sampleCount = requests;
    if (requests <= 0) {
      errorRate = { kind: "no_data", reason: `no requests in the window (hits = ${requests})` };
    } else if (errorsBad) {
      errorRate = { kind: "no_data", reason: errorsBad };
    } else if (errors.values.length === 0 && !options.errorsAbsentMeansZero) {
      errorRate = { kind: "no_data", reason: absence("errors", errors, vendorErrors) };
    } else {
      const failed = sum(errors.values);
      errorRate = errorRateReading(failed, requests, "hits");
    }
  }

  let p95LatencyMs: MetricReading;
  const p95Bad = nonFinite("p95", p95.values);
  if (p95.values.length === 0) {
    p95LatencyMs = { kind: "no_data", reason: absence("p95 latency", p95, vendorErrors) };
  } else if (p95Bad) {
    p95LatencyMs = { kind: "no_data", reason: p95Bad };
  } else {
    p95LatencyMs = readingOf(Math.max(...p95.values) * msFactor(p95.unit, options.latencyUnit));
  }

  // `.as_count()` sums are whole in Datadog's answers; rounding only absorbs float noise
  // from interpolation, so that a count is a count. Errors are known only where the rate
  // is: with requests counted, and the errors query answering (or absence meaning none).
  const counting = options.queriesCount ?? true;
  const requestCount =
    counting && sampleCount !== null && sampleCount >= 0 ? Math.round(sampleCount) : null;
  let errorCount: number | null = null;
  if (requestCount !== null && !errorsBad) {
    if (errors.values.length === 0) errorCount = options.errorsAbsentMeansZero ? 0 : null;
    else {
      const failed = Math.round(sum(errors.values));
      // More errors than requests: the two queries do not count the same requests.
      errorCount = failed >= 0 && failed <= requestCount ? failed : null;
    }
  }

  return ok({
    errorRate,
    p95LatencyMs,
    sampleCount,
    requestCount,
    errorCount,
    // Datadog's query API returns a distribution's percentiles, never its buckets.
    latencyBuckets: null,
    queries: [queries.errors, queries.hits, queries.p95],
  });
}
