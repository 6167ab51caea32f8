export { DEFAULT_QUERIES, defaultMatchers, type QueryName } from "./default-queries.js";
export { parsePrometheusSampleValue } from "./prometheus-envelope.js";
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
