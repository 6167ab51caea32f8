export * from "./testing/github-emulator.js";
export * from "./testing/github-emulator-graphql.js";
export * from "./testing/github-emulator-payloads.js";
export * from "./testing/github-emulator-state.js";
export * from "./testing/github-fixture-replay.js";
export * from "./testing/github-openapi-validator.js";
