import { packageBuild } from "../../tsup.package.js";

export default packageBuild({
  // `testing` holds the GitHub emulator, for this package's tests and benchmark and for
  // users testing their own code against an emulated GitHub.
  entry: ["src/index.ts", "src/testing.ts"],
  // The emulator's contract checks load these at run time; never bundle them.
  external: [
    "graphql",
    "@octokit/graphql-schema",
    "@octokit/openapi",
    "@octokit/fixtures",
    "ajv",
    "ajv-formats",
  ],
});
