import { describeDeployerConformance } from "@shipgate/core/testing";
import { describe, expect, it } from "vitest";
import {
  createArgoRolloutDeployer,
  ROLLOUT_POD_TEMPLATE_HASH_LABEL,
} from "./argo-rollout-deployer.js";
import {
  conformanceTargets,
  expectServingStable,
  liveCall as live,
  unwrapOk as ok,
  ROLLOUT_STEPS_5_25_100,
  testDeployTarget as target,
} from "./testing/deploy-test-support.js";
import type { KubeObject } from "./testing/kube-emulator.js";
import {
  eventually,
  rolloutFixture,
  sharedTestCluster,
  startTestCluster,
  TEST_NAMESPACE,
  type TestCluster,
} from "./testing/kube-test-cluster.js";

const REPO = "registry.example.com/acme/shop";

async function seed(
  c: TestCluster,
  name: string,
  options: Partial<Parameters<typeof rolloutFixture>[0]> = {},
) {
  c.emulator.apply("rollouts", rolloutFixture({ name, image: `${REPO}:v1.3.2`, ...options }));
  await eventually(
    () => c.emulator.get("rollouts", TEST_NAMESPACE, name)?.status?.phase === "Healthy",
  );
}

function deployer(
  c: TestCluster,
  extra: Partial<Parameters<typeof createArgoRolloutDeployer>[0]> = {},
) {
  return createArgoRolloutDeployer({
    clients: c.clients,
    nameTemplate: "{{service}}",
    image: { repository: REPO },
    canarySteps: [5, 25, 100],
    stepTimeoutMs: 3_000,
    ...extra,
  });
}

for (const routed of [false, true]) {
  describeDeployerConformance(
    `Argo Rollout (${routed ? "trafficRouting" : "replica weights"})`,
    async () => {
      const c = await startTestCluster();
      await seed(c, "shop", { trafficRouting: routed });
      return {
        deployer: deployer(c),
        ...conformanceTargets(),
        cleanup: async () => {
          await c.close();
          if (c.emulator.violations.length)
            throw new Error(`schema violations: ${c.emulator.violations.join("\n")}`);
        },
      };
    },
  );
}

describe("Argo Rollout deployer", () => {
  const c = sharedTestCluster({ controller: { brokenImage: /broken/, progressDeadlineMs: 300 } });
  const writes = () =>
    c.emulator.requests
      .filter((r) => r.method !== "GET")
      .map((r) => ({
        method: r.method,
        path: r.path.replace(/.*\/rollouts\//, ""),
        contentType: r.contentType,
        body: r.body,
      }));

  it("sends exactly the plugin's requests: one update with image + steps, promote, promote --full", async () => {
    await seed(c, "api");
    const d = deployer(c);
    const t = target("api", "v1.4.0");
    c.emulator.requests.length = 0;
    ok(await d.start(t, live()));
    const [update] = writes();
    expect(update).toMatchObject({ method: "PUT", path: "api" });
    const body = update!.body as KubeObject;
    expect(
      (body.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec
        .containers[0]!.image,
    ).toBe(`${REPO}:v1.4.0`);
    expect(
      (body.spec as { strategy: { canary: { steps: unknown[] } } }).strategy.canary.steps,
    ).toEqual(ROLLOUT_STEPS_5_25_100);
    expect(body.metadata.resourceVersion).toBeDefined(); // an update of what was read, not a blind write
    const started = (await d.status(t, live()))._unsafeUnwrap();
    expect(started).toMatchObject({
      phase: "paused",
      canaryWeight: 0,
      stableVersion: "v1.3.2",
      canaryVersion: "v1.4.0",
      message: "CanaryPauseStep",
    });

    c.emulator.requests.length = 0;
    ok(await d.setWeight(t, 5, live()));
    expect(writes()).toEqual([
      {
        method: "PATCH",
        path: "api/status",
        contentType: "application/merge-patch+json",
        body: { status: { pauseConditions: null } },
      },
    ]);
    expect((await d.status(t, live()))._unsafeUnwrap().canaryWeight).toBe(5);

    c.emulator.requests.length = 0;
    ok(await d.setWeight(t, 100, live())); // skipping 25: promote with the step index
    expect(writes()).toEqual([
      {
        method: "PATCH",
        path: "api/status",
        contentType: "application/merge-patch+json",
        body: { status: { pauseConditions: null, currentStepIndex: 5 } },
      },
    ]);
    const at100 = (await d.status(t, live()))._unsafeUnwrap();
    expect(at100).toMatchObject({ phase: "paused", canaryWeight: 100 });

    c.emulator.requests.length = 0;
    ok(await d.setWeight(t, 100, live())); // idempotent
    expect(writes()).toEqual([]);

    ok(await d.promote(t, live()));
    expect(writes()).toEqual([
      {
        method: "PATCH",
        path: "api/status",
        contentType: "application/merge-patch+json",
        body: { status: { promoteFull: true } },
      },
    ]);
    const ro = c.emulator.get("rollouts", TEST_NAMESPACE, "api")!;
    expect(ro.status?.stableRS).toBe(ro.status?.currentPodHash);
    expect((await d.status(t, live()))._unsafeUnwrap()).toMatchObject({
      phase: "healthy",
      canaryWeight: 0,
      stableVersion: "v1.4.0",
      canaryVersion: null,
    });
  });

  it("writes the release's own canary steps when the target carries them", async () => {
    await seed(c, "planned");
    const d = deployer(c); // configured default: 5, 25, 100
    const t = { ...target("planned", "v1.4.0"), canarySteps: [10, 50, 100] };
    c.emulator.requests.length = 0;
    ok(await d.start(t, live()));
    const body = writes()[0]!.body as KubeObject;
    expect(
      (body.spec as { strategy: { canary: { steps: unknown[] } } }).strategy.canary.steps,
    ).toEqual([
      { pause: {} },
      { setWeight: 10 },
      { pause: {} },
      { setWeight: 50 },
      { pause: {} },
      { setWeight: 100 },
      { pause: {} },
    ]);
    ok(await d.setWeight(t, 10, live()));
    expect((await d.status(t, live()))._unsafeUnwrap().canaryWeight).toBe(10);
  });

  it("aborts with {abort:true} and undoes with a JSON patch of the stable ReplicaSet's template", async () => {
    const d = deployer(c);
    const t = target("api", "v1.5.0");
    ok(await d.start(t, live()));
    ok(await d.setWeight(t, 25, live()));
    expect((await d.status(t, live()))._unsafeUnwrap().canaryWeight).toBe(25);
    c.emulator.requests.length = 0;
    ok(await d.abort(t, live()));
    expect(writes()).toEqual([
      {
        method: "PATCH",
        path: "api/status",
        contentType: "application/merge-patch+json",
        body: { status: { abort: true } },
      },
    ]);
    const aborted = (await d.status(t, live()))._unsafeUnwrap();
    expect(aborted).toMatchObject({
      phase: "aborted",
      canaryWeight: 0,
      stableVersion: "v1.4.0",
      canaryVersion: "v1.5.0",
    });
    expect(aborted.message).toMatch(/^RolloutAborted: Rollout aborted update to revision \d+$/);

    c.emulator.requests.length = 0;
    ok(await d.rollback(t, live()));
    const [undo] = writes();
    expect(undo).toMatchObject({
      method: "PATCH",
      path: "api",
      contentType: "application/json-patch+json",
    });
    const [op] = undo!.body as {
      op: string;
      path: string;
      value: {
        metadata: { labels: Record<string, string> };
        spec: { containers: { image: string }[] };
      };
    }[];
    expect(op).toMatchObject({ op: "replace", path: "/spec/template" });
    expect(op!.value.spec.containers[0]!.image).toBe(`${REPO}:v1.4.0`);
    expect(op!.value.metadata.labels[ROLLOUT_POD_TEMPLATE_HASH_LABEL]).toBeUndefined();
    // the RS listing undo needs: by the Rollout's selector, paginated
    const list = c.emulator.requests.find((r) => r.path.endsWith("/replicasets"));
    expect(list?.query).toMatchObject({ labelSelector: "app=api", limit: "250" });

    await expectServingStable(d, t, "v1.4.0");
    const ro = c.emulator.get("rollouts", TEST_NAMESPACE, "api")!;
    expect(ro.status).toMatchObject({ phase: "Healthy" });
    expect(ro.status?.abort).toBeUndefined();
  });

  it("reaches a weight that was not written at start by rewriting the steps", async () => {
    const d = deployer(c);
    const t = target("api", "v1.6.0");
    ok(await d.start(t, live()));
    c.emulator.requests.length = 0;
    ok(await d.setWeight(t, 50, live()));
    expect(writes()).toEqual([
      {
        method: "PATCH",
        path: "api",
        contentType: "application/merge-patch+json",
        body: {
          spec: {
            strategy: {
              canary: {
                steps: [{ setWeight: 50 }, { pause: {} }, { setWeight: 100 }, { pause: {} }],
              },
            },
          },
        },
      },
    ]);
    expect((await d.status(t, live()))._unsafeUnwrap().canaryWeight).toBe(50);
    ok(await d.setWeight(t, 100, live()));
    ok(await d.promote(t, live()));
  });

  it("fails a step with the controller's own message when the canary never becomes ready", async () => {
    const d = deployer(c);
    const t = target("api", "v9.9.9-broken");
    ok(await d.start(t, live())); // weight 0: no canary pods yet
    const result = await d.setWeight(t, 25, live());
    const error = result._unsafeUnwrapErr();
    expect(error.kind).toBe("timeout");
    expect(error.retryable).toBe(false);
    expect(error.vendorMessage).toMatch(/^ReplicaSet "api-[a-z0-9]+" has timed out progressing\.$/);
    expect(error.message).toMatch(
      /Degraded while waiting for to reach weight 25%: ProgressDeadlineExceeded/,
    );
    expect((await d.status(t, live()))._unsafeUnwrap().phase).toBe("degraded");
    ok(await d.abort(t, live()));
    ok(await d.rollback(t, live()));
    await expectServingStable(d, t, "v1.6.0");
  });

  it("reports an abort by someone else while waiting as a conflict", async () => {
    const d = deployer(c);
    const t = target("api", "v1.7.0");
    ok(await d.start(t, live()));
    c.emulator.controller!.hold();
    const mark = c.emulator.requests.length;
    const pending = d.setWeight(t, 5, live());
    await eventually(() => c.emulator.requests.slice(mark).some((r) => r.query.watch === "true"));
    c.emulator.edit("rollouts", TEST_NAMESPACE, "api", (o) => {
      o.status = { ...o.status, abort: true };
    });
    c.emulator.controller!.resume();
    const error = (await pending)._unsafeUnwrapErr();
    expect(error.kind).toBe("conflict");
    expect(error.vendorMessage).toMatch(/Rollout aborted update to revision/);
    ok(await d.rollback(t, live()));
  });

  it("returns aborted promptly when the signal fires during a wait", async () => {
    const d = deployer(c);
    const t = target("api", "v1.8.0");
    ok(await d.start(t, live()));
    c.emulator.controller!.hold();
    const controller = new AbortController();
    const mark = c.emulator.requests.length;
    const pending = d.setWeight(t, 5, { signal: controller.signal });
    await eventually(() => c.emulator.requests.slice(mark).some((r) => r.query.watch === "true"));
    const started = Date.now();
    controller.abort();
    expect((await pending)._unsafeUnwrapErr().kind).toBe("aborted");
    expect(Date.now() - started).toBeLessThan(200);
    c.emulator.controller!.resume();
    ok(await d.rollback(t, live()));
  });

  it("bounds each wait and names the last state on timeout", async () => {
    const d = deployer(c, { stepTimeoutMs: 120 });
    const t = target("api", "v1.9.0");
    c.emulator.controller!.hold();
    const result = await d.start(t, live());
    c.emulator.controller!.resume();
    expect(result._unsafeUnwrapErr().kind).toBe("timeout");
    expect(result._unsafeUnwrapErr().message).toMatch(
      /last state: Progressing: waiting for rollout spec update to be observed/,
    );
    ok(await deployer(c).rollback(t, live()));
  });

  it("preflight names each problem: missing, paused, aborted, in flight, blue-green, containers, image", async () => {
    const d = deployer(c);
    const missing = (await d.preflight(target("nope", "v1.0.0"), live()))._unsafeUnwrap();
    expect(missing).toMatchObject({ ok: false, stableVersion: null });
    expect(missing.problems[0]).toBe(
      `Rollout "nope" not found in namespace "${TEST_NAMESPACE}" (context "emulator")`,
    );

    await seed(c, "multi", { containers: ["web", "sidecar"] });
    const multi = (await d.preflight(target("multi", "v1.4.0"), live()))._unsafeUnwrap();
    expect(multi.problems).toEqual([
      'Rollout "multi" has 2 containers (web, sidecar); set `container` to choose one',
    ]);
    const chosen = (
      await deployer(c, { container: "web" }).preflight(target("multi", "v1.4.0"), live())
    )._unsafeUnwrap();
    expect(chosen).toMatchObject({
      ok: true,
      stableVersion: "v1.3.2",
      facts: { container: "web", strategy: "canary (weights by replica count)" },
    });

    c.emulator.edit("rollouts", TEST_NAMESPACE, "multi", (o) => {
      o.spec!.paused = true;
    });
    const badImage = deployer(c, {
      container: "web",
      image: { template: "registry.example.com/Acme/shop:{{version}}" },
    });
    const paused = (await badImage.preflight(target("multi", "v1.4.0"), live()))._unsafeUnwrap();
    expect(paused.ok).toBe(false);
    expect(paused.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/is paused \(spec\.paused is true\)/),
        expect.stringMatching(
          /Image "registry.example.com\/Acme\/shop:v1.4.0" is not a valid OCI reference: repository path component "Acme" must be lowercase/,
        ),
      ]),
    );

    const t = target("api", "v2.0.0");
    ok(await d.start(t, live()));
    const inFlight = (await d.preflight(target("api", "v2.0.1"), live()))._unsafeUnwrap();
    expect(inFlight.problems).toEqual([
      expect.stringMatching(
        /is paused at step 0 \(CanaryPauseStep\); another release is in flight/,
      ),
    ]);
    ok(await d.abort(t, live()));
    const aborted = (await d.preflight(target("api", "v2.0.1"), live()))._unsafeUnwrap();
    expect(aborted.problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/is aborted \(status\.abort is true\)/)]),
    );
    ok(await d.rollback(t, live()));

    c.emulator.apply("rollouts", {
      ...rolloutFixture({ name: "bg", image: `${REPO}:v1.3.2` }),
      spec: {
        ...rolloutFixture({ name: "bg", image: `${REPO}:v1.3.2` }).spec,
        strategy: { blueGreen: { activeService: "bg-active", autoPromotionEnabled: false } },
      },
    });
    const blueGreen = (await d.preflight(target("bg", "v1.4.0"), live()))._unsafeUnwrap();
    expect(blueGreen.problems).toEqual(
      expect.arrayContaining([
        'Rollout "bg" does not use the canary strategy (it is blueGreen); shipgate drives canary weights',
      ]),
    );
  });

  it("rejects invalid calls without touching the cluster", async () => {
    const d = deployer(c);
    c.emulator.requests.length = 0;
    expect((await d.setWeight(target("api", "v1.4.0"), 0, live()))._unsafeUnwrapErr().kind).toBe(
      "invalid_input",
    );
    expect((await d.setWeight(target("api", "v1.4.0"), 12.5, live()))._unsafeUnwrapErr().kind).toBe(
      "invalid_input",
    );
    expect((await d.start(target("Bad_Name", "v1.4.0"), live()))._unsafeUnwrapErr()).toMatchObject({
      kind: "invalid_input",
      field: "with.name",
    });
    expect(c.emulator.requests).toEqual([]);
    const notStarted = await d.setWeight(target("api", "v3.0.0"), 5, live());
    expect(notStarted._unsafeUnwrapErr()).toMatchObject({ kind: "precondition_failed" });
  });
});

describe("Argo Rollout deployer with a controller that reports no traffic weights", () => {
  const c = sharedTestCluster({
    controller: { reportWeights: false },
    seed: (c) => seed(c, "legacy", { trafficRouting: true }),
  });

  it("shows the current step's setWeight as the plugin does, and never verifies a rollback on an unreported weight", async () => {
    const d = deployer(c);
    const t = target("legacy", "v1.4.0");
    ok(await d.start(t, live()));
    ok(await d.setWeight(t, 25, live()));
    const rollout = c.emulator.get("rollouts", TEST_NAMESPACE, "legacy")!;
    expect((rollout.status as { canary?: { weights?: unknown } }).canary?.weights).toBeUndefined();
    expect(ok(await d.status(t, live())).canaryWeight).toBe(25);
    ok(await d.abort(t, live()));
    ok(await d.rollback(t, live()));
    const verified = ok(await d.verifyStable(t, live()));
    expect(verified.serving).toBe(false);
    expect(verified.stableVersion).toBe("v1.3.2");
    expect(verified.message).toMatch(/reported no traffic weights.*unknown: not verified/);
    expect(c.emulator.violations).toEqual([]);
  });
});
