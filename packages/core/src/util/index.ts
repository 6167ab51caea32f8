export * from "./error-rate-reading.js";
export * from "./http-transport-options.js";
export * from "./pause.js";
export * from "./retry-after.js";
export * from "./template-placeholders.js";
export * from "./until-aborted.js";
export * from "./vendor-answer.js";
