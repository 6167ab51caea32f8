import { KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { makeKubeClients } from "./kube-clients.js";
import { objectApi, ROLLOUTS } from "./kube-object-api.js";
import type { KubeObject } from "./testing/kube-emulator.js";
import { sharedTestCluster, TEST_NAMESPACE } from "./testing/kube-test-cluster.js";

describe("API requests: retries, error mapping, timeouts, cancellation", () => {
  const c = sharedTestCluster({
    controller: false,
    rollouts: [{ name: "shop", image: "r.io/shop:v1" }],
  });
  const live = () => new AbortController().signal;
  const path = /\/rollouts\/shop$/;
  const api = () => objectApi<KubeObject>(c.clients, ROLLOUTS);
  const hits = () => c.emulator.requests.filter((r) => path.test(r.path)).length;

  it("retries 5xx a bounded number of times, then succeeds", async () => {
    const before = hits();
    c.emulator.fail({ path, status: 500, times: 2 });
    const got = await api().get("shop", live());
    expect(got._unsafeUnwrap().metadata.name).toBe("shop");
    expect(hits() - before).toBe(3);
  });

  it("gives up on a persistent 503 as unavailable after maxRetries", async () => {
    const before = hits();
    c.emulator.fail({ path, status: 503, times: 10 });
    const got = await api().get("shop", live());
    expect(got._unsafeUnwrapErr()).toMatchObject({
      kind: "unavailable",
      status: 503,
      retryable: true,
    });
    expect(hits() - before).toBe(3); // 1 + maxRetries (2)
  });

  it("honours Retry-After on 429 and reports rate_limited when it persists", async () => {
    c.emulator.requests.length = 0;
    c.emulator.fail({ path, status: 429, retryAfter: "0", times: 1 });
    expect((await api().get("shop", live())).isOk()).toBe(true);
    c.emulator.fail({ path, status: 429, retryAfter: "1", times: 3 });
    const started = Date.now();
    const limited = await api().get("shop", live());
    expect(limited._unsafeUnwrapErr()).toMatchObject({
      kind: "rate_limited",
      status: 429,
      retryAfterMs: 1000,
    });
    expect(Date.now() - started).toBeLessThan(500); // capped by maxRetryAfterMs (50 ms in tests)
  });

  it("stops at once on 401 and 403, naming context and RBAC", async () => {
    const kc = new KubeConfig();
    kc.loadFromString(c.emulator.kubeconfigYaml(TEST_NAMESPACE, "expired-token-not-real"));
    const bad = makeKubeClients(kc, "emulator", TEST_NAMESPACE, {
      maxRetries: 3,
      retryBaseMs: 5,
    })._unsafeUnwrap();
    const before = hits();
    const unauthorized = await objectApi<KubeObject>(bad, ROLLOUTS).get("shop", live());
    expect(unauthorized._unsafeUnwrapErr()).toMatchObject({ kind: "auth", status: 401 });
    expect(unauthorized._unsafeUnwrapErr().hint).toMatch(/context "emulator"/);
    expect(hits() - before).toBe(1);
    const text =
      JSON.stringify(unauthorized._unsafeUnwrapErr().toJSON()) +
      unauthorized._unsafeUnwrapErr().describe();
    expect(text).not.toMatch(/expired-token-not-real|test-token-not-real/);

    c.emulator.forbid("patch", "rollouts/status");
    const forbidden = await api().patchStatus(
      "shop",
      { status: { abort: true } },
      "application/merge-patch+json",
      live(),
    );
    expect(forbidden._unsafeUnwrapErr()).toMatchObject({ kind: "auth", status: 403 });
    expect(forbidden._unsafeUnwrapErr().vendorMessage).toMatch(
      /cannot patch resource "rollouts\/status" in API group "argoproj.io"/,
    );
  });

  it("maps 404 to not_found and keeps the request in the error", async () => {
    const missing = await api().get("nope", live());
    expect(missing._unsafeUnwrapErr()).toMatchObject({
      kind: "not_found",
      status: 404,
      request: `GET /apis/argoproj.io/v1alpha1/namespaces/${TEST_NAMESPACE}/rollouts/nope`,
    });
    expect((await api().find("nope", live()))._unsafeUnwrap()).toBeNull();
  });

  it("reports malformed JSON as invalid_response", async () => {
    c.emulator.fail({ path, status: 200, rawBody: "{not json", times: 1 });
    expect((await api().get("shop", live()))._unsafeUnwrapErr().kind).toBe("invalid_response");
  });

  it("times out a hanging request per attempt", async () => {
    const fast = makeKubeClients(c.kubeConfig, "emulator", TEST_NAMESPACE, {
      requestTimeoutMs: 80,
      maxRetries: 1,
      retryBaseMs: 1,
    })._unsafeUnwrap();
    c.emulator.fail({ path, status: 200, delayMs: 5_000, times: 2 });
    const started = Date.now();
    const got = await objectApi<KubeObject>(fast, ROLLOUTS).get("shop", live());
    expect(got._unsafeUnwrapErr().kind).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("resolves to aborted quickly when the signal fires mid-request, and at once when already fired", async () => {
    c.emulator.fail({ path, status: 200, delayMs: 5_000, times: 1 });
    const controller = new AbortController();
    const started = Date.now();
    const pending = api().get("shop", controller.signal);
    setTimeout(() => controller.abort(), 30);
    expect((await pending)._unsafeUnwrapErr().kind).toBe("aborted");
    expect(Date.now() - started).toBeLessThan(500);
    const fired = new AbortController();
    fired.abort();
    expect((await api().get("shop", fired.signal))._unsafeUnwrapErr().kind).toBe("aborted");
  });

  it("reports an unreachable server as unavailable after retries", async () => {
    const kc = new KubeConfig();
    kc.loadFromString(
      c.emulator.kubeconfigYaml(TEST_NAMESPACE).replace(/127\.0\.0\.1:\d+/, "127.0.0.1:1"),
    );
    const nowhere = makeKubeClients(kc, "emulator", TEST_NAMESPACE, {
      maxRetries: 1,
      retryBaseMs: 1,
    })._unsafeUnwrap();
    const got = await objectApi<KubeObject>(nowhere, ROLLOUTS).get("shop", live());
    expect(got._unsafeUnwrapErr()).toMatchObject({ kind: "unavailable" });
    expect(got._unsafeUnwrapErr().message).toMatch(
      /Could not reach the Kubernetes API of context "emulator"/,
    );
  });
});
