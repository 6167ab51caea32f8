import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  type ControllerSimOptions,
  findOnPath,
  type KubeEmulator,
  selfSignedLocalCertificate,
  startKubeEmulator,
} from "@shipgate/deploy-kubernetes/testing";
import { bundledHelm } from "./helm-binary.js";

/*
 * Test-only: the Kubernetes emulator over TLS (client-go sends a bearer token only over
 * https), a kubeconfig whose *current* context points nowhere (so a command that forgets
 * `--kube-context` fails instead of reaching the emulator by accident), helm's own
 * directories in a temp folder, and the real helm binary.
 */

const run = promisify(execFile);

/** The namespace the test releases live in. */
export const HELM_TEST_NAMESPACE = "shop-prod";
/** The kube context naming the emulator. */
export const HELM_TEST_CONTEXT = "emulator";

/** A running emulator, a kubeconfig for it and an environment for helm. */
export interface HelmTestCluster {
  emulator: KubeEmulator;
  helmBinary: string;
  kubeconfigPath: string;
  /** Environment for helm: its cache/config/data homes in a temp folder. */
  env: Record<string, string>;
  dir: string;
  /** Runs helm with `--kube-context`/`--kubeconfig`/`-n` for the emulator; stdout. */
  helm(...args: string[]): Promise<string>;
  close(): Promise<void>;
}

/** What stops the helm tests from running here, or `null` when they can. */
export function helmTestsUnavailable(): string | null {
  const helm = bundledHelm();
  if ("missing" in helm) return helm.missing;
  if (!findOnPath("openssl"))
    return "openssl is not installed (needed for the emulator's TLS certificate)";
  return null;
}

/** Starts the emulator with TLS and prepares helm to talk to it. */
export async function startHelmTestCluster(
  controller: ControllerSimOptions = {},
): Promise<HelmTestCluster> {
  const helm = bundledHelm();
  if ("missing" in helm) throw new Error(helm.missing);
  const openssl = findOnPath("openssl");
  if (!openssl) throw new Error("openssl is not installed");
  const dir = mkdtempSync(join(tmpdir(), "shipgate-helm-"));
  const emulator = await startKubeEmulator({
    controller,
    tls: await selfSignedLocalCertificate(openssl, dir),
  });
  const kubeconfigPath = join(dir, "kubeconfig");
  // The current context is a dead end: only an explicit --kube-context reaches the emulator.
  const yaml = emulator
    .kubeconfigYaml(HELM_TEST_NAMESPACE)
    .replace("current-context: emulator", "current-context: elsewhere")
    .replace(
      "contexts:\n",
      "contexts:\n- name: elsewhere\n  context:\n    cluster: elsewhere\n    user: shipgate\n",
    )
    .replace(
      "clusters:\n",
      "clusters:\n- name: elsewhere\n  cluster:\n    server: https://127.0.0.1:9\n",
    );
  writeFileSync(kubeconfigPath, yaml, { mode: 0o600 });
  const env = {
    HELM_CACHE_HOME: join(dir, "helm-cache"),
    HELM_CONFIG_HOME: join(dir, "helm-config"),
    HELM_DATA_HOME: join(dir, "helm-data"),
    HOME: dir,
  };
  return {
    emulator,
    helmBinary: helm.path,
    kubeconfigPath,
    env,
    dir,
    async helm(...args: string[]) {
      const { stdout } = await run(
        helm.path,
        [
          ...args,
          "--kube-context",
          HELM_TEST_CONTEXT,
          "--kubeconfig",
          kubeconfigPath,
          "-n",
          HELM_TEST_NAMESPACE,
        ],
        { env: { ...process.env, ...env }, timeout: 60_000 },
      );
      return stdout;
    },
    async close() {
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Closes `c`, then fails when its emulator saw schema violations or requests it does not support. */
export async function closeCheckingEmulator(c: HelmTestCluster): Promise<void> {
  const problems = [...c.emulator.violations, ...c.emulator.unsupported];
  await c.close();
  if (problems.length) throw new Error(`emulator: ${problems.join("\n")}`);
}
