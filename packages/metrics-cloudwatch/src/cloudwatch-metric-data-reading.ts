import type { GetMetricDataCommandOutput, MessageData } from "@aws-sdk/client-cloudwatch";
import {
  errorRateReading,
  type MetricReading,
  readingOf,
  ShipgateError,
  type SloMeasurement,
} from "@shipgate/core";
import { err, ok, type Result } from "neverthrow";
import { type LatencyUnit, QUERY_IDS } from "./cloudwatch-queries.js";

const MS_PER_UNIT: Record<LatencyUnit, number> = { s: 1000, ms: 1, us: 0.001 };

/** One series after all pages were merged. */
export interface MergedMetricDataResult {
  id: string;
  label: string | undefined;
  values: number[];
  /** The status on the last page the series appeared on. */
  statusCode: string | undefined;
  messages: MessageData[];
}

/** All pages of one GetMetricData call, merged. */
export interface MergedMetricData {
  results: MergedMetricDataResult[];
  /** Operation-level messages (e.g. a limit was exceeded and results are incomplete). */
  messages: MessageData[];
  pages: number;
}

/** How results become readings. */
export interface MetricDataReadingOptions {
  latencyUnit: LatencyUnit;
  /**
   * ALB publishes `HTTPCode_Target_5XX_Count` only for periods where it is non-zero, so an
   * errors query without datapoints while the requests query has some means 0 errors.
   */
  errorsAbsentMeansZero: boolean;
  /**
   * Ids of `MetricStat` queries: CloudWatch returns a result (maybe empty) for each, so a
   * missing one means the answer broke the contract. Expressions (e.g. `SEARCH`) may
   * legitimately return no result.
   */
  metricStatIds?: string[];
  /**
   * Whether the errors and requests queries return counts (a `Sum` or `SampleCount`
   * statistic, or an expression over counts), so their sums are `requestCount` /
   * `errorCount`. An `Average` or a percentile is no count: both fields are then `null`.
   * Default true.
   */
  queriesCount?: boolean;
}

const REQUEST = "POST / (GraniteServiceVersion20100801.GetMetricData)";

/**
 * Merges the pages of a `NextToken`-paginated GetMetricData call: a series split over pages
 * (same `Id` and `Label`) is concatenated and keeps the status of its last page.
 */
export function mergeMetricDataPages(
  pages: Pick<GetMetricDataCommandOutput, "MetricDataResults" | "Messages">[],
): Result<MergedMetricData, ShipgateError> {
  const byKey = new Map<string, MergedMetricDataResult>();
  const messages: MessageData[] = [];
  for (const [p, page] of pages.entries()) {
    messages.push(...(page.Messages ?? []));
    for (const [i, r] of (page.MetricDataResults ?? []).entries()) {
      const timestamps = r.Timestamps ?? [];
      const values = r.Values ?? [];
      if (typeof r.Id !== "string" || timestamps.length !== values.length) {
        return err(
          new ShipgateError(
            "invalid_response",
            `CloudWatch result ${i} on page ${p + 1} breaks the GetMetricData contract (needs an Id and as many Timestamps as Values)`,
            { request: REQUEST },
          ),
        );
      }
      const key = `${r.Id}\u0000${r.Label ?? ""}`;
      const merged = byKey.get(key) ?? {
        id: r.Id,
        label: r.Label,
        values: [],
        statusCode: undefined,
        messages: [],
      };
      merged.values.push(...values);
      merged.statusCode = r.StatusCode ?? merged.statusCode;
      merged.messages.push(...(r.Messages ?? []));
      byKey.set(key, merged);
    }
  }
  return ok({ results: [...byKey.values()], messages, pages: pages.length });
}

function describeMessages(messages: MessageData[]): string {
  return messages.map((m) => [m.Code, m.Value].filter(Boolean).join(": ")).join("; ");
}

interface Collected {
  values: number[];
  seriesCount: number;
  partial: MergedMetricDataResult | undefined;
  note: string;
}

function collect(data: MergedMetricData, id: string): Result<Collected, ShipgateError> {
  const mine = data.results.filter((r) => r.id === id);
  const failed = mine.find((r) => r.statusCode === "Forbidden" || r.statusCode === "InternalError");
  if (failed) {
    const said = describeMessages(failed.messages);
    const forbidden = failed.statusCode === "Forbidden";
    return err(
      new ShipgateError(
        forbidden ? "auth" : "unavailable",
        `CloudWatch answered ${failed.statusCode} for query "${id}"${said ? ` (${said})` : ""}`,
        {
          request: REQUEST,
          vendorMessage: said || undefined,
          hint: forbidden
            ? "Allow cloudwatch:GetMetricData on the account (and, cross-account, the sharing role)"
            : undefined,
        },
      ),
    );
  }
  const notes = [...mine.flatMap((r) => r.messages), ...data.messages];
  return ok({
    values: mine.flatMap((r) => r.values),
    seriesCount: mine.length,
    partial: mine.find((r) => r.statusCode === "PartialData"),
    note: notes.length > 0 ? ` (CloudWatch said: ${describeMessages(notes)})` : "",
  });
}

function problem(what: string, c: Collected): string | null {
  if (c.partial) {
    return `CloudWatch returned PartialData for the ${what} query and no NextToken to complete it${c.note}`;
  }
  if (c.values.length === 0) {
    return c.seriesCount === 0
      ? `${what} query returned no series${c.note}`
      : `${what} query returned no datapoints in the window — wrong dimensions, or no traffic${c.note}`;
  }
  const bad = c.values.find((v) => !Number.isFinite(v));
  if (bad !== undefined) {
    return `${what} query returned ${Number.isNaN(bad) ? "NaN" : bad > 0 ? "+Inf" : "-Inf"}`;
  }
  return null;
}

/**
 * Turns merged GetMetricData results (ids `errors`, `requests`, `latency_p95`) into a
 * measurement. Counts are summed over periods and series; p95 is the largest value (one
 * period covers the window, so normally there is one; otherwise the maximum is an upper
 * bound of the window's p95). Missing datapoints, a final `PartialData`, NaN or ±Inf are
 * `no_data` with the reason, never 0; `Forbidden` is an `auth` error and `InternalError`
 * an `unavailable` one.
 *
 * @example
 * ```ts
 * const m = measurementFromMetricData(merged, { latencyUnit: "s", errorsAbsentMeansZero: true }, queries);
 * ```
 */
export function measurementFromMetricData(
  data: MergedMetricData,
  options: MetricDataReadingOptions,
  queries: string[],
): Result<SloMeasurement, ShipgateError> {
  const missing = (options.metricStatIds ?? []).filter(
    (id) => !data.results.some((r) => r.id === id),
  );
  if (missing.length > 0) {
    return err(
      new ShipgateError(
        "invalid_response",
        `CloudWatch's answer has no result for ${missing.map((m) => `"${m}"`).join(", ")} (every MetricStat query gets one)`,
        { request: REQUEST },
      ),
    );
  }
  const errors = collect(data, QUERY_IDS.errors);
  if (errors.isErr()) return err(errors.error);
  const requests = collect(data, QUERY_IDS.requests);
  if (requests.isErr()) return err(requests.error);
  const p95 = collect(data, QUERY_IDS.p95);
  if (p95.isErr()) return err(p95.error);

  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  let errorRate: MetricReading;
  let sampleCount: number | null = null;
  const requestsProblem = problem("requests", requests.value);
  if (requestsProblem) {
    errorRate = { kind: "no_data", reason: requestsProblem };
  } else {
    const total = sum(requests.value.values);
    sampleCount = total;
    const e = errors.value;
    const errorsMissing = !e.partial && e.values.length === 0;
    const errorsProblem =
      errorsMissing && options.errorsAbsentMeansZero ? null : problem("errors", e);
    if (total <= 0) {
      errorRate = { kind: "no_data", reason: `no requests in the window (requests = ${total})` };
    } else if (errorsProblem) {
      errorRate = { kind: "no_data", reason: errorsProblem };
    } else {
      const failed = sum(e.values);
      errorRate = errorRateReading(failed, total);
    }
  }

  // Known only where CloudWatch answered completely: a PartialData or missing series is
  // unknown, and errors absent while requests were counted are 0 only where ALB-style
  // omission is expected. Rounding only absorbs float noise: Sums of counts are whole.
  const counting = options.queriesCount ?? true;
  const requestCount =
    counting && sampleCount !== null && Number.isFinite(sampleCount) && sampleCount >= 0
      ? Math.round(sampleCount)
      : null;
  let errorCount: number | null = null;
  if (requestCount !== null) {
    const e = errors.value;
    const missing = !e.partial && e.values.length === 0;
    if (missing) errorCount = options.errorsAbsentMeansZero ? 0 : null;
    else if (!problem("errors", e)) {
      const failed = Math.round(sum(e.values));
      // More errors than requests: the two queries do not count the same requests.
      errorCount = failed >= 0 && failed <= requestCount ? failed : null;
    }
  }

  const latencyProblem = problem("p95 latency", p95.value);
  const p95LatencyMs: MetricReading = latencyProblem
    ? { kind: "no_data", reason: latencyProblem }
    : readingOf(Math.max(...p95.value.values) * MS_PER_UNIT[options.latencyUnit]);

  return ok({
    errorRate,
    p95LatencyMs,
    sampleCount,
    requestCount,
    errorCount,
    // CloudWatch's GetMetricData gives statistics of a metric, never a histogram's buckets.
    latencyBuckets: null,
    queries,
  });
}
