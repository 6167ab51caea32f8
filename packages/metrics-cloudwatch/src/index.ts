export * from "./cloudwatch-metric-data-reading.js";
export * from "./cloudwatch-provider.js";
export * from "./cloudwatch-queries.js";
export * from "./cloudwatch-slo-source.js";
export * from "./query-template.js";
