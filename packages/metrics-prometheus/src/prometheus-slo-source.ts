import {
  abortedError,
  type CallOptions,
  ShipgateError,
  type SloMeasurement,
  type SloQuery,
  type SloSource,
} from "@shipgate/core";
import { err, errAsync, ok, type Result, ResultAsync } from "neverthrow";
import type { QueryName } from "./default-queries.js";
import { type PrometheusHttpConfig, queryInstant } from "./prometheus-http.js";
import {
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
  queries: Record<QueryName, PromqlTemplate>;
  onWarnings: WarningPolicy;
}

const QUERY_NAMES: readonly QueryName[] = ["error_rate", "p95_latency_ms", "sample_count"];

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
): Result<Record<QueryName, string>, ShipgateError> {
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
  const rendered = {} as Record<QueryName, string>;
  for (const name of QUERY_NAMES) {
    const promql = renderPromqlTemplate(config.queries[name], {
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
  promql: Record<QueryName, string>,
  signal: AbortSignal,
): Promise<Result<SloMeasurement, ShipgateError>> {
  // One failed query makes the measurement useless: stop its siblings early.
  const siblings = new AbortController();
  const onAbort = () => siblings.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const answers = await Promise.all(
      QUERY_NAMES.map(async (label) => {
        const answer = await queryInstant(
          config.http,
          { promql: promql[label], time: query.windowEnd, label },
          siblings.signal,
        );
        const outcome = answer.andThen((a) =>
          outcomeOf(a, label, promql[label], config.onWarnings),
        );
        if (outcome.isErr()) siblings.abort(outcome.error);
        return { label, answer, outcome };
      }),
    );
    if (signal.aborted) return err(abortedError(signal));
    const failed =
      answers.find((a) => a.outcome.isErr() && a.outcome.error.kind !== "aborted") ??
      answers.find((a) => a.outcome.isErr());
    if (failed?.outcome.isErr()) return err(failed.outcome.error);

    const outcomes = {} as Record<QueryName, QueryOutcome>;
    const evidence: string[] = [];
    for (const { label, answer, outcome } of answers) {
      if (outcome.isErr() || answer.isErr()) continue; // handled above
      outcomes[label] = outcome.value;
      let line = `${label} = ${promql[label]} (instant query at ${query.windowEnd.toISOString()})`;
      if (answer.value.warnings?.length) line += `; warnings: ${answer.value.warnings.join("; ")}`;
      if (answer.value.infos?.length) line += `; infos: ${answer.value.infos.join("; ")}`;
      evidence.push(line);
    }
    return ok({
      errorRate: errorRateReading(outcomes.error_rate),
      p95LatencyMs: latencyReading(outcomes.p95_latency_ms),
      sampleCount: sampleCountOf(outcomes.sample_count),
      queries: evidence,
    });
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/**
 * An {@link SloSource} over Prometheus' HTTP API. Each `measure` runs three instant
 * queries in parallel at `time = windowEnd` (error rate, p95 latency in ms, request
 * count), with the window as the range of every `rate`/`increase`.
 *
 * Most users want {@link createPrometheusSloSource} or the `shipgateProvider`; this takes
 * the already-compiled configuration.
 */
export function prometheusSloSource(config: PrometheusSloSourceConfig): SloSource {
  return {
    name: config.name,
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
