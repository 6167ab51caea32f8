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

const chart = fileURLToPath(new URL("./__fixtures__/charts/shop-values-canary", import.meta.url));
const target = (service: string, version: string) =>
  testDeployTarget(service, version, { canarySteps: [5, 25, 100] });
const unavailable = helmTestsUnavailable();

/** The values-switch deployer against a test cluster. */
export function valuesDeployer(c: HelmTestCluster): HelmDeployer {
  return createHelmDeployer(helmTestDeployerOptions(c, chart));
}

/** `helm history -o json` of a release, parsed. */
async function historyOf(c: HelmTestCluster, release: string) {
  return JSON.parse(await c.helm("history", release, "-o", "json")) as {
    revision: number;
    status: string;
    chart: string;
    app_version: string;
    description: string;
  }[];
}

describeNeeding("deploy-helm with the real helm, values canary", unavailable, () => {
  describeDeployerConformance("Helm chart with a canary values switch", async () => {
    const c = await startHelmTestCluster();
    await c.helm("upgrade", "--install", "shop", chart, "--wait", "--timeout", "30s");
    return {
      deployer: valuesDeployer(c),
      ...conformanceTargets(target),
      cleanup: () => closeCheckingEmulator(c),
    };
  });

  describe("a release and a rollback, read back with helm history", () => {
    let c: HelmTestCluster;
    let d: HelmDeployer;
    beforeAll(async () => {
      c = await startHelmTestCluster();
      await c.helm("upgrade", "--install", "cart", chart, "--wait", "--timeout", "30s");
      d = valuesDeployer(c);
    });
    afterAll(async () => {
      await c.close();
    });

    it("leaves the new revision on top after a full release", async () => {
      const t = target("cart", "v2.0.0");
      for (const step of [
        () => d.start(t, live()),
        () => d.setWeight(t, 5, live()),
        () => d.setWeight(t, 25, live()),
        () => d.setWeight(t, 100, live()),
        () => d.promote(t, live()),
      ]) {
        const r = await step();
        if (r.isErr()) throw new Error(r.error.describe());
      }
      const history = await historyOf(c, "cart");
      expect(history.map((h) => h.revision)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(history.at(-1)).toMatchObject({
        status: "deployed",
        chart: "shop-values-canary-0.1.0",
      });
      const values = JSON.parse(await c.helm("get", "values", "cart", "-o", "json"));
      expect(values).toMatchObject({
        image: { tag: "v2.0.0" },
        canary: { enabled: false, weight: 0 },
      });
      expect(c.emulator.get("deployments", HELM_TEST_NAMESPACE, "cart-canary")).toBeUndefined();
      const stable = c.emulator.get("deployments", HELM_TEST_NAMESPACE, "cart")!;
      expect(stable.spec?.replicas).toBe(20);
      expect(c.emulator.unsupported).toEqual([]);
      expect(c.emulator.violations).toEqual([]);
    });

    it("after a breach, leaves a rollback revision on top with the previous revision's chart and values", async () => {
      const t = target("cart", "v2.1.0");
      (await d.start(t, live()))._unsafeUnwrap();
      (await d.setWeight(t, 5, live()))._unsafeUnwrap();
      const canary = c.emulator.get("deployments", HELM_TEST_NAMESPACE, "cart-canary")!;
      expect(canary.spec?.replicas).toBe(1);
      (await d.abort(t, live()))._unsafeUnwrap();
      (await d.rollback(t, live()))._unsafeUnwrap();
      const history = await historyOf(c, "cart");
      const top = history.at(-1)!;
      expect(top).toMatchObject({ status: "deployed", description: "Rollback to 6" });
      const previous = history.find((h) => h.revision === 6)!;
      expect([top.chart, top.app_version]).toEqual([previous.chart, previous.app_version]);
      const topValues = await c.helm(
        "get",
        "values",
        "cart",
        "--revision",
        String(top.revision),
        "-o",
        "json",
      );
      const previousValues = await c.helm("get", "values", "cart", "--revision", "6", "-o", "json");
      expect(JSON.parse(topValues)).toEqual(JSON.parse(previousValues));
      const verified = (await d.verifyStable(t, live()))._unsafeUnwrap();
      expect(verified).toMatchObject({ serving: true, stableVersion: "v2.0.0" });
      expect(verified.message).toContain("rolled back to revision 6");
      expect(verified.message).toMatch(/helm history: .*Rollback to 6/);
      // What the report's deploy section lists.
      const rows = (await d.history!(t, live()))._unsafeUnwrap();
      expect(rows.at(-1)).toEqual({
        id: String(top.revision),
        status: "deployed",
        detail: "shop-values-canary-0.1.0, app 1.0: Rollback to 6",
      });
      expect(rows.map((r) => r.id)).toEqual(history.map((h) => String(h.revision)));
      expect(c.emulator.unsupported).toEqual([]);
      expect(c.emulator.violations).toEqual([]);
    });
  });
});
