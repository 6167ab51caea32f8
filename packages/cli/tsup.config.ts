import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", bin: "src/bin.ts" },
  format: ["esm"],
  dts: { entry: { index: "src/index.ts" } },
  clean: true,
  sourcemap: true,
  target: "node20",
  // The executable's first line; harmless in the library files (a hashbang is valid JS).
  banner: { js: "#!/usr/bin/env node" },
});
