export * from "./cloudwatch-metric-math.js";
export * from "./testing/cloudwatch-emulator.js";
export * from "./testing/cloudwatch-test-fixtures.js";
export * from "./testing/cloudwatch-wire-contract.js";
