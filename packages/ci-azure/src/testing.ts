export * from "./testing/azure-emulator.js";
export * from "./testing/azure-test-scenario.js";
