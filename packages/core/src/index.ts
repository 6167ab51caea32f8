export * from "./contracts/index.js";
export * from "./errors/shipgate-error.js";
export * from "./provider.js";
export * from "./release/release-spec.js";
export * from "./release/zod-issues.js";
