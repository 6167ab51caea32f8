import { describe, expect, it } from "vitest";
import { readFrontMatter } from "../artifacts/front-matter.js";
import type { JournalRecord } from "../contracts/release-journal.js";
import { dyingReleaseJournal } from "../testing/fakes/dying-release-journal.js";
import { createMemoryArtifactStore } from "../testing/fakes/memory-artifact-store.js";
import {
  createMemoryJournalBackend,
  createMemoryReleaseJournal,
} from "../testing/fakes/memory-release-journal.js";
import {
  createMemoryLockBackend,
  createMemoryReleaseLock,
  type MemoryLockBackend,
} from "../testing/fakes/memory-release-lock.js";
import { buildScenarioStack } from "../testing/run-scenario.js";
import { type ScenarioInput, scenarioSchema } from "../testing/scenario.js";
import { BREACH_AT_25_METRICS, wavesScenario } from "../testing/test-scenarios.js";
import { describeJournalRecord } from "./crashed-release.js";
import { createReleaseOrchestrator } from "./orchestrator.js";

const ENVIRONMENTS = ["staging", "prod-us-east-1", "prod-eu-west-1"];

/** Staging, then two production regions; with `breach`, prod-eu-west-1 breaches at 25%. */
function regionsScenario(breach: boolean): ScenarioInput {
  return wavesScenario(
    [["staging"], ["prod-us-east-1", "prod-eu-west-1"]],
    { bake_minutes: 10 },
    breach ? { "prod-eu-west-1": BREACH_AT_25_METRICS } : {},
  );
}

function world(scenario: ScenarioInput, options: { environmentLocks?: boolean } = {}) {
  const parsed = scenarioSchema.parse(scenario);
  const artifacts = createMemoryArtifactStore();
  const lockBackend = createMemoryLockBackend();
  const journalBackend = createMemoryJournalBackend();
  // Each environment's own lock (a Lease in its cluster, say), on its own backend.
  const environmentLockBackends: Record<string, MemoryLockBackend> = options.environmentLocks
    ? Object.fromEntries(ENVIRONMENTS.map((e) => [e, createMemoryLockBackend()]))
    : {};
  const built = buildScenarioStack(parsed, {
    artifacts,
    lockBackend,
    environmentLocks: Object.fromEntries(
      Object.entries(environmentLockBackends).map(([e, b]) => [e, createMemoryReleaseLock(b)]),
    ),
  });
  return {
    parsed,
    artifacts,
    lockBackend,
    environmentLockBackends,
    journalBackend,
    journal: createMemoryReleaseJournal(journalBackend),
    ...built,
  };
}

const records = (w: ReturnType<typeof world>) => [
  ...((w.journalBackend.journals.get("shop") as JournalRecord[] | undefined) ?? []),
];

describe("a release with waves killed at every journal boundary, then recovered", () => {
  for (const [name, breach, durable] of [
    ["success", false, true],
    ["breach in wave 2", true, true],
    ["breach in wave 2, killed after each action before its next record", true, false],
  ] as const) {
    it(`${name}: every environment that moved is back on stable (or all are live), one report, the lock free`, async () => {
      const full = world(regionsScenario(breach));
      await createReleaseOrchestrator({ ...full.stack, journal: full.journal }).release(
        full.parsed.release,
      );
      const all = records(full);
      expect(all.at(-1)?.type).toBe("finished");
      // Records of the environments name them; the release's own do not.
      expect(
        new Set(
          all.flatMap((r) => (typeof r.data.environment === "string" ? [r.data.environment] : [])),
        ),
      ).toEqual(new Set(ENVIRONMENTS));
      expect(all.map((r) => r.seq)).toEqual(all.map((_, i) => i + 1));
      const started = all.find((r) => r.type === "deploy.start")!;
      expect(describeJournalRecord(started)).toMatch(/^\[staging\] /);

      for (let n = durable ? 1 : 2; n <= all.length; n++) {
        const w = world(regionsScenario(breach));
        void createReleaseOrchestrator({
          ...w.stack,
          journal: dyingReleaseJournal(w.journal, n, { durable }),
        }).release(w.parsed.release);
        for (let i = 0; i < 300; i++) await new Promise((r) => setImmediate(r));
        const journaled = records(w);
        const label = `killed after ${durable ? "record" : "the action of record"} ${journaled.length} (${journaled.at(-1)?.type} ${String(journaled.at(-1)?.data.environment ?? "")})`;
        expect(journaled, label).toHaveLength(durable ? n : n - 1);
        const dead = w.lockBackend.holders.get("shop");
        if (dead) dead.stale = true;
        const next = createReleaseOrchestrator({ ...w.stack, journal: w.journal });
        const recovered = await next.recover({ service: "shop" });
        const finished = journaled.at(-1)?.type === "finished";
        const succeeded = journaled.some(
          (r) => r.type === "outcome" && r.data.status === "SUCCESS",
        );
        const moved = new Set(
          journaled.flatMap((r) => (r.type === "deploy.start" ? [String(r.data.environment)] : [])),
        );
        for (const env of ENVIRONMENTS) {
          const state = w.environments[env]!.state;
          // Every environment is on exactly one version, nothing half-way.
          expect(state.canaryVersion, `${label}: ${env}`).toBeNull();
          expect(state.phase, `${label}: ${env}`).toBe("healthy");
          expect(state.stableVersion, `${label}: ${env}`).toBe(
            succeeded || (finished && !breach) ? "v1.4.0" : "v1.3.0",
          );
        }
        expect(w.lockBackend.holders.has("shop"), label).toBe(false);
        if (finished) expect(recovered, label).toBeNull();
        else if (succeeded) expect(recovered?.status, label).toBe("SUCCESS");
        else {
          expect(recovered?.reason, label).toBe("recovered_after_crash");
          expect(recovered?.exitCode, label).toBe(moved.size ? 3 : 1);
          if (moved.size) expect(recovered?.rollbackVerified, label).toBe(true);
        }
        const reports = [...w.artifacts.files.keys()].filter(
          (p) => p.startsWith("devops/reports/") && p.endsWith(".md"),
        );
        expect(reports, label).toEqual(["devops/reports/release-v1.4.0.md"]);
        // One incident at most, even when the run died after filing it but before journaling that.
        const incidents = [...w.artifacts.files.keys()].filter((p) => p.startsWith("incidents/"));
        expect(incidents.length, label).toBeLessThanOrEqual(1);
        const report = w.artifacts.files.get(reports[0]!)!;
        expect(readFrontMatter(report)?.status, label).not.toBe("IN_PROGRESS");
        if (!finished && !succeeded && moved.size)
          for (const env of moved)
            expect(report, `${label}: ${env}`).toMatch(
              new RegExp(
                `### Environment ${env} \\(wave \\d\\)\\n\\nState: [^\\n]*rolled back \\(verified\\)`,
              ),
            );
        expect(await next.recover({ service: "shop" }), label).toBeNull();
      }
    });
  }
});

describe("recovering a release with waves whose environments have their own locks", () => {
  /** A release killed right after its first record in wave 2; its holders are dead. */
  async function crashedInWave2() {
    const full = world(regionsScenario(false), { environmentLocks: true });
    await createReleaseOrchestrator({ ...full.stack, journal: full.journal }).release(
      full.parsed.release,
    );
    const n = records(full).findIndex((r) => r.data.environment === "prod-eu-west-1") + 2;
    const w = world(regionsScenario(false), { environmentLocks: true });
    void createReleaseOrchestrator({
      ...w.stack,
      journal: dyingReleaseJournal(w.journal, n),
    }).release(w.parsed.release);
    for (let i = 0; i < 300; i++) await new Promise((r) => setImmediate(r));
    for (const backend of [w.lockBackend, ...Object.values(w.environmentLockBackends)]) {
      const dead = backend.holders.get("shop");
      if (dead) dead.stale = true;
    }
    const moved = records(w).flatMap((r) =>
      r.type === "deploy.start" ? [String(r.data.environment)] : [],
    );
    expect(moved).toEqual(ENVIRONMENTS);
    return w;
  }

  it("rolls each environment back under its own lock, taken over from the dead run and given back", async () => {
    const w = await crashedInWave2();
    const locked: string[] = [];
    const recovered = await createReleaseOrchestrator({ ...w.stack, journal: w.journal }).recover(
      { service: "shop" },
      {
        onEvent: (e) => {
          if (e.type === "lock.acquired" && e.environment) {
            locked.push(e.environment);
            expect(w.environmentLockBackends[e.environment]!.holders.get("shop")?.stale).toBe(
              undefined,
            );
          }
        },
      },
    );
    expect(recovered).toMatchObject({ reason: "recovered_after_crash", exitCode: 3 });
    expect(recovered?.rollbackVerified).toBe(true);
    expect(locked).toEqual(["prod-eu-west-1", "prod-us-east-1", "staging"]);
    for (const env of ENVIRONMENTS) {
      expect(w.environments[env]!.state.stableVersion, env).toBe("v1.3.0");
      expect(w.environmentLockBackends[env]!.holders.has("shop"), env).toBe(false);
    }
  });

  it("leaves alone an environment whose lock another live release holds: not verified, said so", async () => {
    const w = await crashedInWave2();
    const other = createMemoryReleaseLock(w.environmentLockBackends["prod-us-east-1"]!);
    w.environmentLockBackends["prod-us-east-1"]!.holders.delete("shop");
    await other.acquire(
      {
        service: "shop",
        holder: {
          id: "other-run",
          host: "elsewhere",
          pid: 7,
          startedAt: "2026-01-05T11:00:00Z",
          version: "v1.4.1",
        },
      },
      { signal: new AbortController().signal },
    );
    const recovered = await createReleaseOrchestrator({ ...w.stack, journal: w.journal }).recover({
      service: "shop",
    });
    expect(recovered).toMatchObject({ reason: "recovered_after_crash", exitCode: 3 });
    expect(recovered?.rollbackVerified).toBe(false);
    const us = recovered?.environments?.find((e) => e.name === "prod-us-east-1");
    expect(us).toMatchObject({ rolledBack: true, rollbackVerified: false });
    expect(us?.summary).toMatch(/not rolled back: could not take the lock of prod-us-east-1/);
    // The other release's environment is untouched; the rest went back.
    expect(w.environments["prod-us-east-1"]!.state.canaryVersion).toBe("v1.4.0");
    expect(w.environments["prod-eu-west-1"]!.state.stableVersion).toBe("v1.3.0");
    expect(w.environments.staging!.state.stableVersion).toBe("v1.3.0");
    expect(w.environmentLockBackends["prod-us-east-1"]!.holders.get("shop")?.id).toBe("other-run");
    const report = w.artifacts.files.get("devops/reports/release-v1.4.0.md")!;
    expect(report).toContain("ROLLBACK NOT VERIFIED in prod-us-east-1");
  });
});
