export * from "./github-emulator.js";
export * from "./github-emulator-graphql.js";
export * from "./github-emulator-payloads.js";
export * from "./github-emulator-state.js";
export * from "./github-fixture-replay.js";
export * from "./github-openapi-validator.js";
