export * from "./conformance/index.js";
export * from "./emulator/index.js";
export * from "./emulator-lifecycle.js";
export * from "./simulation.js";
