export * from "./gitlab-emulator.js";
export * from "./gitlab-test-scenario.js";
