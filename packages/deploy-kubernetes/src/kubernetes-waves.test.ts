import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createReleaseOrchestrator,
  type EnvironmentStack,
  instantiateProvider,
  type ReleaseEvent,
  type ReleaseStack,
  type SloSource,
} from "@shipgate/core";
import { buildScenarioStack, scenarioSchema } from "@shipgate/core/testing";
import { okAsync } from "neverthrow";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { leaseNameFor } from "./kubernetes-lease-lock.js";
import { shipgateProvider } from "./kubernetes-provider.js";
import {
  deploymentFixture,
  eventually,
  rolloutFixture,
  startTestCluster,
  TEST_NAMESPACE,
  type TestCluster,
} from "./testing/kube-test-cluster.js";

/*
 * One release across two clusters: two emulators, one kubeconfig with a context for each,
 * each environment's deployer and Lease lock built by `@shipgate/deploy-kubernetes` from
 * its own context.
 */

const IMAGE = "registry.example.com/acme/shop";
const CONTEXTS = { "prod-us": "us-east-1", "prod-eu": "eu-west-1" } as const;
type Environment = keyof typeof CONTEXTS;

/** Canary and stable as a metrics back end would count them: `canaryErrorRate` on canary. */
function fixedSlo(canaryErrorRate: number): SloSource {
  return {
    name: "fixed",
    measure(query) {
      const rate = query.track === "canary" ? canaryErrorRate : 0.002;
      return okAsync({
        errorRate: { kind: "value", value: rate },
        p95LatencyMs: { kind: "value", value: 120 },
        sampleCount: 2000,
        requestCount: 2000,
        errorCount: Math.round(rate * 2000),
      });
    },
  };
}

describe("a release with waves across two Kubernetes contexts", () => {
  const clusters = {} as Record<Environment, TestCluster>;
  let cwd: string;

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), "shipgate-waves-k8s-"));
    for (const env of Object.keys(CONTEXTS) as Environment[])
      clusters[env] = await startTestCluster();
    // One kubeconfig, one context per cluster, as an operator's would be.
    const entries = (Object.entries(CONTEXTS) as [Environment, string][]).map(([env, context]) => ({
      env,
      context,
      emulator: clusters[env].emulator,
    }));
    writeFileSync(
      join(cwd, "kubeconfig.yaml"),
      stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: entries.map((e) => ({
          name: e.context,
          cluster: { server: e.emulator.url, "insecure-skip-tls-verify": true },
        })),
        users: entries.map((e) => ({
          name: `shipgate-${e.context}`,
          user: { token: e.emulator.token },
        })),
        contexts: entries.map((e) => ({
          name: e.context,
          context: { cluster: e.context, user: `shipgate-${e.context}`, namespace: TEST_NAMESPACE },
        })),
        "current-context": entries[0]!.context,
      }),
    );
  });
  afterAll(async () => {
    for (const c of Object.values(clusters)) await c.close();
  });
  afterEach(() => {
    for (const c of Object.values(clusters)) {
      expect(c.emulator.violations).toEqual([]);
      expect(c.emulator.unsupported).toEqual([]);
    }
  });

  async function freshRollouts(service: string, stable: string) {
    for (const c of Object.values(clusters)) {
      c.emulator.apply("rollouts", rolloutFixture({ name: service, image: `${IMAGE}:${stable}` }));
      await eventually(
        () => c.emulator.get("rollouts", TEST_NAMESPACE, service)?.status?.phase === "Healthy",
      );
    }
  }

  async function freshDeployments(service: string, stable: string) {
    for (const c of Object.values(clusters)) {
      c.emulator.apply(
        "deployments",
        deploymentFixture({ name: service, image: `${IMAGE}:${stable}`, replicas: 4 }),
      );
      await eventually(() => {
        const d = c.emulator.get("deployments", TEST_NAMESPACE, service);
        return (d?.status as { availableReplicas?: number } | undefined)?.availableReplicas === 4;
      });
    }
  }

  const imageIn = (env: Environment, service: string, plural = "rollouts") => {
    const rollout = clusters[env].emulator.get(plural, TEST_NAMESPACE, service);
    const spec = rollout?.spec as
      | { template: { spec: { containers: { image: string }[] } } }
      | undefined;
    return spec?.template.spec.containers[0]?.image ?? null;
  };

  function wavesStack(
    service: string,
    version: string,
    breachIn: Environment | null,
    kind: "rollout" | "deployment" = "rollout",
  ) {
    const scenario = scenarioSchema.parse({
      release: {
        environment: "production",
        service,
        version,
        sha: "3f2a9c1d4b5e6f708192a3b4c5d6e7f809a1b2c3",
        previous_release_tag: "v1.3.2",
        slo: { error_rate_max: 0.01, p95_latency_ms: 300, window_minutes: 5 },
        waves: [["prod-us"], ["prod-eu"]],
        bake_minutes: 15,
      },
      repository: { tags: { "v1.3.2": "1".repeat(40) } },
      ci: { checks: [{ name: "unit", conclusion: "success" }] },
    });
    const base = buildScenarioStack(scenario);
    const environments: Record<string, EnvironmentStack> = {};
    for (const [env, context] of Object.entries(CONTEXTS) as [Environment, string][]) {
      const parts = instantiateProvider(
        shipgateProvider,
        {
          context,
          namespace: TEST_NAMESPACE,
          image_repository: IMAGE,
          kind,
          kubeconfig: "kubeconfig.yaml",
          timeouts: { step_seconds: 20 },
        },
        { env: {}, cwd },
      )._unsafeUnwrap();
      environments[env] = {
        deployer: parts.deployer!,
        slo: fixedSlo(env === breachIn ? 0.05 : 0.002),
        lock: parts.lock!,
      };
    }
    return { scenario, stack: { ...base.stack, environments } as ReleaseStack };
  }

  const leaseHolder = (env: Environment, service: string) =>
    (
      clusters[env].emulator.get("leases", TEST_NAMESPACE, leaseNameFor(service))?.spec as
        | { holderIdentity?: string }
        | undefined
    )?.holderIdentity ?? null;

  it("promotes the new version in both clusters, one wave after the other, holding a Lease in each", async () => {
    await freshRollouts("shop", "v1.3.2");
    const { scenario, stack } = wavesStack("shop", "v1.4.0", null);
    const holdersAtWave: (string | null)[][] = [];
    const events: ReleaseEvent[] = [];
    const outcome = await createReleaseOrchestrator(stack).release(scenario.release, {
      onEvent: (e) => {
        events.push(e);
        if (e.type === "wave.started")
          holdersAtWave.push([leaseHolder("prod-us", "shop"), leaseHolder("prod-eu", "shop")]);
      },
    });
    expect(outcome.warnings).toEqual([]);
    expect(outcome).toMatchObject({ status: "SUCCESS", exitCode: 0, maxWeightReached: 100 });
    expect(imageIn("prod-us", "shop")).toBe(`${IMAGE}:v1.4.0`);
    expect(imageIn("prod-eu", "shop")).toBe(`${IMAGE}:v1.4.0`);
    // Both Leases were held by this release through both waves, and given back at the end.
    expect(holdersAtWave).toHaveLength(2);
    for (const holders of holdersAtWave) {
      expect(holders[0]).toMatch(/^simulator-1-/);
      expect(holders[1]).toBe(holders[0]);
    }
    expect(leaseHolder("prod-us", "shop")).toBeNull();
    expect(leaseHolder("prod-eu", "shop")).toBeNull();
    // prod-eu's canary started only after prod-us promoted and the bake elapsed.
    const usPromoted = events.findIndex(
      (e) => e.type === "promote.done" && e.environment === "prod-us",
    );
    const euStarted = events.findIndex(
      (e) => e.type === "canary.step.started" && e.environment === "prod-eu",
    );
    expect(usPromoted).toBeGreaterThan(-1);
    expect(euStarted).toBeGreaterThan(usPromoted);
    expect(events.some((e) => e.type === "wave.baking")).toBe(true);
  });

  it("a breach in prod-eu (wave 2) rolls both clusters back to the stable version, each verified", async () => {
    await freshRollouts("cart", "v1.3.2");
    const { scenario, stack } = wavesStack("cart", "v1.4.1", "prod-eu");
    const events: ReleaseEvent[] = [];
    const outcome = await createReleaseOrchestrator(stack).release(scenario.release, {
      onEvent: (e) => events.push(e),
    });
    expect(outcome).toMatchObject({
      status: "ABORTED",
      reason: "slo_breach",
      exitCode: 3,
      rolledBack: true,
      rollbackVerified: true,
    });
    expect(
      events.flatMap((e) =>
        e.type === "rollback.finished" ? [`${e.environment}:${e.verified}`] : [],
      ),
    ).toEqual(["prod-eu:true", "prod-us:true"]);
    expect(imageIn("prod-us", "cart")).toBe(`${IMAGE}:v1.3.2`);
    expect(imageIn("prod-eu", "cart")).toBe(`${IMAGE}:v1.3.2`);
    expect(outcome.environments?.map((e) => `${e.name}:${e.state}`)).toEqual([
      "prod-us:rolled_back",
      "prod-eu:breached",
    ]);
    expect(leaseHolder("prod-us", "cart")).toBeNull();
    expect(leaseHolder("prod-eu", "cart")).toBeNull();
  });

  it("in Deployment mode too: a breach in prod-eu puts back the image prod-us ran before its promotion, verified", async () => {
    await freshDeployments("till", "v1.3.2");
    const { scenario, stack } = wavesStack("till", "v1.4.2", "prod-eu", "deployment");
    const events: ReleaseEvent[] = [];
    const outcome = await createReleaseOrchestrator(stack).release(scenario.release, {
      onEvent: (e) => events.push(e),
    });
    expect(outcome).toMatchObject({ status: "ABORTED", rolledBack: true, rollbackVerified: true });
    expect(
      events.flatMap((e) =>
        e.type === "rollback.finished" ? [`${e.environment}:${e.verified}`] : [],
      ),
    ).toEqual(["prod-eu:true", "prod-us:true"]);
    expect(imageIn("prod-us", "till", "deployments")).toBe(`${IMAGE}:v1.3.2`);
    expect(imageIn("prod-eu", "till", "deployments")).toBe(`${IMAGE}:v1.3.2`);
  });
});
