export * from "./datadog-provider.js";
export * from "./datadog-queries.js";
export * from "./datadog-retry-transport.js";
export * from "./datadog-slo-source.js";
export * from "./datadog-timeseries-reading.js";
export * from "./query-template.js";
