import { packageBuild } from "../../tsup.package.js";

export default packageBuild({
  // `testing` ships the local Datadog emulator (used by the benchmark and by users' tests).
  entry: { index: "src/index.ts", testing: "src/testing.ts" },
});
