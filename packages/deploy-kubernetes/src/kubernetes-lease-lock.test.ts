import { execFile } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { V1MicroTime } from "@kubernetes/client-node";
import type { LockHolder } from "@shipgate/core";
import { describeReleaseLockConformance } from "@shipgate/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKubernetesLeaseLock, leaseNameFor } from "./kubernetes-lease-lock.js";
import {
  eventually,
  sharedTestCluster,
  startTestCluster,
  TEST_NAMESPACE,
} from "./testing/kube-test-cluster.js";

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const live = () => ({ signal: new AbortController().signal });
const holder = (id: string, version = "v1.4.0"): LockHolder => ({
  id,
  host: `ci-${id}`,
  pid: 4242,
  startedAt: "2026-01-05T10:00:00.000Z",
  version,
});

describeReleaseLockConformance("Kubernetes Lease", async () => {
  const c = await startTestCluster(false);
  const locks: ReturnType<typeof createKubernetesLeaseLock>[] = [];
  return {
    makeLock: () => {
      const lock = createKubernetesLeaseLock({ clients: c.clients });
      locks.push(lock);
      return lock;
    },
    makeStale: async (service) => {
      // The holder's runner died: nobody renewed for an hour.
      c.emulator.edit("leases", TEST_NAMESPACE, leaseNameFor(service), (lease) => {
        (lease.spec as Record<string, unknown>).renewTime = new V1MicroTime(
          Date.now() - 3_600_000,
        ).toISOString();
      });
    },
    cleanup: async () => {
      for (const lock of locks) lock.close();
      await c.close();
      if (c.emulator.violations.length) throw new Error(c.emulator.violations.join("\n"));
    },
  };
});

describe("Kubernetes Lease lock", () => {
  const c = sharedTestCluster({ controller: false });
  const lease = (service: string) =>
    c.emulator.get("leases", TEST_NAMESPACE, leaseNameFor(service));

  it("creates shipgate-release-<service> with holder, duration and MicroTime stamps", async () => {
    const lock = createKubernetesLeaseLock({ clients: c.clients, leaseDurationSeconds: 45 });
    const handle = (
      await lock.acquire({ service: "shop", holder: holder("run-1") }, live())
    )._unsafeUnwrap();
    expect(handle.ref).toBe(`${TEST_NAMESPACE}/shipgate-release-shop`);
    const stored = lease("shop")!;
    expect(stored.spec).toMatchObject({
      holderIdentity: "run-1",
      leaseDurationSeconds: 45,
      leaseTransitions: 0,
    });
    expect(String(stored.spec?.renewTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(JSON.parse(stored.metadata.annotations!["shipgate.dev/holder"]!)).toEqual(
      holder("run-1"),
    );

    const held = await createKubernetesLeaseLock({ clients: c.clients }).acquire(
      { service: "shop", holder: holder("run-2") },
      live(),
    );
    const error = held._unsafeUnwrapErr();
    expect(error.kind).toBe("lock_held");
    expect(error.details?.holder).toEqual(holder("run-1"));
    expect(error.message).toBe(
      'The release lock of "shop" is held by run-1 on ci-run-1 (releasing v1.4.0)',
    );
    lock.close();
    (await lock.release(handle, live()))._unsafeUnwrap();
    expect(lease("shop")).toBeUndefined();
  });

  it("is taken over only after renewTime + leaseDurationSeconds, and says from whom", async () => {
    const t0 = Date.parse("2026-01-05T10:00:00.000Z");
    const at = (ms: number) =>
      createKubernetesLeaseLock({
        clients: c.clients,
        leaseDurationSeconds: 2,
        now: () => t0 + ms,
        renewEveryMs: 3_600_000,
      });
    const first = at(0);
    const a = (
      await first.acquire({ service: "api", holder: holder("a") }, live())
    )._unsafeUnwrap();
    const early = (
      await at(1_999).acquire({ service: "api", holder: holder("b") }, live())
    )._unsafeUnwrapErr();
    expect(early.kind).toBe("lock_held");
    expect(early.details?.expiresAt).toBe("2026-01-05T10:00:02.000Z");
    const late = at(2_001);
    const b = (await late.acquire({ service: "api", holder: holder("b") }, live()))._unsafeUnwrap();
    expect(b.tookOverFrom).toEqual(holder("a"));
    expect(lease("api")!.spec).toMatchObject({
      holderIdentity: "b",
      leaseTransitions: 1,
      renewTime: "2026-01-05T10:00:02.001000Z",
    });
    // the old holder releasing late must not free b's lock
    (await first.release(a, live()))._unsafeUnwrap();
    expect(lease("api")!.spec?.holderIdentity).toBe("b");
    (await late.release(b, live()))._unsafeUnwrap();
    first.close();
    late.close();
  });

  it("renews while held (unref'd timer) and stops on release", async () => {
    const lock = createKubernetesLeaseLock({
      clients: c.clients,
      leaseDurationSeconds: 1,
      renewEveryMs: 20,
    });
    const handle = (
      await lock.acquire({ service: "renew", holder: holder("r") }, live())
    )._unsafeUnwrap();
    const first = String(lease("renew")!.spec?.renewTime);
    await eventually(() => String(lease("renew")?.spec?.renewTime) !== first, 1_000);
    const puts = () =>
      c.emulator.requests.filter(
        (r) => r.method === "PUT" && r.path.endsWith("/shipgate-release-renew"),
      ).length;
    expect(puts()).toBeGreaterThanOrEqual(1);
    (await lock.release(handle, live()))._unsafeUnwrap();
    const after = puts();
    await new Promise((r) => setTimeout(r, 80));
    expect(puts()).toBe(after);
    expect(lease("renew")).toBeUndefined();
  });

  it("stops renewing (and does not fight back) once someone else holds the Lease, and tells its holder (lost)", async () => {
    const lock = createKubernetesLeaseLock({
      clients: c.clients,
      leaseDurationSeconds: 1,
      renewEveryMs: 20,
    });
    const handle = (
      await lock.acquire({ service: "lost", holder: holder("mine") }, live())
    )._unsafeUnwrap();
    await new Promise((r) => setTimeout(r, 60));
    expect(handle.lost?.aborted).toBe(false); // its own renewals do not fire it
    c.emulator.edit("leases", TEST_NAMESPACE, leaseNameFor("lost"), (o) => {
      (o.spec as Record<string, unknown>).holderIdentity = "theirs";
    });
    await eventually(() => handle.lost?.aborted === true, 1_000);
    const reason = handle.lost!.reason as { kind: string; message: string };
    expect(reason.kind).toBe("conflict");
    expect(reason.message).toContain("is now held by theirs");
    await new Promise((r) => setTimeout(r, 100));
    expect(lease("lost")!.spec?.holderIdentity).toBe("theirs");
    lock.close();
  });

  it("resolves a lost create race (409 AlreadyExists) to lock_held", async () => {
    c.emulator.barrier("GET", /\/leases\/shipgate-release-race$/, 2);
    const one = createKubernetesLeaseLock({ clients: c.clients });
    const two = createKubernetesLeaseLock({ clients: c.clients });
    const results = await Promise.all([
      one.acquire({ service: "race", holder: holder("one") }, live()),
      two.acquire({ service: "race", holder: holder("two") }, live()),
    ]);
    expect(results.filter((r) => r.isOk())).toHaveLength(1);
    const loser = results.find((r) => r.isErr())!._unsafeUnwrapErr();
    expect(loser.kind).toBe("lock_held");
    expect((loser.details?.holder as LockHolder | undefined)?.id).toBe(
      lease("race")!.spec?.holderIdentity,
    );
    const creates = c.emulator.requests.filter(
      (r) =>
        r.method === "POST" &&
        (r.body as { metadata?: { name?: string } }).metadata?.name === "shipgate-release-race",
    );
    expect(creates.map((r) => r.status).sort()).toEqual([201, 409]);
    one.close();
    two.close();
  });

  describe("two processes racing for the Lease", () => {
    // esbuild is a devDependency of this package, so its bin is linked here on every install.
    const esbuild = resolve(here, "../node_modules/.bin/esbuild");
    // Inside the package (so the child resolves @kubernetes/client-node), unique per run.
    const work = resolve(here, `../node_modules/.cache/shipgate-lease-race-${process.pid}`);
    const out = join(work, "child.mjs");
    const kubeconfig = join(work, "kubeconfig.yaml");
    const available = existsSync(esbuild);
    // CI (SHIPGATE_REQUIRE_SERVERS=1) must run the race, not skip it.
    const required = process.env.SHIPGATE_REQUIRE_SERVERS === "1";
    const missing = `esbuild (to bundle the child script) not found at ${esbuild}`;
    const raceIt = (name: string, fn: () => Promise<void>) =>
      available
        ? it(name, fn, 20_000)
        : required
          ? it(name, () => {
              throw new Error(missing);
            })
          : it.skip(`${name} — skipped: ${missing}`, fn);

    beforeAll(async () => {
      if (!available) return;
      mkdirSync(work, { recursive: true });
      writeFileSync(kubeconfig, c.emulator.kubeconfigYaml(TEST_NAMESPACE));
      // Bundle the child from source (core included) so the test never depends on a stale dist.
      await run(esbuild, [
        join(here, "testing", "lease-race-child.ts"),
        "--bundle",
        "--platform=node",
        "--format=esm",
        "--target=node20",
        "--conditions=@shipgate/source",
        "--external:@kubernetes/client-node",
        `--outfile=${out}`,
        "--log-level=error",
      ]);
    }, 30_000);
    afterAll(() => {
      rmSync(work, { recursive: true, force: true });
    });

    const race = async (service: string) => {
      const children = ["runner-a", "runner-b"].map((id) =>
        run(process.execPath, [out, kubeconfig, TEST_NAMESPACE, service, id], {
          timeout: 15_000,
        }).then(
          (r) =>
            JSON.parse(r.stdout) as {
              ok: boolean;
              kind?: string;
              holder?: string;
              tookOverFrom?: string | null;
            },
        ),
      );
      return Promise.all(children);
    };

    raceIt("exactly one of two runners creating the Lease at the same moment wins", async () => {
      c.emulator.barrier("GET", /\/leases\/shipgate-release-checkout$/, 2); // both read "absent" before either creates
      const results = await race("checkout");
      const winners = results.filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      const loser = results.find((r) => !r.ok)!;
      expect(loser.kind).toBe("lock_held");
      expect(loser.holder).toBe(lease("checkout")!.spec?.holderIdentity);
    });

    raceIt(
      "exactly one of two runners taking over an expired Lease wins (409 Conflict on the stale resourceVersion)",
      async () => {
        c.emulator.apply("leases", {
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name: leaseNameFor("payments"), namespace: TEST_NAMESPACE },
          spec: {
            holderIdentity: "dead-runner",
            leaseDurationSeconds: 5,
            acquireTime: new V1MicroTime(Date.now() - 600_000).toISOString(),
            renewTime: new V1MicroTime(Date.now() - 600_000).toISOString(),
            leaseTransitions: 3,
          },
        });
        c.emulator.barrier("GET", /\/leases\/shipgate-release-payments$/, 2);
        const results = await race("payments");
        expect(results.filter((r) => r.ok)).toEqual([
          expect.objectContaining({ tookOverFrom: "dead-runner" }),
        ]);
        expect(results.find((r) => !r.ok)).toMatchObject({ kind: "lock_held" });
        expect(
          c.emulator.requests
            .filter((r) => r.method === "PUT" && r.path.endsWith("/shipgate-release-payments"))
            .map((r) => r.status)
            .sort(),
        ).toEqual([200, 409]);
        expect(lease("payments")!.spec?.leaseTransitions).toBe(4);
      },
    );
  });
});
