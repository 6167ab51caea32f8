import { afterEach, describe, expect, it } from "vitest";
import { JSON_PATCH, MERGE_PATCH } from "../kube-clients.js";
import { objectApi, ROLLOUTS } from "../kube-object-api.js";
import type { KubeObject } from "./kube-emulator.js";
import {
  eventually,
  rolloutFixture,
  sharedTestCluster,
  TEST_NAMESPACE,
} from "./kube-test-cluster.js";

// The emulator's own contract: what it answers must look like what a real API server answers.
describe("kube emulator wire format", () => {
  // Some tests send off-contract requests on purpose: each test checks its own.
  const c = sharedTestCluster({ expectNoViolations: false });
  const signal = () => new AbortController().signal;
  const raw = (path: string, init: RequestInit = {}) =>
    fetch(`${c.emulator.url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${c.emulator.token}`,
        "content-type": "application/json",
        ...(init.headers ?? {}),
      },
    });

  afterEach(() => {
    c.emulator.violations.length = 0;
  });

  it("serves discovery for the groups it knows", async () => {
    const groups = (await (await raw("/apis")).json()) as {
      kind: string;
      groups: { name: string; preferredVersion: { groupVersion: string } }[];
    };
    expect(groups.kind).toBe("APIGroupList");
    expect(groups.groups.map((g) => g.preferredVersion.groupVersion)).toEqual(
      expect.arrayContaining(["apps/v1", "argoproj.io/v1alpha1", "coordination.k8s.io/v1"]),
    );
    const resources = (await (await raw("/apis/argoproj.io/v1alpha1")).json()) as {
      resources: { name: string; kind: string; namespaced: boolean }[];
    };
    expect(resources.resources.map((r) => r.name)).toEqual([
      "rollouts",
      "rollouts/status",
      "rollouts/scale",
    ]);
  });

  it("records every request it does not implement, and answers it with an error", async () => {
    const before = c.emulator.unsupported.length;
    expect((await raw("/openapi/v2")).status).toBe(404);
    expect((await raw(`/api/v1/namespaces/${TEST_NAMESPACE}/pods`)).status).toBe(404);
    const patch = await raw(`/api/v1/namespaces/${TEST_NAMESPACE}/configmaps/x`, {
      method: "PATCH",
      headers: { "content-type": "application/apply-patch+yaml" },
      body: "{}",
    });
    expect(patch.status).toBeGreaterThanOrEqual(400);
    expect(c.emulator.unsupported.slice(before)).toEqual([
      "GET /openapi/v2",
      `GET /api/v1/namespaces/${TEST_NAMESPACE}/pods`,
      `PATCH /api/v1/namespaces/${TEST_NAMESPACE}/configmaps/x`,
    ]);
  });

  it("serves the OpenAPI v3 documents client-go reads to learn the server validates fields", async () => {
    const index = (await (await raw("/openapi/v3")).json()) as {
      paths: Record<string, { serverRelativeURL: string }>;
    };
    expect(Object.keys(index.paths)).toEqual(
      expect.arrayContaining(["api/v1", "apis/apps/v1", "apis/argoproj.io/v1alpha1"]),
    );
    const apps = (await (await raw(index.paths["apis/apps/v1"]!.serverRelativeURL)).json()) as {
      paths: Record<string, { patch?: { parameters: { name: string; in: string }[] } }>;
    };
    const patch = apps.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]?.patch;
    expect(patch?.parameters).toContainEqual(
      expect.objectContaining({ name: "fieldValidation", in: "query" }),
    );
  });

  it("answers 401 with a Status for a wrong token", async () => {
    const res = await fetch(`${c.emulator.url}/apis`, {
      headers: { authorization: "Bearer wrong-token-not-real" },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      kind: "Status",
      status: "Failure",
      reason: "Unauthorized",
      code: 401,
    });
  });

  it("answers 404 with a NotFound Status naming the object", async () => {
    const res = await raw(`/apis/argoproj.io/v1alpha1/namespaces/${TEST_NAMESPACE}/rollouts/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'rollouts.argoproj.io "nope" not found',
      reason: "NotFound",
      details: { name: "nope", group: "argoproj.io", kind: "rollouts" },
      code: 404,
    });
  });

  it("creates, refuses duplicates (409 AlreadyExists) and stale updates (409 Conflict), and counts generations", async () => {
    const api = objectApi<KubeObject>(c.clients, ROLLOUTS);
    const created = (
      await api.create(rolloutFixture({ name: "gen", image: "r.io/gen:v1" }), signal())
    )._unsafeUnwrap();
    expect(created.metadata.generation).toBe(1);
    expect(created.metadata.uid).toMatch(/[0-9a-f-]{36}/);
    const dup = await api.create(rolloutFixture({ name: "gen", image: "r.io/gen:v1" }), signal());
    expect(dup._unsafeUnwrapErr().kind).toBe("conflict");
    expect(dup._unsafeUnwrapErr().vendorMessage).toBe('rollouts.argoproj.io "gen" already exists');

    const labelled = (
      await api.patch("gen", { metadata: { labels: { team: "shop" } } }, MERGE_PATCH, signal())
    )._unsafeUnwrap();
    expect(labelled.metadata.generation).toBe(1); // metadata only: no new generation
    const scaled = (
      await api.patch("gen", { spec: { replicas: 3 } }, MERGE_PATCH, signal())
    )._unsafeUnwrap();
    expect(scaled.metadata.generation).toBe(2);
    expect(Number(scaled.metadata.resourceVersion)).toBeGreaterThan(
      Number(labelled.metadata.resourceVersion),
    );

    const stale = await api.replace(
      "gen",
      { ...created, spec: { ...created.spec, replicas: 9 } },
      signal(),
    );
    expect(stale._unsafeUnwrapErr().kind).toBe("conflict");
    expect(stale._unsafeUnwrapErr().vendorMessage).toMatch(/the object has been modified/);
  });

  it("keeps status and spec apart (status subresource)", async () => {
    const api = objectApi<KubeObject>(c.clients, ROLLOUTS);
    await eventually(
      () => c.emulator.get("rollouts", TEST_NAMESPACE, "gen")?.status?.phase !== undefined,
    );
    const before = c.emulator.get("rollouts", TEST_NAMESPACE, "gen")!;
    const main = (
      await api.patch("gen", { status: { abort: true } }, MERGE_PATCH, signal())
    )._unsafeUnwrap();
    expect(main.status?.abort).toBeUndefined(); // ignored on the main resource
    c.emulator.controller?.hold();
    const viaStatus = (
      await api.patchStatus(
        "gen",
        { status: { abort: true }, spec: { replicas: 7 } },
        MERGE_PATCH,
        signal(),
      )
    )._unsafeUnwrap();
    expect(viaStatus.status?.abort).toBe(true);
    expect(viaStatus.spec?.replicas).toBe(before.spec?.replicas); // spec ignored on /status
    expect(viaStatus.metadata.generation).toBe(before.metadata.generation);
    const cleared = (
      await api.patchStatus("gen", { status: { abort: null } }, MERGE_PATCH, signal())
    )._unsafeUnwrap();
    expect(cleared.status && "abort" in cleared.status).toBe(false); // merge-patch null deletes
    c.emulator.controller?.resume();
  });

  it("applies JSON patches and rejects a failing test operation with 422", async () => {
    const api = objectApi<KubeObject>(c.clients, ROLLOUTS);
    const patched = (
      await api.patch(
        "gen",
        [
          { op: "replace", path: "/spec/replicas", value: 2 },
          { op: "add", path: "/metadata/labels/tier", value: "web" },
        ],
        JSON_PATCH,
        signal(),
      )
    )._unsafeUnwrap();
    expect(patched.spec?.replicas).toBe(2);
    expect(patched.metadata.labels?.tier).toBe("web");
    const failed = await api.patch(
      "gen",
      [{ op: "test", path: "/spec/replicas", value: 99 }],
      JSON_PATCH,
      signal(),
    );
    expect(failed._unsafeUnwrapErr()).toMatchObject({ kind: "bad_query", status: 422 });
  });

  it("rejects writes the CRD schema forbids (unknown fields, wrong types) and records them", async () => {
    const api = objectApi<KubeObject>(c.clients, ROLLOUTS);
    const unknown = await api.patch(
      "gen",
      { spec: { strategy: { canary: { stepz: [] } } } },
      MERGE_PATCH,
      signal(),
    );
    expect(unknown._unsafeUnwrapErr()).toMatchObject({ kind: "bad_query", status: 422 });
    expect(c.emulator.violations.join("\n")).toMatch(/unknown field "stepz"/);
    const wrongType = await api.patch(
      "gen",
      { spec: { strategy: { canary: { steps: [{ setWeight: "ten" }] } } } },
      MERGE_PATCH,
      signal(),
    );
    expect(wrongType._unsafeUnwrapErr().status).toBe(422);
    const badStatus = await api.patchStatus(
      "gen",
      { status: { pauseConditions: [{ reason: "CanaryPauseStep" }] } },
      MERGE_PATCH,
      signal(),
    );
    expect(badStatus._unsafeUnwrapErr().status).toBe(422); // startTime is required
    expect(c.emulator.violations).toHaveLength(3);
  });

  it("rejects a Deployment whose selector does not match its template, and a Lease with a millisecond MicroTime", async () => {
    const deployment = await raw(`/apis/apps/v1/namespaces/${TEST_NAMESPACE}/deployments`, {
      method: "POST",
      body: JSON.stringify({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "odd" },
        spec: {
          selector: { matchLabels: { app: "a" } },
          template: {
            metadata: { labels: { app: "b" } },
            spec: { containers: [{ name: "a", image: "a" }] },
          },
        },
      }),
    });
    expect(deployment.status).toBe(422);
    const lease = await raw(`/apis/coordination.k8s.io/v1/namespaces/${TEST_NAMESPACE}/leases`, {
      method: "POST",
      body: JSON.stringify({
        metadata: { name: "l" },
        spec: { holderIdentity: "x", renewTime: "2026-01-01T00:00:00.123Z" },
      }),
    });
    expect(lease.status).toBe(422);
    expect(c.emulator.violations.join("\n")).toMatch(/renewTime.*not a MicroTime/);
  });

  it("streams watch events after a resourceVersion, filtered by field selector, and 410 for a too-old one", async () => {
    const api = objectApi<KubeObject>(c.clients, ROLLOUTS);
    const start = (await api.get("gen", signal()))._unsafeUnwrap().metadata.resourceVersion;
    const controller = new AbortController();
    const res = await raw(
      `/apis/argoproj.io/v1alpha1/namespaces/${TEST_NAMESPACE}/rollouts?watch=true&fieldSelector=metadata.name%3Dgen&resourceVersion=${start}`,
      { signal: controller.signal },
    );
    expect(res.headers.get("content-type")).toBe("application/json");
    const reader = res.body!.getReader();
    await api.patch("gen", { metadata: { labels: { step: "one" } } }, MERGE_PATCH, signal());
    await api.create(rolloutFixture({ name: "other", image: "r.io/o:v1" }), signal());
    let text = "";
    while (!text.includes('"step":"one"'))
      text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const events = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; object: KubeObject });
    expect(events.every((e) => e.object.metadata.name === "gen")).toBe(true);
    expect(events.every((e) => Number(e.object.metadata.resourceVersion) > Number(start))).toBe(
      true,
    );
    expect(events.at(-1)?.type).toBe("MODIFIED");

    const gone = await raw(
      `/apis/argoproj.io/v1alpha1/namespaces/${TEST_NAMESPACE}/rollouts?watch=1&resourceVersion=1`,
    );
    expect(await gone.text()).toMatch(/"type":"ERROR".*"code":410/);
  });

  it("paginates lists with limit and continue", async () => {
    const page = (await (
      await raw(`/apis/argoproj.io/v1alpha1/namespaces/${TEST_NAMESPACE}/rollouts?limit=1`)
    ).json()) as {
      items: KubeObject[];
      metadata: { continue?: string; remainingItemCount?: number };
    };
    expect(page.items).toHaveLength(1);
    expect(page.metadata.remainingItemCount).toBe(1);
    const next = (await (
      await raw(
        `/apis/argoproj.io/v1alpha1/namespaces/${TEST_NAMESPACE}/rollouts?limit=1&continue=${page.metadata.continue}`,
      )
    ).json()) as { items: KubeObject[]; metadata: { continue?: string } };
    expect(next.items[0]!.metadata.name).not.toBe(page.items[0]!.metadata.name);
    expect(next.metadata.continue).toBeUndefined();
  });
});
