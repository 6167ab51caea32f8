import { client, v2 } from "@datadog/datadog-api-client";
import {
  abortedError,
  ShipgateError,
  type SloMeasurement,
  type SloQuery,
  type SloSource,
  untilAborted,
} from "@shipgate/core";
import { errAsync, ResultAsync } from "neverthrow";
import { datadogFailure } from "./datadog-errors.js";
import { type DatadogQueryTemplates, DEFAULT_DATADOG_QUERIES } from "./datadog-queries.js";
import { type DatadogRetryPolicy, retryingHttpLibrary } from "./datadog-retry-transport.js";
import {
  type LatencyUnit,
  measurementFromTimeseries,
  type RenderedDatadogQueries,
} from "./datadog-timeseries-reading.js";
import {
  emptyAfterNormalisation,
  placeholdersIn,
  type QueryTemplateValues,
  renderDatadogQuery,
  unknownPlaceholders,
} from "./query-template.js";

/** Default retry bounds: 3 retries, 1 s doubling backoff, never a single wait over 60 s. */
export const DEFAULT_DATADOG_RETRY: Readonly<DatadogRetryPolicy> = {
  maxRetries: 3,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
};

/** Options of {@link createDatadogSloSource}. */
export interface DatadogSloSourceOptions {
  /** Datadog API key (sent as `DD-API-KEY`). */
  apiKey: string;
  /** Datadog application key with the `timeseries_query` permission (`DD-APPLICATION-KEY`). */
  appKey: string;
  /** Datadog site: `datadoghq.com` (default), `datadoghq.eu`, `us3.datadoghq.com`, … */
  site?: string;
  /** Overrides the API base URL (a proxy, or a local emulator); wins over `site`. */
  baseUrl?: string;
  /** Query templates; missing ones use {@link DEFAULT_DATADOG_QUERIES}. */
  queries?: Partial<DatadogQueryTemplates>;
  /** Unit of the p95 query's values when Datadog's own unit metadata should be ignored. */
  latencyUnit?: LatencyUnit;
  /**
   * Datadog writes no `trace.*.errors` points for intervals without errors, so by default an
   * errors query without series, while the hits query counted requests, means 0 errors.
   * Set false when the errors query always reports. Default true.
   */
  errorsAbsentMeansZero?: boolean;
  /** Deadline for one measurement, retries included. Default 30 000 ms. */
  timeoutMs?: number;
  /** Retry bounds for 429 / 5xx / network errors. */
  retry?: Partial<DatadogRetryPolicy>;
  /** The client's HTTP library to send through (default: the client's own fetch-based one). */
  httpApi?: client.HttpLibrary;
  /** Config field names for error messages, e.g. `with.errors_query`. Default `queries.errors`, … */
  queryFields?: Partial<Record<keyof DatadogQueryTemplates, string>>;
  /** Told to the user when Datadog refuses the keys (names env vars, never values). */
  authHint?: string;
}

/**
 * Whether the hits and errors templates return counts: `.as_count()` makes Datadog sum a
 * count metric over each interval; without it the values may be per-second rates, whose
 * sums are no request counts.
 */
export function countingQueries(
  templates: Pick<DatadogQueryTemplates, "errors" | "hits">,
): boolean {
  return [templates.errors, templates.hits].every((t) => /\.as_count\(\s*\)/.test(t));
}

/**
 * Whether every template selects the version or track (`{{version}}` / `{{track}}`), so the
 * canary and the stable track are measured apart; otherwise there is no baseline.
 */
export function splitsByTrack(templates: DatadogQueryTemplates): boolean {
  return Object.values(templates).every((t) =>
    placeholdersIn(t).some((p) => p === "version" || p === "track"),
  );
}

/** Returns the base URL of Datadog's API for a site. */
export function datadogBaseUrl(site = "datadoghq.com"): string {
  return `https://api.${site}`;
}

/**
 * A Datadog {@link SloSource}: one `POST /api/v2/query/timeseries` per measurement (errors,
 * hits and p95 queries in one request, `interval` = the window), through the official
 * `@datadog/datadog-api-client` (`v2.MetricsApi.queryTimeseriesData`). The `.as_count()`
 * sums of hits and errors are also `requestCount` / `errorCount`; `latencyBuckets` is
 * always `null` (the query API gives a distribution's percentiles, not its buckets).
 *
 * @example
 * ```ts
 * const slo = createDatadogSloSource({
 *   apiKey: process.env.DD_API_KEY!,
 *   appKey: process.env.DD_APP_KEY!,
 *   site: "datadoghq.eu",
 * });
 * const result = await slo.measure(
 *   { service: "checkout", environment: "prod", version: "1.4.0", track: "canary",
 *     windowStart: new Date(Date.now() - 600_000), windowEnd: new Date() },
 *   { signal: AbortSignal.timeout(60_000) },
 * );
 * ```
 */
export function createDatadogSloSource(options: DatadogSloSourceOptions): SloSource {
  const templates: DatadogQueryTemplates = { ...DEFAULT_DATADOG_QUERIES, ...options.queries };
  const fields: Record<keyof DatadogQueryTemplates, string> = {
    errors: "queries.errors",
    hits: "queries.hits",
    p95: "queries.p95",
    ...options.queryFields,
  };
  const baseUrl = (options.baseUrl ?? datadogBaseUrl(options.site)).replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retry: DatadogRetryPolicy = { ...DEFAULT_DATADOG_RETRY, ...options.retry };
  const inner = options.httpApi ?? new client.IsomorphicFetchHttpLibrary();
  const errorsAbsentMeansZero = options.errorsAbsentMeansZero ?? true;
  const queriesCount = countingQueries(templates);
  const authHint =
    options.authHint ?? "Check the Datadog API key and application key given to shipgate";

  let configError: ShipgateError | null = null;
  for (const key of Object.keys(templates) as (keyof DatadogQueryTemplates)[]) {
    const unknown = unknownPlaceholders(templates[key]);
    if (unknown.length > 0 && !configError) {
      configError = new ShipgateError(
        "invalid_input",
        `Unknown placeholder ${unknown.map((u) => `{{${u}}}`).join(", ")} in ${fields[key]}`,
        {
          field: fields[key],
          hint: "Use {{service}}, {{version}}, {{track}}, {{environment}} or {{window}}",
        },
      );
    }
  }

  function measure(
    query: SloQuery,
    { signal }: { signal: AbortSignal },
  ): ResultAsync<SloMeasurement, ShipgateError> {
    if (signal.aborted) return errAsync(abortedError(signal));
    if (configError) return errAsync(configError);
    const fromMs = query.windowStart.getTime();
    const toMs = query.windowEnd.getTime();
    if (!(toMs > fromMs)) {
      return errAsync(
        new ShipgateError("invalid_input", "The SLO window must end after it starts", {
          field: "query.windowEnd",
        }),
      );
    }
    const values: QueryTemplateValues = {
      service: query.service,
      version: query.version,
      track: query.track,
      environment: query.environment,
      window: String(Math.max(1, Math.round((toMs - fromMs) / 1000))),
    };
    const empty = emptyAfterNormalisation(Object.values(templates), values);
    if (empty.length > 0) {
      return errAsync(
        new ShipgateError(
          "invalid_input",
          `The ${empty.join(", ")} of the measurement has no characters Datadog keeps in a tag value`,
          { field: `query.${empty[0]}` },
        ),
      );
    }
    const rendered: RenderedDatadogQueries = {
      errors: renderDatadogQuery(templates.errors, values),
      hits: renderDatadogQuery(templates.hits, values),
      p95: renderDatadogQuery(templates.p95, values),
    };

    const timeoutSignal = AbortSignal.timeout(timeoutMs);
    const callSignal = AbortSignal.any([signal, timeoutSignal]);
    const transport = retryingHttpLibrary(inner, retry, callSignal);
    const configuration = client.createConfiguration({
      baseServer: new client.BaseServerConfiguration(baseUrl, {}),
      authMethods: { apiKeyAuth: options.apiKey, appKeyAuth: options.appKey },
      httpApi: transport,
      httpConfig: { signal: callSignal as unknown as client.HttpConfiguration["signal"] },
    });
    const api = new v2.MetricsApi(configuration);
    // Order matters: Datadog answers with query_index into this array (see QUERY_INDEX).
    const queries: v2.MetricsTimeseriesQuery[] = [
      { dataSource: "metrics", name: "errors", query: rendered.errors },
      { dataSource: "metrics", name: "hits", query: rendered.hits },
      { dataSource: "metrics", name: "latency", query: rendered.p95 },
    ];
    const body: v2.TimeseriesFormulaQueryRequest = {
      data: {
        type: "timeseries_request",
        attributes: { from: fromMs, to: toMs, interval: toMs - fromMs, queries },
      },
    };
    const call = untilAborted(api.queryTimeseriesData({ body }), callSignal);
    return ResultAsync.fromPromise(call, (thrown) =>
      datadogFailure(thrown, {
        signal,
        timeoutSignal,
        timeoutMs,
        stats: transport.stats,
        queries: (["errors", "hits", "p95"] as const).map((k) => ({
          field: fields[k],
          query: rendered[k],
        })),
        authHint,
        baseUrl,
      }),
    ).andThen((response) =>
      measurementFromTimeseries(response, rendered, {
        latencyUnit: options.latencyUnit,
        errorsAbsentMeansZero,
        queriesCount,
      }),
    );
  }

  return { name: "datadog", splitsByTrack: splitsByTrack(templates), measure };
}
