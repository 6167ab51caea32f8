import { defineConfig, type Options } from "tsup";

/**
 * The build every adapter package shares: ESM for Node 20 with type declarations and
 * source maps, the output folder cleaned first. A package passes its entries and anything
 * it builds differently (externals).
 *
 * @example
 * ```ts
 * export default packageBuild({ entry: ["src/index.ts", "src/testing.ts"] });
 * ```
 */
export function packageBuild(options: Options) {
  return defineConfig({
    format: ["esm"],
    dts: true,
    clean: true,
    sourcemap: true,
    target: "node20",
    ...options,
  });
}
