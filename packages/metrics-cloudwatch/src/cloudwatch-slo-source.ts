import {
  CloudWatchClient,
  type CloudWatchClientConfig,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
  type MetricDataQuery,
  paginateGetMetricData,
} from "@aws-sdk/client-cloudwatch";
import {
  abortedError,
  ShipgateError,
  type SloMeasurement,
  type SloQuery,
  type SloSource,
  type Track,
  untilAborted,
} from "@shipgate/core";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { err, errAsync, ok, okAsync, type Result, ResultAsync } from "neverthrow";
import { cloudWatchFailure } from "./cloudwatch-errors.js";
import {
  measurementFromMetricData,
  mergeMetricDataPages,
} from "./cloudwatch-metric-data-reading.js";
import {
  CLOUDWATCH_PRESETS,
  type CloudWatchMetricSpec,
  type CloudWatchPreset,
  type CloudWatchQueries,
  type CloudWatchQuerySpec,
  isExpression,
  type LatencyUnit,
  QUERY_IDS,
} from "./cloudwatch-queries.js";
import {
  type QueryTemplateValues,
  renderDimensionValue,
  renderExpression,
  unknownPlaceholders,
  usedPlaceholders,
} from "./query-template.js";

/** Retry bounds, applied through the AWS SDK's own retry strategy. */
export interface CloudWatchRetryPolicy {
  /** Attempts in total, the first included (the SDK's `maxAttempts`). */
  maxAttempts: number;
  /** First backoff; doubles per retry, with jitter. */
  baseDelayMs: number;
  /** Longest single backoff. */
  maxDelayMs: number;
}

/** Default retry bounds: 3 attempts, 500 ms doubling backoff, at most 20 s per wait (the SDK's cap). */
export const DEFAULT_CLOUDWATCH_RETRY: Readonly<CloudWatchRetryPolicy> = {
  maxAttempts: 3,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
};

/** Options of {@link createCloudWatchSloSource}. */
export interface CloudWatchSloSourceOptions {
  region: string;
  /** Endpoint override (VPC endpoint, proxy, local emulator). */
  endpoint?: string;
  /** Credentials; by default the SDK's provider chain (env, SSO, profile, IMDS/ECS role). */
  credentials?: CloudWatchClientConfig["credentials"];
  /** Metric set: `alb` (default) or `api_gateway`. */
  preset?: CloudWatchPreset;
  /** Namespace for metric queries that name none; default: the preset's. */
  namespace?: string;
  /** Dimensions of every metric query; values may use placeholders. */
  dimensions?: Record<string, string>;
  /** Dimensions per track, merged over `dimensions` (e.g. one ALB target group per track). */
  trackDimensions?: Partial<Record<Track, Record<string, string>>>;
  /** Query overrides; missing ones use the preset's. */
  queries?: Partial<CloudWatchQueries>;
  /** Extra metric queries (not returned) that expressions refer to by id, e.g. `{ m1: {...} }`. */
  helperQueries?: Record<string, CloudWatchMetricSpec>;
  /** Unit the p95 metric is published in; default: the preset's (ALB `s`, API Gateway `ms`). */
  latencyUnit?: LatencyUnit;
  /** No errors datapoints while requests has some means 0 errors (ALB omits zero periods). Default true. */
  errorsAbsentMeansZero?: boolean;
  /** Deadline for one measurement, retries and pages included. Default 30 000 ms. */
  timeoutMs?: number;
  retry?: Partial<CloudWatchRetryPolicy>;
  /** Most `NextToken` pages followed before giving up. Default 50. */
  maxPages?: number;
  /** Extra client configuration (e.g. `requestHandler`); wins over the options above. */
  clientConfig?: Partial<CloudWatchClientConfig>;
  /** Config field names for messages, e.g. `with.errors`. Default `queries.errors`, … */
  queryFields?: Partial<Record<keyof CloudWatchQueries | "helpers", string>>;
  /** Told to the user when AWS refuses the credentials (names env vars, never values). */
  authHint?: string;
}

const HELPER_ID = /^[a-z][a-zA-Z0-9_]*$/;

const COUNT_STATS = new Set(["Sum", "SampleCount"]);

/**
 * Whether the errors and requests queries return counts: a `Sum` or `SampleCount`
 * statistic (the default statistic is `Sum`), or an expression, which the errors and
 * requests queries are documented to compute counts with (e.g. `FILL(t5, 0) + FILL(e5, 0)`).
 */
export function countingQueries(queries: Pick<CloudWatchQueries, "errors" | "requests">): boolean {
  return [queries.errors, queries.requests].every(
    (spec) => isExpression(spec) || COUNT_STATS.has(spec.stat ?? "Sum"),
  );
}

const nonEmpty = (dims: Record<string, string> | undefined) =>
  dims !== undefined && Object.keys(dims).length > 0;
const selectsTrack = (text: string) =>
  usedPlaceholders(text).some((p) => p === "version" || p === "track");

/**
 * Whether the canary and the stable track are measured apart: each track has dimensions
 * of its own (`trackDimensions`, e.g. one target group per track), or every query selects
 * by `{{version}}` / `{{track}}` in its dimensions or expression (an expression's helper
 * queries count as its own). Otherwise both tracks read the same metrics: no baseline.
 */
export function splitsByTrack(
  queries: CloudWatchQueries,
  dimensions: Record<string, string>,
  helpers: Record<string, CloudWatchMetricSpec>,
  trackDimensions: CloudWatchSloSourceOptions["trackDimensions"],
): boolean {
  if (nonEmpty(trackDimensions?.canary) && nonEmpty(trackDimensions?.stable)) return true;
  const base = Object.values(dimensions);
  const helperTexts = Object.values(helpers).flatMap((h) => [
    ...base,
    ...Object.values(h.dimensions ?? {}),
  ]);
  return (["errors", "requests", "p95"] as const).every((key) => {
    const spec = queries[key];
    const texts = isExpression(spec)
      ? [spec.expression, ...helperTexts]
      : [...base, ...Object.values(spec.dimensions ?? {})];
    return texts.some(selectsTrack);
  });
}

/**
 * The window on whole minutes, both ends rounded down, or null when no whole minute is
 * left. CloudWatch rounds `StartTime` down to the minute itself, and returns the datapoint
 * of every period that starts before `EndTime` (timestamped at its start), so unaligned
 * windows of consecutive polls would count the minute they share twice; rounding both
 * ends down gives every minute to exactly one window (the one in progress goes to the next).
 */
export function alignToMinutes(start: Date, end: Date): { start: Date; end: Date } | null {
  const floor = (d: Date) => Math.floor(d.getTime() / 60_000) * 60_000;
  const from = floor(start);
  const to = floor(end);
  return to > from ? { start: new Date(from), end: new Date(to) } : null;
}

/** Period covering the window: whole minutes (CloudWatch's standard resolution), at least 60 s. */
export function periodForWindow(windowMs: number): number {
  return Math.max(60, Math.ceil(windowMs / 60_000) * 60);
}

function describeQuery(q: MetricDataQuery): string {
  if (q.Expression !== undefined) return `${q.Id}: ${q.Expression}`;
  const m = q.MetricStat;
  const dims = (m?.Metric?.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(", ");
  return `${q.Id}: ${m?.Metric?.Namespace} ${m?.Metric?.MetricName} ${m?.Stat} {${dims}} period=${m?.Period}s`;
}

/**
 * A CloudWatch {@link SloSource}: one `GetMetricData` call per measurement (errors, requests
 * and p95 queries together, `Period` = the window so the p95 is one true percentile),
 * following every `NextToken` page with the SDK's paginator. Retries are the SDK's own
 * (its standard strategy classifies throttling, 5xx and network errors and honours
 * `Retry-After`), configured with our bounds through `ConfiguredRetryStrategy`.
 *
 * @example
 * ```ts
 * const slo = createCloudWatchSloSource({
 *   region: "eu-west-1",
 *   dimensions: { LoadBalancer: "app/prod-alb/50dc6c495c0c9188" },
 *   trackDimensions: {
 *     canary: { TargetGroup: "targetgroup/checkout-canary/6d0ecf831eec9f09" },
 *     stable: { TargetGroup: "targetgroup/checkout-stable/9a8b7c6d5e4f3a2b" },
 *   },
 * });
 * ```
 */
export function createCloudWatchSloSource(options: CloudWatchSloSourceOptions): SloSource {
  const preset = CLOUDWATCH_PRESETS[options.preset ?? "alb"];
  const namespace = options.namespace ?? preset.namespace;
  const queries: CloudWatchQueries = { ...preset.queries, ...options.queries };
  const helpers = options.helperQueries ?? {};
  const fields = {
    errors: "queries.errors",
    requests: "queries.requests",
    p95: "queries.p95",
    helpers: "helper_queries",
    ...options.queryFields,
  };
  const latencyUnit = options.latencyUnit ?? preset.latencyUnit;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxPages = options.maxPages ?? 50;
  const retry: CloudWatchRetryPolicy = { ...DEFAULT_CLOUDWATCH_RETRY, ...options.retry };
  const endpoint = options.endpoint ?? `https://monitoring.${options.region}.amazonaws.com`;
  const authHint =
    options.authHint ??
    "Check the AWS credentials given to shipgate and that they allow cloudwatch:GetMetricData";
  const client = new CloudWatchClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: retry.maxAttempts,
    retryStrategy: new ConfiguredRetryStrategy(retry.maxAttempts, (attempt: number) =>
      Math.min(
        retry.maxDelayMs,
        retry.baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2),
      ),
    ),
    ...options.clientConfig,
  });

  let configError: ShipgateError | null = null;
  const templates: { field: string; text: string }[] = [];
  for (const key of ["errors", "requests", "p95"] as const) {
    const spec = queries[key];
    const texts = isExpression(spec) ? [spec.expression] : Object.values(spec.dimensions ?? {});
    for (const text of texts) templates.push({ field: fields[key], text });
  }
  for (const [id, spec] of Object.entries(helpers)) {
    if (!HELPER_ID.test(id) || (Object.values(QUERY_IDS) as string[]).includes(id)) {
      configError ??= new ShipgateError(
        "invalid_input",
        `Helper query id "${id}" must start with a lower-case letter, use letters, digits and _, and not be ${Object.values(QUERY_IDS).join(", ")}`,
        { field: `${fields.helpers}.${id}` },
      );
    }
    for (const text of Object.values(spec.dimensions ?? {}))
      templates.push({ field: `${fields.helpers}.${id}`, text });
  }
  for (const [name, text] of Object.entries({
    ...options.dimensions,
    ...options.trackDimensions?.canary,
    ...options.trackDimensions?.stable,
  })) {
    templates.push({ field: `dimensions.${name}`, text });
  }
  for (const t of templates) {
    const unknown = unknownPlaceholders(t.text);
    if (unknown.length > 0) {
      configError ??= new ShipgateError(
        "invalid_input",
        `Unknown placeholder ${unknown.map((u) => `{{${u}}}`).join(", ")} in ${t.field}`,
        {
          field: t.field,
          hint: "Use {{service}}, {{version}}, {{track}}, {{environment}} or {{window}}",
        },
      );
    }
  }

  function buildQueries(
    query: SloQuery,
    values: QueryTemplateValues,
    period: number,
  ): Result<
    { request: MetricDataQuery[]; described: { id: string; field: string; text: string }[] },
    ShipgateError
  > {
    const baseDimensions = { ...options.dimensions, ...options.trackDimensions?.[query.track] };
    const request: MetricDataQuery[] = [];
    const described: { id: string; field: string; text: string }[] = [];
    const templateError = (field: string, p: { placeholder: string; reason: string }) =>
      err(
        new ShipgateError(
          "invalid_input",
          `The ${p.placeholder} of the measurement ${p.reason} (used by ${field})`,
          { field: `query.${p.placeholder}` },
        ),
      );
    const metricQuery = (
      id: string,
      spec: CloudWatchMetricSpec,
      field: string,
      returnData: boolean,
    ): Result<MetricDataQuery, ShipgateError> => {
      const dims: { Name: string; Value: string }[] = [];
      for (const [name, template] of Object.entries({ ...baseDimensions, ...spec.dimensions })) {
        const value = renderDimensionValue(template, values);
        if (value.isErr()) return templateError(field, value.error);
        dims.push({ Name: name, Value: value.value });
      }
      return ok({
        Id: id,
        Label: id,
        ReturnData: returnData,
        MetricStat: {
          Metric: {
            Namespace: spec.namespace ?? namespace,
            MetricName: spec.metricName,
            Dimensions: dims,
          },
          Period: period,
          Stat: spec.stat ?? "Sum",
        },
      });
    };
    const add = (
      id: string,
      spec: CloudWatchQuerySpec,
      field: string,
      returnData: boolean,
    ): Result<null, ShipgateError> => {
      let q: MetricDataQuery;
      if (isExpression(spec)) {
        const expression = renderExpression(spec.expression, values);
        if (expression.isErr()) return templateError(field, expression.error);
        q = {
          Id: id,
          Label: id,
          Expression: expression.value,
          Period: period,
          ReturnData: returnData,
        };
      } else {
        const built = metricQuery(id, spec, field, returnData);
        if (built.isErr()) return err(built.error);
        q = built.value;
      }
      request.push(q);
      described.push({ id, field, text: describeQuery(q) });
      return ok(null);
    };
    for (const [id, spec] of Object.entries(helpers)) {
      const r = add(id, spec, `${fields.helpers}.${id}`, false);
      if (r.isErr()) return err(r.error);
    }
    for (const key of ["errors", "requests", "p95"] as const) {
      const r = add(QUERY_IDS[key], queries[key], fields[key], true);
      if (r.isErr()) return err(r.error);
    }
    return ok({ request, described });
  }

  async function fetchPages(
    input: GetMetricDataCommandInput,
    signal: AbortSignal,
  ): Promise<GetMetricDataCommandOutput[]> {
    const pages: GetMetricDataCommandOutput[] = [];
    for await (const page of paginateGetMetricData({ client, stopOnSameToken: true }, input, {
      abortSignal: signal,
    })) {
      pages.push(page);
      if (pages.length >= maxPages && page.NextToken) {
        throw new ShipgateError(
          "invalid_response",
          `CloudWatch kept paging GetMetricData past ${maxPages} pages`,
          { hint: "Narrow the queries (fewer series), or raise max_pages" },
        );
      }
    }
    return pages;
  }

  function measure(
    query: SloQuery,
    { signal }: { signal: AbortSignal },
  ): ResultAsync<SloMeasurement, ShipgateError> {
    if (signal.aborted) return errAsync(abortedError(signal));
    if (configError) return errAsync(configError);
    const windowMs = query.windowEnd.getTime() - query.windowStart.getTime();
    if (!(windowMs > 0)) {
      return errAsync(
        new ShipgateError("invalid_input", "The SLO window must end after it starts", {
          field: "query.windowEnd",
        }),
      );
    }
    const aligned = alignToMinutes(query.windowStart, query.windowEnd);
    if (aligned === null) {
      const reason = `the window ${query.windowStart.toISOString()}–${query.windowEnd.toISOString()} holds no whole minute, CloudWatch's resolution; the next window counts it`;
      return okAsync({
        errorRate: { kind: "no_data", reason },
        p95LatencyMs: { kind: "no_data", reason },
        sampleCount: null,
        requestCount: null,
        errorCount: null,
        latencyBuckets: null,
        queries: [],
      });
    }
    const period = periodForWindow(aligned.end.getTime() - aligned.start.getTime());
    const values: QueryTemplateValues = {
      service: query.service,
      version: query.version,
      track: query.track,
      environment: query.environment,
      window: String(period),
    };
    const built = buildQueries(query, values, period);
    if (built.isErr()) return errAsync(built.error);
    const { request, described } = built.value;

    const timeoutSignal = AbortSignal.timeout(timeoutMs);
    const callSignal = AbortSignal.any([signal, timeoutSignal]);
    const input: GetMetricDataCommandInput = {
      MetricDataQueries: request,
      StartTime: aligned.start,
      EndTime: aligned.end,
    };
    const evidence = described.map((d) => d.text);
    if (
      aligned.start.getTime() !== query.windowStart.getTime() ||
      aligned.end.getTime() !== query.windowEnd.getTime()
    )
      evidence.push(
        `window aligned to whole minutes: ${aligned.start.toISOString()}–${aligned.end.toISOString()}`,
      );
    return ResultAsync.fromPromise(
      untilAborted(fetchPages(input, callSignal), callSignal),
      (thrown) =>
        cloudWatchFailure(thrown, {
          signal,
          timeoutSignal,
          timeoutMs,
          queries: described,
          authHint,
          endpoint,
        }),
    )
      .andThen((pages) => mergeMetricDataPages(pages))
      .andThen((merged) =>
        measurementFromMetricData(
          merged,
          {
            latencyUnit,
            errorsAbsentMeansZero: options.errorsAbsentMeansZero ?? true,
            metricStatIds: request
              .filter((q) => q.MetricStat !== undefined && q.ReturnData !== false)
              .map((q) => q.Id as string),
            queriesCount: countingQueries(queries),
          },
          evidence,
        ),
      );
  }

  return {
    name: "cloudwatch",
    splitsByTrack: splitsByTrack(
      queries,
      options.dimensions ?? {},
      helpers,
      options.trackDimensions,
    ),
    measure,
  };
}
