export * from "./command-smoke-check.js";
export * from "./env-config-inventory.js";
export * from "./http-smoke-check.js";
export * from "./preparation-checks.js";
export * from "./preparation-runner.js";
export * from "./smoke-checks-from-spec.js";
