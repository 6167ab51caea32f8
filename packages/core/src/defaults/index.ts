export * from "./conventional-commit.js";
export * from "./file-incident-sink.js";
export * from "./file-release-lock.js";
export * from "./fs-artifact-store.js";
export * from "./git-source-control.js";
export * from "./landed-change-message.js";
export * from "./markdown-changelog-renderer.js";
export * from "./relative-artifact-path.js";
