import { KubeConfig } from "@kubernetes/client-node";
import { sharedPerFile } from "@shipgate/core/testing";
import { afterEach, expect } from "vitest";
import { type KubeClients, makeKubeClients } from "../kube-clients.js";
import type { ControllerSimOptions } from "./kube-controller-sim.js";
import { type KubeEmulator, type KubeObject, startKubeEmulator } from "./kube-emulator.js";

/*
 * Test-only helpers: an emulator, a kubeconfig pointing at it, clients with short
 * timeouts, and valid fixture objects.
 */

/** The namespace the fixtures live in. */
export const TEST_NAMESPACE = "shop-prod";

/** A running emulator with a kubeconfig and clients for it. */
export interface TestCluster {
  emulator: KubeEmulator;
  kubeConfig: KubeConfig;
  clients: KubeClients;
  /** Clears the faults injected so far. */
  reset(): void;
  close(): Promise<void>;
}

/** Starts an emulator and builds clients with test-sized timeouts and retries. */
export async function startTestCluster(
  controller?: ControllerSimOptions | false,
): Promise<TestCluster> {
  const emulator = await startKubeEmulator({ controller: controller ?? {} });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(emulator.kubeconfigYaml(TEST_NAMESPACE));
  const clients = makeKubeClients(kubeConfig, "emulator", TEST_NAMESPACE, {
    requestTimeoutMs: 2_000,
    maxRetries: 2,
    retryBaseMs: 5,
    maxRetryAfterMs: 50,
  })._unsafeUnwrap();
  return {
    emulator,
    kubeConfig,
    clients,
    reset: () => emulator.clearFaults(),
    close: () => emulator.close(),
  };
}

/** Options of {@link sharedTestCluster}. */
export interface SharedTestClusterOptions {
  /** The controller simulation, or `false` for none (the test moves objects itself). */
  controller?: ControllerSimOptions | false;
  /** Rollouts to create at the start ({@link rolloutFixture}'s options). */
  rollouts?: Parameters<typeof rolloutFixture>[0][];
  /** Creates what else every test of the file starts from, once, after the start. */
  seed?: (cluster: TestCluster) => unknown;
  /** Fails a test whose requests the emulator found off the API's contract (default true). */
  expectNoViolations?: boolean;
}

/**
 * One test cluster for the whole test file (or `describe` block): started (and seeded)
 * before the first test, its faults cleared before each, closed after the last; with
 * `expectNoViolations`, every test also asserts that it sent nothing off-contract.
 *
 * @example
 * ```ts
 * const c = sharedTestCluster({ controller: false, rollouts: [{ name: "shop", image: "r.io/shop:v1" }] });
 * it("…", async () => { c.emulator.fail({ path: /rollouts/, status: 503 }); … });
 * ```
 */
export function sharedTestCluster(options: SharedTestClusterOptions = {}): TestCluster {
  const cluster = sharedPerFile(async () => {
    const started = await startTestCluster(options.controller);
    for (const rollout of options.rollouts ?? [])
      started.emulator.apply("rollouts", rolloutFixture(rollout));
    await options.seed?.(started);
    return started;
  });
  if (options.expectNoViolations ?? true)
    afterEach(() => {
      expect(cluster.emulator.violations).toEqual([]);
    });
  return cluster;
}

/** A Rollout as a team would declare it (their own steps; shipgate replaces them). */
export function rolloutFixture(options: {
  name: string;
  image: string;
  replicas?: number;
  trafficRouting?: boolean;
  containers?: string[];
}): KubeObject {
  const containers = (options.containers ?? [options.name]).map((name, i) => ({
    name,
    image: i === 0 ? options.image : "registry.example.com/acme/sidecar:1.0.0",
    ports: i === 0 ? [{ containerPort: 8080, name: "http", protocol: "TCP" }] : undefined,
    resources: { requests: { cpu: "100m", memory: "128Mi" } },
  }));
  return appWorkload(
    "argoproj.io/v1alpha1",
    "Rollout",
    options.name,
    JSON.parse(JSON.stringify(containers)),
    {
      replicas: options.replicas ?? 20,
      revisionHistoryLimit: 3,
      strategy: {
        canary: {
          ...(options.trafficRouting
            ? {
                canaryService: `${options.name}-canary`,
                stableService: `${options.name}-stable`,
                trafficRouting: { nginx: { stableIngress: options.name } },
              }
            : {}),
          steps: [{ setWeight: 20 }, { pause: { duration: "1h" } }],
        },
      },
    },
  );
}

/**
 * A workload of the app `name` in the test namespace: labelled `app: name`, selecting its
 * pods by that label, with `containers` in its pod template; `spec` adds the rest.
 */
function appWorkload(
  apiVersion: string,
  kind: string,
  name: string,
  containers: unknown[],
  spec: Record<string, unknown>,
): KubeObject {
  return {
    apiVersion,
    kind,
    metadata: { name, namespace: TEST_NAMESPACE, labels: { app: name } },
    spec: {
      ...spec,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers } },
    },
  };
}

/** A plain Deployment serving a service. */
export function deploymentFixture(options: {
  name: string;
  image: string;
  replicas?: number;
}): KubeObject {
  const container = {
    name: options.name,
    image: options.image,
    ports: [{ containerPort: 8080, name: "http", protocol: "TCP" }],
  };
  return appWorkload("apps/v1", "Deployment", options.name, [container], {
    replicas: options.replicas ?? 4,
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
  });
}

/** Resolves once `check` holds for an object in the emulator (test polling on the store, not the API). */
export async function eventually(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}
