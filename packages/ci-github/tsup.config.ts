import { defineConfig } from "tsup";

export default defineConfig({
  // `testing` holds the GitHub emulator, for this package's tests and benchmark and for
  // users testing their own code against an emulated GitHub.
  entry: ["src/index.ts", "src/testing.ts"],
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
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
