import { fileURLToPath } from "node:url";
import { describeDeployerConformance, describeNeeding } from "@shipgate/core/testing";
import {
  conformanceTargets,
  liveCall as live,
  testDeployTarget,
} from "@shipgate/deploy-kubernetes/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHelmDeployer, type HelmDeployer } from "./helm-deployer.js";
import {
  closeCheckingEmulator,
  HELM_TEST_NAMESPACE,
  type HelmTestCluster,
  helmTestsUnavailable,
  startHelmTestCluster,
} from "./testing/helm-test-cluster.js";
import { helmTestDeployerOptions } from "./testing/helm-test-deployer.js";

const chart = fileURLToPath(new URL("./__fixtures__/charts/shop-rollout", import.meta.url));
const target = (service: string, version: string) =>
  testDeployTarget(service, version, { canarySteps: [5, 25, 100] });
const unavailable = helmTestsUnavailable();

function rolloutDeployer(c: HelmTestCluster): HelmDeployer {
  return createHelmDeployer(
    helmTestDeployerOptions(c, chart, {
      mode: { kind: "rollout", rolloutName: "{{release}}", canarySteps: [5, 25, 100] },
    }),
  );
}

async function installed(c: HelmTestCluster, release: string, trafficRouting: boolean) {
  await c.helm(
    "upgrade",
    "--install",
    release,
    chart,
    "--set",
    `trafficRouting=${trafficRouting}`,
    "--wait",
    "--timeout",
    "30s",
  );
  const until = Date.now() + 5_000;
  while (c.emulator.get("rollouts", HELM_TEST_NAMESPACE, release)?.status?.phase !== "Healthy") {
    if (Date.now() > until) throw new Error(`Rollout ${release} never became Healthy`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describeNeeding("deploy-helm with the real helm, Argo Rollout chart", unavailable, () => {
  for (const trafficRouting of [false, true]) {
    describeDeployerConformance(
      `Helm chart rendering an Argo Rollout (${trafficRouting ? "trafficRouting" : "replica weights"})`,
      async () => {
        const c = await startHelmTestCluster();
        await installed(c, "shop", trafficRouting);
        return {
          deployer: rolloutDeployer(c),
          ...conformanceTargets(target),
          cleanup: () => closeCheckingEmulator(c),
        };
      },
    );
  }

  describe("weights driven on the Rollout, revisions in helm history", () => {
    let c: HelmTestCluster;
    let d: HelmDeployer;
    beforeAll(async () => {
      c = await startHelmTestCluster();
      await installed(c, "cart", true);
      d = rolloutDeployer(c);
    });
    afterAll(async () => {
      await c.close();
    });

    it("runs shipgate's steps on the Rollout, records one revision for the version, and rolls back with helm", async () => {
      const t = target("cart", "v2.0.0");
      (await d.start(t, live()))._unsafeUnwrap();
      const rollout = c.emulator.get("rollouts", HELM_TEST_NAMESPACE, "cart")!;
      const canary = (rollout.spec as { strategy: { canary: { steps: unknown[] } } }).strategy
        .canary;
      // helm's patch of the custom resource left shipgate's steps in place.
      expect(canary.steps[0]).toEqual({ pause: {} });
      expect(canary.steps).toContainEqual({ setWeight: 5 });
      const helmPatches = c.emulator.requests.filter(
        (r) => r.method === "PATCH" && r.path.endsWith("/rollouts/cart") && r.query.fieldManager,
      );
      // helm patches a custom resource with a two-way merge of its old and new manifests.
      expect(helmPatches).toHaveLength(1);
      expect(helmPatches[0]!.contentType).toBe("application/merge-patch+json");
      const patchSpec = (helmPatches[0]!.body as { spec: Record<string, unknown> }).spec;
      expect(Object.keys(patchSpec)).toEqual(["template"]);
      (await d.setWeight(t, 25, live()))._unsafeUnwrap();
      expect((await d.status(t, live()))._unsafeUnwrap()).toMatchObject({
        canaryWeight: 25,
        canaryVersion: "v2.0.0",
        stableVersion: "v1.3.2",
      });
      let history = JSON.parse(await c.helm("history", "cart", "-o", "json")) as {
        revision: number;
        status: string;
        description: string;
      }[];
      expect(history.map((h) => [h.revision, h.status])).toEqual([
        [1, "superseded"],
        [2, "deployed"],
      ]);
      (await d.abort(t, live()))._unsafeUnwrap();
      (await d.rollback(t, live()))._unsafeUnwrap();
      history = JSON.parse(await c.helm("history", "cart", "-o", "json"));
      expect(history.at(-1)).toMatchObject({
        revision: 3,
        status: "deployed",
        description: "Rollback to 1",
      });
      const verified = (await d.verifyStable(t, live()))._unsafeUnwrap();
      expect(verified).toMatchObject({ serving: true, stableVersion: "v1.3.2" });
      const image = (
        c.emulator.get("rollouts", HELM_TEST_NAMESPACE, "cart")!.spec as {
          template: { spec: { containers: { image: string }[] } };
        }
      ).template.spec.containers[0]!.image;
      expect(image).toBe("registry.example.com/acme/shop:v1.3.2");
      expect(c.emulator.unsupported).toEqual([]);
      expect(c.emulator.violations).toEqual([]);
    });
  });
});
