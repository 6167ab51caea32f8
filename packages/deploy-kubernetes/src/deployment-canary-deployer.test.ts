import { describeDeployerConformance } from "@shipgate/core/testing";
import { describe, expect, it } from "vitest";
import {
  CANARY_ABORTED_ANNOTATION,
  createDeploymentCanaryDeployer,
  PREVIOUS_IMAGE_ANNOTATION,
  STABLE_REPLICAS_ANNOTATION,
  TRACK_LABEL,
} from "./deployment-canary-deployer.js";
import {
  conformanceTargets,
  expectServingStable,
  liveCall as live,
  unwrapOk as ok,
  testDeployTarget as target,
} from "./testing/deploy-test-support.js";
import type { KubeObject } from "./testing/kube-emulator.js";
import {
  deploymentFixture,
  eventually,
  sharedTestCluster,
  startTestCluster,
  TEST_NAMESPACE,
  type TestCluster,
} from "./testing/kube-test-cluster.js";

const TEMPLATE = "registry.example.com/acme/{{service}}:{{version}}";

async function seed(c: TestCluster, name: string, replicas = 20) {
  c.emulator.apply(
    "deployments",
    deploymentFixture({ name, image: `registry.example.com/acme/${name}:v1.3.2`, replicas }),
  );
  await eventually(() => {
    const d = c.emulator.get("deployments", TEST_NAMESPACE, name);
    return (
      (d?.status as { availableReplicas?: number } | undefined)?.availableReplicas === replicas
    );
  });
}

const deployer = (c: TestCluster, stepTimeoutMs = 3_000) =>
  createDeploymentCanaryDeployer({
    clients: c.clients,
    nameTemplate: "{{service}}",
    image: { template: TEMPLATE },
    stepTimeoutMs,
  });

describeDeployerConformance("Deployment canary", async () => {
  const c = await startTestCluster();
  await seed(c, "shop");
  return {
    deployer: deployer(c),
    ...conformanceTargets(),
    cleanup: async () => {
      await c.close();
      if (c.emulator.violations.length)
        throw new Error(`API validation failures: ${c.emulator.violations.join("\n")}`);
    },
  };
});

describe("Deployment canary deployer", () => {
  const c = sharedTestCluster({
    controller: { brokenImage: /broken/, progressDeadlineMs: 300 },
    seed: (c) => seed(c, "web"),
  });
  const replicasOf = (name: string) =>
    c.emulator.get("deployments", TEST_NAMESPACE, name)?.spec?.replicas;
  const writes = () =>
    c.emulator.requests
      .filter((r) => r.method !== "GET")
      .map((r) => ({
        method: r.method,
        path: r.path.replace(/.*\/deployments\/?/, ""),
        body: r.body as Record<string, unknown>,
      }));

  it("starts a canary Deployment beside the stable one, then weighs by replica share", async () => {
    const d = deployer(c);
    const t = target("web", "v1.4.0");
    c.emulator.requests.length = 0;
    ok(await d.start(t, live()));
    const [record, create] = writes();
    expect(record).toEqual({
      method: "PATCH",
      path: "web",
      body: { metadata: { annotations: { [STABLE_REPLICAS_ANNOTATION]: "20" } } },
    });
    expect(create?.method).toBe("POST");
    const canary = c.emulator.get("deployments", TEST_NAMESPACE, "web-canary")!;
    const spec = canary.spec as {
      replicas: number;
      selector: { matchLabels: Record<string, string> };
      template: {
        metadata: { labels: Record<string, string> };
        spec: { containers: { image: string }[] };
      };
    };
    expect(spec.replicas).toBe(0);
    expect(spec.selector.matchLabels).toEqual({ app: "web", [TRACK_LABEL]: "canary" });
    expect(spec.template.metadata.labels).toEqual({ app: "web", [TRACK_LABEL]: "canary" });
    expect(spec.template.spec.containers[0]!.image).toBe("registry.example.com/acme/web:v1.4.0");
    expect((await d.status(t, live()))._unsafeUnwrap()).toMatchObject({
      phase: "paused",
      canaryWeight: 0,
      stableVersion: "v1.3.2",
      canaryVersion: "v1.4.0",
    });

    c.emulator.requests.length = 0;
    ok(await d.setWeight(t, 25, live()));
    // capacity first: the canary grows before the stable shrinks
    expect(writes().map((w) => [w.path, (w.body.spec as { replicas: number }).replicas])).toEqual([
      ["web-canary", 5],
      ["web", 15],
    ]);
    expect((await d.status(t, live()))._unsafeUnwrap()).toMatchObject({
      phase: "paused",
      canaryWeight: 25,
    });
    ok(await d.setWeight(t, 5, live()));
    expect([replicasOf("web-canary"), replicasOf("web")]).toEqual([1, 19]);
    expect((await d.status(t, live()))._unsafeUnwrap().canaryWeight).toBe(5);
  });

  it("promotes by updating the stable Deployment (compare-and-swap) and removing the canary", async () => {
    const d = deployer(c);
    const t = target("web", "v1.4.0");
    ok(await d.setWeight(t, 100, live()));
    expect([replicasOf("web-canary"), replicasOf("web")]).toEqual([20, 0]);
    c.emulator.fail({ method: "PATCH", path: /\/deployments\/web$/, status: 409, times: 1 }); // a concurrent edit wins once
    c.emulator.requests.length = 0;
    const promoted = await d.promote(t, live());
    expect(promoted.isErr() ? promoted.error.describe() : "ok").toBe("ok");
    const patches = writes().filter((w) => w.method === "PATCH" && w.path === "web");
    expect(patches).toHaveLength(2); // retried after the conflict, on a fresh read
    expect((patches[1]!.body.metadata as { resourceVersion?: string }).resourceVersion).toMatch(
      /^\d+$/,
    );
    expect(writes().at(-1)).toMatchObject({ method: "DELETE", path: "web-canary" });
    const stable = c.emulator.get("deployments", TEST_NAMESPACE, "web")!;
    expect(stable.spec?.replicas).toBe(20);
    expect(stable.metadata.annotations?.[STABLE_REPLICAS_ANNOTATION]).toBeUndefined();
    expect(c.emulator.get("deployments", TEST_NAMESPACE, "web-canary")).toBeUndefined();
    expect((await d.status(t, live()))._unsafeUnwrap()).toMatchObject({
      phase: "healthy",
      canaryWeight: 0,
      stableVersion: "v1.4.0",
      canaryVersion: null,
    });
    await expectServingStable(d, t, "v1.4.0");
  });

  it("aborts (canary to 0, stable back) and rolls back (canary removed, stable ready at its spec)", async () => {
    const d = deployer(c);
    const t = target("web", "v1.5.0");
    ok(await d.start(t, live()));
    ok(await d.setWeight(t, 25, live()));
    ok(await d.abort(t, live()));
    const canary = c.emulator.get("deployments", TEST_NAMESPACE, "web-canary")!;
    expect(canary.metadata.annotations?.[CANARY_ABORTED_ANNOTATION]).toBe("true");
    expect([replicasOf("web-canary"), replicasOf("web")]).toEqual([0, 20]);
    expect((await d.status(t, live()))._unsafeUnwrap()).toMatchObject({
      phase: "aborted",
      canaryWeight: 0,
    });
    expect((await d.verifyStable(t, live()))._unsafeUnwrap()).toMatchObject({
      serving: false,
      message: 'Canary Deployment "web-canary" still exists',
    });
    ok(await d.rollback(t, live()));
    await expectServingStable(d, t, "v1.4.0");
  });

  /** A Deployment of its own (4 replicas, v1.3.2) with a canary of `version` at 50%. */
  async function canaryAtHalf(service: string, version: string) {
    await seed(c, service, 4);
    const d = deployer(c);
    const t = target(service, version);
    ok(await d.start(t, live()));
    ok(await d.setWeight(t, 50, live()));
    return { d, t };
  }

  it("rolls back after promotion (a breach while stabilizing) by putting back the image the stable ran before", async () => {
    const { d, t } = await canaryAtHalf("api", "v2.0.0");
    const stableOf = () => c.emulator.get("deployments", TEST_NAMESPACE, "api")!;
    ok(await d.promote(t, live()));
    await expectServingStable(d, t, "v2.0.0");
    expect(stableOf().metadata.annotations?.[PREVIOUS_IMAGE_ANNOTATION]).toBe(
      "registry.example.com/acme/api:v1.3.2",
    );
    // A promote run again (a retried step) keeps the image from before the release.
    ok(await d.promote(t, live()));
    expect(stableOf().metadata.annotations?.[PREVIOUS_IMAGE_ANNOTATION]).toBe(
      "registry.example.com/acme/api:v1.3.2",
    );
    ok(await d.abort(t, live()));
    ok(await d.rollback(t, live()));
    await expectServingStable(d, t, "v1.3.2");
    expect(stableOf().spec?.replicas).toBe(4);
    expect(stableOf().metadata.annotations?.[PREVIOUS_IMAGE_ANNOTATION]).toBeUndefined();
    // Rolled back already: another rollback changes nothing.
    ok(await d.rollback(t, live()));
    await expectServingStable(d, t, "v1.3.2");
  });

  it("rolls back a promote cut short (stable on the new image, its canary still there)", async () => {
    const { d, t } = await canaryAtHalf("cart", "v2.1.0");
    // The canary's delete fails: promote stops after the stable took the new image.
    c.emulator.fail({
      method: "DELETE",
      path: /\/deployments\/cart-canary$/,
      status: 500,
      times: 3,
    });
    expect((await d.promote(t, live())).isErr()).toBe(true);
    expect(c.emulator.get("deployments", TEST_NAMESPACE, "cart-canary")).toBeDefined();
    // The client gave up after its retries: all 3 faults are spent.
    expect(
      c.emulator.requests.filter(
        (r) => r.method === "DELETE" && r.path.endsWith("/deployments/cart-canary"),
      ),
    ).toHaveLength(3);
    ok(await d.rollback(t, live()));
    await expectServingStable(d, t, "v1.3.2");
    expect(c.emulator.get("deployments", TEST_NAMESPACE, "cart-canary")).toBeUndefined();
  });

  it("fails a step with the Deployment controller's message when canary pods never become ready", async () => {
    const d = deployer(c);
    const t = target("web", "v6.6.6-broken");
    ok(await d.start(t, live()));
    const error = (await d.setWeight(t, 25, live()))._unsafeUnwrapErr();
    expect(error.kind).toBe("timeout");
    expect(error.vendorMessage).toMatch(
      /^ReplicaSet "web-canary-[a-z0-9]+" has timed out progressing\.$/,
    );
    expect(error.message).toMatch(/deployment "web-canary" exceeded its progress deadline/);
    expect((await d.status(t, live()))._unsafeUnwrap().phase).toBe("degraded");
    ok(await d.rollback(t, live()));
    expect((await d.verifyStable(t, live()))._unsafeUnwrap().serving).toBe(true);
  });

  it("preflight reports a leftover canary, a paused or missing Deployment", async () => {
    const d = deployer(c);
    const t = target("web", "v1.6.0");
    expect((await d.preflight(t, live()))._unsafeUnwrap()).toMatchObject({
      ok: true,
      stableVersion: "v1.4.0",
      facts: {
        kind: "Deployment",
        canary: "web-canary",
        replicas: "20",
        weightGranularity: "5% per pod",
      },
    });
    ok(await d.start(t, live()));
    const leftover = (await d.preflight(target("web", "v1.6.1"), live()))._unsafeUnwrap();
    expect(leftover.problems).toEqual([
      expect.stringMatching(/Canary Deployment "web-canary" exists \(version v1\.6\.0\)/),
    ]);
    const second = await d.start(target("web", "v1.6.1"), live());
    expect(second._unsafeUnwrapErr()).toMatchObject({ kind: "precondition_failed" });
    ok(await d.rollback(t, live()));
    c.emulator.edit("deployments", TEST_NAMESPACE, "web", (o: KubeObject) => {
      o.spec!.paused = true;
    });
    await eventually(() => {
      const d = c.emulator.get("deployments", TEST_NAMESPACE, "web")!;
      return (
        (d.status as { observedGeneration?: number }).observedGeneration === d.metadata.generation
      );
    });
    expect((await d.preflight(t, live()))._unsafeUnwrap().problems).toEqual([
      'Deployment "web" is paused (spec.paused is true)',
    ]);
    expect((await d.preflight(target("nope", "v1.0.0"), live()))._unsafeUnwrap()).toMatchObject({
      ok: false,
      problems: [
        `Deployment "nope" not found in namespace "${TEST_NAMESPACE}" (context "emulator")`,
      ],
    });
  });
});
