export * from "./conformance/index.js";
export * from "./describe-needing.js";
export * from "./emulator/index.js";
export * from "./emulator-answer-check.js";
export * from "./emulator-lifecycle.js";
export * from "./past-releases.js";
export * from "./simulation.js";
export * from "./slo-source-deadline-checks.js";
