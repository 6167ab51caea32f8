export * from "./testing/gitlab-emulator.js";
export * from "./testing/gitlab-test-scenario.js";
