/**
 * The query templates used when the config gives none. They assume the usual client
 * instrumentation: a counter `http_requests_total{code}` and a histogram
 * `http_request_duration_seconds` in seconds.
 *
 * - The error numerators fall back to `vector(0)`: with no 5xx series yet, `sum(...)` is
 *   empty and the whole ratio would be empty (no data) although traffic was fine.
 * - The denominator has no fallback, so a version with no series at all stays "no data",
 *   and one whose series saw no traffic gives 0/0 = NaN ("no data" as well).
 * - The histogram is summed `by (le)` so instances are merged before the quantile, and
 *   `latency_buckets` keeps the sum per `le` (cumulative counts over the window).
 * - `sample_count` is the request count (`requestCount`); `error_count` counts the same
 *   requests' 5xx, so errors never exceed requests.
 */
export const DEFAULT_QUERIES = {
  error_rate:
    '(sum(rate(http_requests_total{{{matchers}},code=~"5.."}[{{window}}])) or vector(0)) / sum(rate(http_requests_total{{{matchers}}}[{{window}}]))',
  p95_latency_ms:
    "1000 * histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{{{matchers}}}[{{window}}])))",
  sample_count: "sum(increase(http_requests_total{{{matchers}}}[{{window}}]))",
  error_count:
    'sum(increase(http_requests_total{{{matchers}},code=~"5.."}[{{window}}])) or vector(0)',
  latency_buckets:
    "sum by (le) (increase(http_request_duration_seconds_bucket{{{matchers}}}[{{window}}]))",
} as const;

/** The measurements a query template can be configured for. */
export type QueryName = keyof typeof DEFAULT_QUERIES;

/** The queries every measurement runs. */
export type RequiredQueryName = "error_rate" | "p95_latency_ms" | "sample_count";

/** The v2 queries, which may be left unconfigured (their fields are then `null`). */
export type OptionalQueryName = Exclude<QueryName, RequiredQueryName>;

/** Label matchers built from the label names, e.g. `service="{{service}}",version="{{version}}"`. */
export function defaultMatchers(serviceLabel: string, versionLabel: string): string {
  return `${serviceLabel}="{{service}}",${versionLabel}="{{version}}"`;
}
