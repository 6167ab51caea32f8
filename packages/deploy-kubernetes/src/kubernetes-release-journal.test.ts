import { V1MicroTime } from "@kubernetes/client-node";
import {
  createReleaseOrchestrator,
  type JournalRecord,
  RELEASE_JOURNAL_FORMAT,
  type ReleaseJournal,
  type ReleaseStack,
  releaseSpecSchema,
} from "@shipgate/core";
import {
  buildScenarioStack,
  createMemoryArtifactStore,
  describeReleaseJournalConformance,
  dyingReleaseJournal,
  scenarioSchema,
} from "@shipgate/core/testing";
import { describe, expect, it } from "vitest";
import { makeKubeClients } from "./kube-clients.js";
import { createKubernetesLeaseLock, leaseNameFor } from "./kubernetes-lease-lock.js";
import {
  createKubernetesReleaseJournal,
  JOURNAL_ANNOTATION,
} from "./kubernetes-release-journal.js";
import {
  sharedTestCluster,
  startTestCluster,
  TEST_NAMESPACE,
} from "./testing/kube-test-cluster.js";

const live = () => ({ signal: new AbortController().signal });

describeReleaseJournalConformance("Kubernetes Lease journal", async () => {
  const c = await startTestCluster(false);
  const name = (service: string) => leaseNameFor(service, "shipgate-journal-");
  const editText = async (service: string, change: (text: string) => string): Promise<void> => {
    c.emulator.edit("leases", TEST_NAMESPACE, name(service), (lease) => {
      const meta = lease.metadata as { annotations: Record<string, string> };
      meta.annotations[JOURNAL_ANNOTATION] = change(meta.annotations[JOURNAL_ANNOTATION] ?? "");
    });
  };
  return {
    makeJournal: () => createKubernetesReleaseJournal({ clients: c.clients }),
    truncateLastRecord: async (service) =>
      editText(service, (text) => {
        const start = text.slice(0, -1).lastIndexOf("\n") + 1;
        return text.slice(0, start) + text.slice(start, start + 20);
      }),
    plantRecord: async (service, value) =>
      editText(service, (text) => `${text}${JSON.stringify(value)}\n`),
    atomicAppend: true,
    cleanup: async () => {
      await c.close();
      if (c.emulator.violations.length) throw new Error(c.emulator.violations.join("\n"));
    },
  };
});

describe("the Kubernetes lock and journal, with two runners", () => {
  const c = sharedTestCluster({ controller: false });

  /** A runner: its own API clients, Lease lock, journal and artifacts; the platform (deployer) is shared. */
  const runner = (
    host: string,
    shared: ReturnType<typeof buildScenarioStack>,
    now?: () => number,
  ) => {
    const clients = makeKubeClients(c.kubeConfig, "emulator", TEST_NAMESPACE, {
      requestTimeoutMs: 2_000,
      maxRetries: 2,
    })._unsafeUnwrap();
    const lock = createKubernetesLeaseLock({ clients, leaseDurationSeconds: 60, now });
    const journal = createKubernetesReleaseJournal({ clients });
    const artifacts = createMemoryArtifactStore();
    const stack: ReleaseStack = {
      ...shared.stack,
      lock,
      journal,
      artifacts,
      holder: { host, pid: 4242 },
    };
    return { lock, journal, artifacts, stack };
  };

  const scenario = (service: string) =>
    scenarioSchema.parse({
      release: {
        environment: "production",
        service,
        version: "v1.4.0",
        sha: "3f2a9c1d4b5e6f708192a3b4c5d6e7f809a1b2c3",
        previous_release_tag: "v1.3.0",
        slo: { error_rate_max: 0.01, p95_latency_ms: 300, window_minutes: 10 },
      },
      repository: { tags: { "v1.3.0": "1".repeat(40) } },
      ci: { checks: [{ name: "unit", conclusion: "success" }] },
      metrics: { default: { error_rate: 0.002, p95_latency_ms: 120 } },
    });

  it("runner A dies at 25%; once its Lease expires, runner B (another host) recovers the release from the journal", async () => {
    const s = scenario("shop");
    const shared = buildScenarioStack(s);
    const a = runner("ci-runner-a", shared);
    const records: string[] = [];
    const counting: ReleaseJournal = {
      ...a.journal,
      append: (svc, r, o) => {
        records.push(r.type);
        return a.journal.append(svc, r, o);
      },
    };
    // Die right after "weight.set 25" is durable: 25% may or may not be set.
    const spec = releaseSpecSchema.parse(s.release);
    void createReleaseOrchestrator({
      ...a.stack,
      journal: dyingReleaseJournal(counting, 8),
    }).release(spec);
    for (let i = 0; i < 400 && shared.deployer.state.history.length < 1; i++)
      await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 200));
    a.lock.close(); // the runner is gone: nobody renews its Lease
    const journaled = (await a.journal.read("shop", live()))._unsafeUnwrap()!;
    expect(journaled.records.at(-1)).toMatchObject({ type: "weight.set", data: { weight: 25 } });
    expect(journaled.ref).toBe(`${TEST_NAMESPACE}/shipgate-journal-shop`);

    // Before the Lease expires, B may not touch it.
    const early = runner("ci-runner-b", shared);
    const refused = await createReleaseOrchestrator(early.stack).recover({ service: "shop" });
    expect(refused).toMatchObject({ reason: "lock_held", exitCode: 4 });
    early.lock.close();

    // Two minutes later (the Lease lasts 60 s and was not renewed), B takes it over and recovers.
    const b = runner("ci-runner-b", shared, () => Date.now() + 120_000);
    const outcome = await createReleaseOrchestrator(b.stack).recover({ service: "shop" });
    b.lock.close();
    expect(outcome).toMatchObject({
      status: "ABORTED",
      reason: "recovered_after_crash",
      exitCode: 3,
      rollbackVerified: true,
    });
    expect(shared.deployer.state).toMatchObject({
      stableVersion: "v1.3.0",
      canaryVersion: null,
      weight: 0,
      phase: "healthy",
    });
    expect(c.emulator.get("leases", TEST_NAMESPACE, leaseNameFor("shop"))).toBeUndefined(); // the lock is free
    const after = (await b.journal.read("shop", live()))._unsafeUnwrap()!;
    expect(after.records.at(-1)?.type).toBe("finished");
    const recovery = after.records.find((r) => r.type === "recovery.started");
    expect(recovery?.data.by).toMatchObject({ host: "ci-runner-b" });
    expect(after.records.slice(0, 8).every((r) => r.run === journaled.records[0]!.run)).toBe(true);
    expect(b.artifacts.files.get("devops/reports/release-v1.4.0.md")).toContain(
      "reason: recovered_after_crash",
    );
  });

  it("two runners racing to recover the same dead release: exactly one recovers, rolled back once", async () => {
    const s = scenario("cart");
    const shared = buildScenarioStack(s);
    let rollbacks = 0;
    const rollback = shared.deployer.rollback;
    shared.deployer.rollback = (t, o) => {
      rollbacks += 1;
      return rollback(t, o);
    };
    const a = runner("ci-runner-a", shared);
    void createReleaseOrchestrator({
      ...a.stack,
      journal: dyingReleaseJournal(a.journal, 7),
    }).release(releaseSpecSchema.parse(s.release));
    for (let i = 0; i < 400 && shared.deployer.state.history.length < 1; i++)
      await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 200));
    a.lock.close();
    c.emulator.edit("leases", TEST_NAMESPACE, leaseNameFor("cart"), (lease) => {
      (lease.spec as Record<string, unknown>).renewTime = new V1MicroTime(
        Date.now() - 3_600_000,
      ).toISOString();
    });
    const b = runner("ci-runner-b", shared);
    const d = runner("ci-runner-c", shared);
    const [fromB, fromC] = await Promise.all([
      createReleaseOrchestrator(b.stack).recover({ service: "cart" }),
      createReleaseOrchestrator(d.stack).recover({ service: "cart" }),
    ]);
    b.lock.close();
    d.lock.close();
    const outcomes = [fromB, fromC];
    const recovered = outcomes.filter((o) => o?.reason === "recovered_after_crash");
    expect(recovered).toHaveLength(1);
    // The loser found the lock held, or (if it came second) nothing left to recover.
    expect(outcomes.filter((o) => o === null || o.reason === "lock_held")).toHaveLength(1);
    expect(rollbacks).toBe(1);
    expect(shared.deployer.state).toMatchObject({ stableVersion: "v1.3.0", canaryVersion: null });
  });

  it("refuses a record that would take the journal past its bound", async () => {
    const journal = createKubernetesReleaseJournal({ clients: c.clients, maxBytes: 2_000 });
    const record = (seq: number, data: Record<string, unknown>): JournalRecord => ({
      v: RELEASE_JOURNAL_FORMAT,
      seq,
      at: new Date().toISOString(),
      type: "weight.set",
      run: "r",
      data,
    });
    (await journal.begin("big", record(1, {}), live()))._unsafeUnwrap();
    const refused = await journal.append("big", record(2, { pad: "x".repeat(3_000) }), live());
    expect(refused._unsafeUnwrapErr().kind).toBe("precondition_failed");
    expect((await journal.read("big", live()))._unsafeUnwrap()?.records).toHaveLength(1);
  });
});
