export * from "./retry-after.js";
export * from "./until-aborted.js";
