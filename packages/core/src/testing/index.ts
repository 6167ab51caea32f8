export * from "./conformance/index.js";
export * from "./simulation.js";
