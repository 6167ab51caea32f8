import { defineConfig } from "tsup";

export default defineConfig({
  // `testing` ships the local CloudWatch emulator (used by the benchmark and by users' tests).
  entry: { index: "src/index.ts", testing: "src/testing.ts" },
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
});
