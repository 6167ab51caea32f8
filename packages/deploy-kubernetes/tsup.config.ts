import { packageBuild } from "../../tsup.package.js";

export default packageBuild({
  // `testing` holds the Kubernetes emulator (with its controller simulation), for this
  // package's tests, for @shipgate/deploy-helm's, and for users testing against it.
  entry: ["src/index.ts", "src/testing/index.ts"],
  // The emulator's schema checks load these at run time; never bundle them.
  external: ["ajv", "yaml"],
});
