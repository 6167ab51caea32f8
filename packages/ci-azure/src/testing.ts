export * from "./azure-emulator.js";
export * from "./azure-test-scenario.js";
