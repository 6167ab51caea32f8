import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    "testing/index": "src/testing/index.ts",
    "testing/simulation": "src/testing/simulation.ts",
    // The emulator kit alone, without vitest: adapters' emulators run in benches and tools.
    "testing/emulator/index": "src/testing/emulator/index.ts",
  },
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  external: ["vitest"],
});
