export * from "./confidence-sequence.js";
export * from "./judge.js";
export * from "./judge-policy.js";
export * from "./latency-histogram.js";
export * from "./statistical-judge.js";
export * from "./threshold-judge.js";
