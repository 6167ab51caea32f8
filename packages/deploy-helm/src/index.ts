export * from "./canary-mode.js";
export * from "./helm-deployer.js";
export * from "./helm-provider.js";
export * from "./helm-release.js";
export * from "./helm-settings.js";
export * from "./previous-revision.js";
export * from "./run-helm.js";
