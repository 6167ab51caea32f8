import {
  abortedError,
  type CallOptions,
  ShipgateError,
  type SloMeasurement,
  type SloQuery,
  type SloSource,
} from "@shipgate/core";
import { err, errAsync, ok, type Result, ResultAsync } from "neverthrow";
import type { OptionalQueryName, QueryName, RequiredQueryName } from "./default-queries.js";
import type { PrometheusSuccess } from "./prometheus-envelope.js";
import { type PrometheusHttpConfig, queryInstant } from "./prometheus-http.js";
import {
  type LatencyBucketsOutcome,
  type LatencyBucketUnit,
  latencyBucketsOf,
} from "./prometheus-latency-buckets.js";
import {
  errorCountOf,
  errorRateReading,
  latencyReading,
  outcomeOf,
  type QueryOutcome,
  sampleCountOf,
  type WarningPolicy,
} from "./prometheus-reading.js";
import { type PromqlTemplate, renderPromqlTemplate } from "./promql-template.js";

/** Everything a {@link prometheusSloSource} needs, already validated and compiled. */
export interface PrometheusSloSourceConfig {
  name: string;
  http: PrometheusHttpConfig;
  /** Rendered first; its result fills `{{matchers}}` in the queries. */
  matchers: PromqlTemplate;
  /**
   * The v2 queries `error_count` and `latency_buckets` may be absent or null: their fields
   * are then `null` ("not configured"), and no request is sent for them.
   */
  queries: Record<RequiredQueryName, PromqlTemplate> &
    Partial<Record<OptionalQueryName, PromqlTemplate | null>>;
  onWarnings: WarningPolicy;
  /** Unit of the `le` bounds the `latency_buckets` query returns. Default `s`. */
  latencyBucketUnit?: LatencyBucketUnit;
}

const QUERY_NAMES: readonly QueryName[] = [
  "error_rate",
  "p95_latency_ms",
  "sample_count",
  "error_count",
  "latency_buckets",
];

type Rendered = Partial<Record<QueryName, string>>;

const SELECTS_TRACK = new Set(["version", "track"]);

function selectsTrack(template: PromqlTemplate, matchers: PromqlTemplate): boolean {
  return template.parts.some(
    (p) =>
      p.kind === "placeholder" &&
      (SELECTS_TRACK.has(p.name) || (p.name === "matchers" && selectsTrack(matchers, matchers))),
  );
}

/**
 * Whether every configured query can tell the canary from the stable track: it uses
 * `{{version}}` or `{{track}}`, itself or through `{{matchers}}` (the default matchers
 * always select the version label). A query that selects neither measures both tracks
 * alike, so there is no baseline to compare with.
 */
export function queriesSplitByTrack(config: PrometheusSloSourceConfig): boolean {
  return QUERY_NAMES.every((name) => {
    const template = config.queries[name];
    return !template || selectsTrack(template, config.matchers);
  });
}

/** The `{{window}}` value: the window in whole seconds, e.g. `600s`. */
export function windowDuration(query: SloQuery): Result<string, ShipgateError<"invalid_input">> {
  const ms = query.windowEnd.getTime() - query.windowStart.getTime();
  const seconds = Math.round(ms / 1000);
  if (!Number.isFinite(ms) || seconds < 1) {
    return err(
      new ShipgateError(
        "invalid_input",
        `The measurement window must be at least one second long (got ${Number.isFinite(ms) ? `${ms} ms` : "an invalid date"})`,
        { field: "windowStart" },
      ),
    );
  }
  return ok(`${seconds}s`);
}

function renderQueries(
  config: PrometheusSloSourceConfig,
  query: SloQuery,
): Result<Rendered, ShipgateError> {
  const window = windowDuration(query);
  if (window.isErr()) return err(window.error);
  const values = {
    service: query.service,
    version: query.version,
    track: query.track,
    environment: query.environment,
    window: window.value,
  };
  const matchers = renderPromqlTemplate(config.matchers, values);
  if (matchers.isErr()) return err(matchers.error);
  const rendered: Rendered = {};
  for (const name of QUERY_NAMES) {
    const template = config.queries[name];
    if (!template) continue;
    const promql = renderPromqlTemplate(template, {
      ...values,
      matchers: matchers.value,
    });
    if (promql.isErr()) return err(promql.error);
    rendered[name] = promql.value;
  }
  return ok(rendered);
}

async function measure(
  config: PrometheusSloSourceConfig,
  query: SloQuery,
  promql: Rendered,
  signal: AbortSignal,
): Promise<Result<SloMeasurement, ShipgateError>> {
  // One failed query makes the measurement useless: stop its siblings early.
  const siblings = new AbortController();
  const onAbort = () => siblings.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const sent = QUERY_NAMES.flatMap((label) => {
      const text = promql[label];
      return text === undefined ? [] : [{ label, text }];
    });
    const answers = await Promise.all(
      sent.map(async ({ label, text }) => {
        const answer = await queryInstant(
          config.http,
          { promql: text, time: query.windowEnd, label },
          siblings.signal,
        );
        const outcome: Result<QueryOutcome | LatencyBucketsOutcome, ShipgateError> = answer.andThen(
          (a: PrometheusSuccess) =>
            label === "latency_buckets"
              ? latencyBucketsOf(a, text, config.onWarnings, config.latencyBucketUnit ?? "s")
              : outcomeOf(a, label, text, config.onWarnings),
        );
        if (outcome.isErr()) siblings.abort(outcome.error);
        return { label, text, answer, outcome };
      }),
    );
    if (signal.aborted) return err(abortedError(signal));
    const failed =
      answers.find((a) => a.outcome.isErr() && a.outcome.error.kind !== "aborted") ??
      answers.find((a) => a.outcome.isErr());
    if (failed?.outcome.isErr()) return err(failed.outcome.error);

    const outcomes: Partial<Record<RequiredQueryName | "error_count", QueryOutcome>> = {};
    let buckets: LatencyBucketsOutcome = {
      buckets: null,
      reason: "no latency_buckets query is configured",
    };
    const lines = new Map<QueryName, string>();
    for (const { label, text, answer, outcome } of answers) {
      if (outcome.isErr() || answer.isErr()) continue; // handled above
      if (label === "latency_buckets") buckets = outcome.value as LatencyBucketsOutcome;
      else outcomes[label] = outcome.value as QueryOutcome;
      let line = `${label} = ${text} (instant query at ${query.windowEnd.toISOString()})`;
      if (answer.value.warnings?.length) line += `; warnings: ${answer.value.warnings.join("; ")}`;
      if (answer.value.infos?.length) line += `; infos: ${answer.value.infos.join("; ")}`;
      lines.set(label, line);
    }
    const requestCount = sampleCountOf(outcomes.sample_count as QueryOutcome);
    const errors = outcomes.error_count
      ? errorCountOf(outcomes.error_count, requestCount)
      : { count: null, reason: "no error_count query is configured" };
    // Why a v2 field is null belongs in the evidence, next to its query.
    if (errors.count === null && lines.has("error_count"))
      lines.set("error_count", `${lines.get("error_count")}; errorCount null: ${errors.reason}`);
    if (buckets.buckets === null && lines.has("latency_buckets"))
      lines.set(
        "latency_buckets",
        `${lines.get("latency_buckets")}; latencyBuckets null: ${buckets.reason}`,
      );
    return ok({
      errorRate: errorRateReading(outcomes.error_rate as QueryOutcome),
      p95LatencyMs: latencyReading(outcomes.p95_latency_ms as QueryOutcome),
      sampleCount: requestCount,
      requestCount,
      errorCount: errors.count,
      latencyBuckets: buckets.buckets,
      queries: QUERY_NAMES.flatMap((name) => lines.get(name) ?? []),
    });
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/**
 * An {@link SloSource} over Prometheus' HTTP API. Each `measure` runs up to five instant
 * queries in parallel at `time = windowEnd` (error rate, p95 latency in ms, request
 * count, error count, latency buckets; the last two only where configured), with the
 * window as the range of every `rate`/`increase`. `splitsByTrack` says whether the
 * queries select the version or track (see {@link queriesSplitByTrack}).
 *
 * Most users want {@link createPrometheusSloSource} or the `shipgateProvider`; this takes
 * the already-compiled configuration.
 */
export function prometheusSloSource(config: PrometheusSloSourceConfig): SloSource {
  return {
    name: config.name,
    splitsByTrack: queriesSplitByTrack(config),
    measure(query: SloQuery, { signal }: CallOptions) {
      if (signal.aborted) return errAsync(abortedError(signal));
      const promql = renderQueries(config, query);
      if (promql.isErr()) return errAsync(promql.error);
      return new ResultAsync(
        measure(config, query, promql.value, signal).catch((cause: unknown) =>
          err(
            new ShipgateError("internal", `Unexpected failure measuring SLOs: ${String(cause)}`, {
              cause,
            }),
          ),
        ),
      );
    },
  };
}
