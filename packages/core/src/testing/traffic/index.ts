export * from "./canary-trace.js";
export * from "./judge-benchmark.js";
export * from "./judge-benchmark-table.js";
export * from "./latency-histogram.js";
export * from "./oracle-judge.js";
export * from "./seeded-random.js";
export * from "./trace-slo-source.js";
export * from "./weight-timeline.js";
