export {
  DEFAULT_QUERIES,
  defaultMatchers,
  type OptionalQueryName,
  type QueryName,
  type RequiredQueryName,
} from "./default-queries.js";
export { parsePrometheusSampleValue } from "./prometheus-envelope.js";
export {
  type LatencyBucketsOutcome,
  type LatencyBucketUnit,
  latencyBucketsOf,
} from "./prometheus-latency-buckets.js";
export {
  buildPrometheusSloSource,
  createPrometheusSloSource,
  type PrometheusOptions,
  type PrometheusSloSourceOptions,
  prometheusOptionsSchema,
  shipgateProvider,
} from "./prometheus-provider.js";
export type { WarningPolicy } from "./prometheus-reading.js";
export {
  type PrometheusSloSourceConfig,
  prometheusSloSource,
  queriesSplitByTrack,
} from "./prometheus-slo-source.js";
export {
  compilePromqlTemplate,
  escapePromqlString,
  PLACEHOLDERS,
  type PlaceholderName,
  type PromqlTemplate,
  type PromqlTemplateValues,
  renderPromqlTemplate,
} from "./promql-template.js";
