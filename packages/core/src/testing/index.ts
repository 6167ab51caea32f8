export * from "./conformance/index.js";
export * from "./virtual-clock.js";
