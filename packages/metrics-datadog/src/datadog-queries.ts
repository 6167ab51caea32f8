/** The three query templates: failed requests, all requests, p95 latency. */
export interface DatadogQueryTemplates {
  /** Count of failed requests in the window (summed over buckets). */
  errors: string;
  /** Count of all requests in the window (summed over buckets). */
  hits: string;
  /** p95 latency; its unit comes from Datadog's series unit, or `latencyUnit`. */
  p95: string;
}

const SCOPE = "service:{{service}},version:{{version}},env:{{environment}}";

/**
 * Defaults for Datadog APM trace metrics of an HTTP service (`trace.http.request.*`, see
 * Datadog's "Trace Metrics" docs: `.hits` and `.errors` are COUNTs, `trace.http.request` is
 * the latency DISTRIBUTION in seconds). Unified service tagging supplies `service`,
 * `version` and `env`.
 */
export const DEFAULT_DATADOG_QUERIES: Readonly<DatadogQueryTemplates> = {
  errors: `sum:trace.http.request.errors{${SCOPE}}.as_count()`,
  hits: `sum:trace.http.request.hits{${SCOPE}}.as_count()`,
  p95: `p95:trace.http.request{${SCOPE}}`,
};
