import type { MetricReading } from "@shipgate/core";
import { ShipgateError } from "@shipgate/core";
import { err, ok, type Result } from "neverthrow";
import type { QueryName } from "./default-queries.js";
import { type PrometheusSuccess, parsePrometheusSampleValue } from "./prometheus-envelope.js";

/** What to do with a result Prometheus flags with `warnings` (possibly partial data). */
export type WarningPolicy = "no_data" | "accept";

/** One query's single number, or why there is none. */
export type QueryOutcome =
  | { kind: "value"; value: number }
  | { kind: "no_data"; reason: string; value?: number };

/**
 * Turns an instant-query answer into one number. Only a single series (or a scalar) is a
 * measurement; an empty vector, NaN and ±Inf are "no data" with the reason, never 0.
 * Several series mean the template forgot to aggregate, which is a configuration error.
 *
 * With `warnings` (e.g. a remote-read store failed), the number may be computed from part
 * of the data, which could hide errors on the missing part; by default that is "no data"
 * too, with the warning and the would-be value in the reason. `infos` are only notes.
 */
export function outcomeOf(
  answer: PrometheusSuccess,
  label: QueryName,
  promql: string,
  onWarnings: WarningPolicy,
): Result<QueryOutcome, ShipgateError> {
  const data = answer.data;
  let text: string;
  if (data.resultType === "vector") {
    if (data.result.length === 0) {
      return ok({
        kind: "no_data",
        reason: `the ${label} query returned no series: no samples for this service/version in the window, or the metric or labels do not exist`,
      });
    }
    if (data.result.length > 1) {
      return err(
        new ShipgateError(
          "bad_query",
          `The ${label} query \`${promql}\` returned ${data.result.length} series; it must return one (aggregate it, e.g. sum(...))`,
          { field: `queries.${label}`, details: { query: promql, label } },
        ),
      );
    }
    text = (data.result[0] as { value: [number, string] }).value[1];
  } else if (data.resultType === "scalar") {
    text = data.result[1];
  } else {
    return err(
      new ShipgateError(
        "bad_query",
        `The ${label} query \`${promql}\` returned a ${data.resultType}; it must return an instant vector or a scalar`,
        { field: `queries.${label}`, details: { query: promql, label } },
      ),
    );
  }
  const sample = parsePrometheusSampleValue(text);
  if (sample === null) {
    return err(
      new ShipgateError(
        "invalid_response",
        `Prometheus sent the sample value ${JSON.stringify(text)} for the ${label} query, which is not a number`,
        { details: { query: promql, label } },
      ),
    );
  }
  if (sample.kind === "not_a_number") {
    const why =
      sample.text === "NaN"
        ? "the series exist but there was nothing to divide (usually no traffic in the window: 0/0)"
        : "a non-zero amount was divided by zero (check the query)";
    return ok({ kind: "no_data", reason: `the ${label} query returned ${sample.text}: ${why}` });
  }
  if (answer.warnings && answer.warnings.length > 0 && onWarnings === "no_data") {
    return ok({
      kind: "no_data",
      value: sample.value,
      reason: `Prometheus flagged the ${label} result (${sample.value}) as possibly partial: ${answer.warnings.join("; ")}`,
    });
  }
  return ok({ kind: "value", value: sample.value });
}

/** An error rate must be a fraction; a percentage or a negative number means a wrong template. */
export function errorRateReading(outcome: QueryOutcome): MetricReading {
  if (outcome.kind === "no_data") return { kind: "no_data", reason: outcome.reason };
  const v = outcome.value;
  // Rate extrapolation can overshoot 1 by float noise when every request failed.
  if (v < 0 || v > 1 + 1e-9) {
    return {
      kind: "no_data",
      reason: `the error_rate query returned ${v}, outside 0–1; it must return a fraction of requests (not a percentage)`,
    };
  }
  return { kind: "value", value: Math.min(v, 1) };
}

/** A latency below zero cannot be measured; anything else is passed on as is. */
export function latencyReading(outcome: QueryOutcome): MetricReading {
  if (outcome.kind === "no_data") return { kind: "no_data", reason: outcome.reason };
  if (outcome.value < 0) {
    return {
      kind: "no_data",
      reason: `the p95_latency_ms query returned ${outcome.value} ms, below zero`,
    };
  }
  return { kind: "value", value: outcome.value };
}

/** Requests in the window, rounded (`increase` extrapolates), or null when unknown. */
export function sampleCountOf(outcome: QueryOutcome): number | null {
  if (outcome.kind === "no_data" || outcome.value < 0) return null;
  return Math.round(outcome.value);
}

/**
 * Failed requests in the window, rounded like the request count, or null with the reason:
 * unknown when the requests are unknown (the `or vector(0)` fallback answers 0 even for a
 * version that has no series), and when the two queries disagree (more errors than
 * requests means they do not count the same requests).
 */
export function errorCountOf(
  outcome: QueryOutcome,
  requestCount: number | null,
): { count: number; reason?: undefined } | { count: null; reason: string } {
  if (outcome.kind === "no_data") return { count: null, reason: outcome.reason };
  if (requestCount === null) return { count: null, reason: "the request count is unknown" };
  const count = Math.round(outcome.value);
  if (count < 0) return { count: null, reason: `the error_count query returned ${outcome.value}` };
  if (count > requestCount) {
    return {
      count: null,
      reason: `errors (${count}) exceed requests (${requestCount}); error_count and sample_count do not count the same requests`,
    };
  }
  return { count };
}
