export * from "./commit-graph.js";
export * from "./documented-fields.js";
export * from "./emulator-server.js";
export * from "./injected-fault.js";
export * from "./metric-points.js";
export * from "./pagination.js";
export * from "./request-log.js";
export * from "./route-table.js";
