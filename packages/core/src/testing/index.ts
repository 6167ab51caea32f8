export * from "./conformance/index.js";
export * from "./fakes/index.js";
export * from "./run-scenario.js";
export * from "./scenario.js";
export * from "./virtual-clock.js";
