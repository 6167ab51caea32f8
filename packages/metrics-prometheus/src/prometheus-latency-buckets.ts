import { type LatencyBucket, ShipgateError } from "@shipgate/core";
import { err, ok, type Result } from "neverthrow";
import { type PrometheusSuccess, parsePrometheusSampleValue } from "./prometheus-envelope.js";
import type { WarningPolicy } from "./prometheus-reading.js";

/** Unit of the histogram's `le` bounds: Prometheus convention is seconds. */
export type LatencyBucketUnit = "s" | "ms";

/** The buckets of one window, or why there are none (`buckets: null`). */
export type LatencyBucketsOutcome =
  | { buckets: LatencyBucket[]; reason?: undefined }
  | { buckets: null; reason: string };

const MS_PER_UNIT: Record<LatencyBucketUnit, number> = { s: 1000, ms: 1 };

function badQuery(promql: string, why: string): ShipgateError<"bad_query"> {
  return new ShipgateError("bad_query", `The latency_buckets query \`${promql}\` ${why}`, {
    field: "queries.latency_buckets",
    details: { query: promql, label: "latency_buckets" },
    hint: "It must return one series per le, e.g. sum by (le) (increase(…_bucket{…}[{{window}}]))",
  });
}

/** A bound in ms without the float noise of the multiplication (0.07 s → 70, not 70.00000000000001). */
function toMs(le: number, factor: number): number {
  if (le === Number.POSITIVE_INFINITY) return le;
  return Number.parseFloat((le * factor).toPrecision(12));
}

/**
 * Reads `sum by (le) (increase(<histogram>_bucket{…}[W]))` into cumulative buckets over
 * the window: one series per `le` (seconds by default, converted to ms; `+Inf` becomes
 * `Infinity`), sorted ascending, counts rounded to whole requests because `increase()`
 * extrapolates to the window's edges. Each `le` series is extrapolated on its own, so a
 * count can dip below the previous bound's by float noise; like `histogram_quantile`,
 * counts are made monotonic.
 *
 * No series, no `+Inf` bucket, a NaN or infinite count, and (by default) an answer with
 * `warnings` give `null` with the reason. Series without `le`, or two with the same `le`,
 * mean the template forgot to aggregate: `bad_query`.
 *
 * @example
 * ```ts
 * const out = latencyBucketsOf(answer, promql, "no_data", "s");
 * ```
 */
export function latencyBucketsOf(
  answer: PrometheusSuccess,
  promql: string,
  onWarnings: WarningPolicy,
  unit: LatencyBucketUnit,
): Result<LatencyBucketsOutcome, ShipgateError> {
  const data = answer.data;
  if (data.resultType !== "vector") {
    return err(badQuery(promql, `returned a ${data.resultType}; it must return an instant vector`));
  }
  if (data.result.length === 0) {
    return ok({
      buckets: null,
      reason:
        "the latency_buckets query returned no series: no histogram for this service/version in the window",
    });
  }
  const byLe = new Map<number, number>();
  for (const series of data.result) {
    const leText = series.metric.le;
    if (leText === undefined) {
      return err(badQuery(promql, "returned a series without an le label"));
    }
    const le = parsePrometheusSampleValue(leText);
    if (
      le === null ||
      (le.kind === "not_a_number" && le.text !== "+Inf") ||
      (le.kind === "number" && le.value < 0)
    ) {
      return err(
        badQuery(promql, `returned the bucket bound le="${leText}", which is not a bound`),
      );
    }
    const bound = le.kind === "number" ? le.value : Number.POSITIVE_INFINITY;
    if (byLe.has(bound)) {
      return err(
        badQuery(
          promql,
          `returned several series for le="${leText}"; aggregate them with sum by (le)`,
        ),
      );
    }
    const count = parsePrometheusSampleValue(series.value[1]);
    if (count === null) {
      return err(
        new ShipgateError(
          "invalid_response",
          `Prometheus sent the sample value ${JSON.stringify(series.value[1])} for the latency_buckets query, which is not a number`,
          { details: { query: promql, label: "latency_buckets" } },
        ),
      );
    }
    if (count.kind === "not_a_number" || count.value < 0) {
      const text = count.kind === "not_a_number" ? count.text : String(count.value);
      return ok({
        buckets: null,
        reason: `the latency_buckets query returned ${text} for le="${leText}"`,
      });
    }
    byLe.set(bound, count.value);
  }
  if (!byLe.has(Number.POSITIVE_INFINITY)) {
    return ok({ buckets: null, reason: 'the latency_buckets query returned no le="+Inf" bucket' });
  }
  if (answer.warnings && answer.warnings.length > 0 && onWarnings === "no_data") {
    return ok({
      buckets: null,
      reason: `Prometheus flagged the latency_buckets result as possibly partial: ${answer.warnings.join("; ")}`,
    });
  }
  const factor = MS_PER_UNIT[unit];
  let running = 0;
  const buckets = [...byLe.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([le, count]) => {
      running = Math.max(running, Math.round(count));
      return { leMs: toMs(le, factor), count: running };
    });
  return ok({ buckets });
}
