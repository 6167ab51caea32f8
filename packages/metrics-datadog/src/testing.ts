export * from "./datadog-emulator.js";
export * from "./datadog-query-syntax.js";
export * from "./datadog-test-fixtures.js";
export * from "./datadog-wire-contract.js";
