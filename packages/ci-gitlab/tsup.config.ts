import { packageBuild } from "../../tsup.package.js";

export default packageBuild({
  // `testing` ships the GitLab emulator, for benches and for users' own tests.
  entry: { index: "src/index.ts", testing: "src/testing.ts" },
});
