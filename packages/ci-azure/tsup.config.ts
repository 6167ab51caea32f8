import { defineConfig } from "tsup";

export default defineConfig({
  // `testing` ships the Azure DevOps emulator, for benches and for users' own tests.
  entry: { index: "src/index.ts", testing: "src/testing.ts" },
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
});
