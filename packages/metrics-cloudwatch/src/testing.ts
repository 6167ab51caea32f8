export * from "./cloudwatch-emulator.js";
export * from "./cloudwatch-metric-math.js";
export * from "./cloudwatch-test-fixtures.js";
export * from "./cloudwatch-wire-contract.js";
