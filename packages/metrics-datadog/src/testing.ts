export * from "./testing/datadog-emulator.js";
export * from "./testing/datadog-query-syntax.js";
export * from "./testing/datadog-test-fixtures.js";
export * from "./testing/datadog-wire-contract.js";
