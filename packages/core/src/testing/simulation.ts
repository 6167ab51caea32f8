// The simulation half of the testing kit: fakes, simulators, the virtual clock and the
// scenario runner. It does not load vitest, so tools (the CLI's demo and simulate) can use
// it at run time; `@shipgate/core/testing` adds the conformance suites on top.
export * from "./fakes/index.js";
export * from "./run-scenario.js";
export * from "./scenario.js";
export * from "./traffic/index.js";
export * from "./virtual-clock.js";
