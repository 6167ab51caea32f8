import { describe, expect, it } from "vitest";
import { objectApi, ROLLOUTS } from "./kube-object-api.js";
import type { KubeObject } from "./testing/kube-emulator.js";
import { eventually, sharedTestCluster, TEST_NAMESPACE } from "./testing/kube-test-cluster.js";
import { waitForStable } from "./wait-for-stable.js";

describe("waitForStable", () => {
  // No controller: the test moves the object itself.
  const c = sharedTestCluster({
    controller: false,
    rollouts: [{ name: "shop", image: "r.io/shop:v1" }],
  });
  const live = () => new AbortController().signal;

  const waitForReplicas = (replicas: number, timeoutMs = 2_000, signal = live()) =>
    waitForStable<KubeObject>({
      clients: c.clients,
      collectionPath: objectApi(c.clients, ROLLOUTS).collectionPath,
      name: "shop",
      read: (s) => objectApi<KubeObject>(c.clients, ROLLOUTS).find("shop", s),
      evaluate: (o) =>
        o === null
          ? { kind: "done" }
          : o.spec?.replicas === replicas
            ? { kind: "done" }
            : { kind: "wait", progress: `replicas=${String(o.spec?.replicas)}` },
      timeoutMs,
      signal,
      what: `shop to have ${replicas} replicas`,
    });
  const setReplicas = (n: number) =>
    c.emulator.edit("rollouts", TEST_NAMESPACE, "shop", (o) => {
      o.spec!.replicas = n;
    });

  it("follows a watch (one read, one watch request) through many changes", async () => {
    c.emulator.requests.length = 0;
    const pending = waitForReplicas(9);
    await eventually(() => c.emulator.openWatches() === 1);
    for (let n = 1; n <= 9; n++) setReplicas(n);
    expect((await pending).isOk()).toBe(true);
    const reads = c.emulator.requests.filter((r) => r.path.endsWith("/rollouts/shop"));
    const watches = c.emulator.requests.filter((r) => r.query.watch === "true");
    expect(reads).toHaveLength(1);
    expect(watches).toHaveLength(1);
    expect(watches[0]!.query).toMatchObject({
      fieldSelector: "metadata.name=shop",
      allowWatchBookmarks: "true",
    });
    expect(Number(watches[0]!.query.resourceVersion)).toBeGreaterThan(0);
  });

  it("re-reads and re-watches when the server ends the stream or answers 410", async () => {
    await eventually(() => c.emulator.openWatches() === 0);
    c.emulator.requests.length = 0;
    const pending = waitForReplicas(3);
    await eventually(() => c.emulator.openWatches() === 1);
    c.emulator.fail({ path: /\/rollouts$/, method: "GET", status: 410, times: 1 });
    c.emulator.dropWatches();
    await eventually(() => c.emulator.openWatches() === 1);
    setReplicas(3);
    expect((await pending).isOk()).toBe(true);
    // first watch (dropped), the 410, then the one that sees the change — each after a fresh read
    expect(
      c.emulator.requests.filter((r) => r.query.watch === "true").length,
    ).toBeGreaterThanOrEqual(3);
    expect(
      c.emulator.requests.filter((r) => r.path.endsWith("/rollouts/shop")).length,
    ).toBeGreaterThanOrEqual(3);
  });

  it("times out within its bound, saying the last state", async () => {
    const started = Date.now();
    const result = await waitForReplicas(42, 150);
    expect(Date.now() - started).toBeLessThan(600);
    expect(result._unsafeUnwrapErr().kind).toBe("timeout");
    expect(result._unsafeUnwrapErr().message).toMatch(
      /waiting for shop to have 42 replicas; last state: replicas=3/,
    );
    await eventually(() => c.emulator.openWatches() === 0);
  });

  it("resolves to aborted as soon as the signal fires, and closes the watch", async () => {
    const controller = new AbortController();
    const pending = waitForReplicas(42, 5_000, controller.signal);
    await eventually(() => c.emulator.openWatches() === 1);
    const started = Date.now();
    controller.abort();
    expect((await pending)._unsafeUnwrapErr().kind).toBe("aborted");
    expect(Date.now() - started).toBeLessThan(200);
    await eventually(() => c.emulator.openWatches() === 0);
  });

  it("stops on a watch the API refuses (403)", async () => {
    c.emulator.forbid("watch", "rollouts");
    const result = await waitForReplicas(42, 1_000);
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "auth", status: 403 });
  });
});
