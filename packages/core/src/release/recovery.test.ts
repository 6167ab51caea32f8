import { errAsync, okAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { readFrontMatter } from "../artifacts/front-matter.js";
import type { JournalRecord } from "../contracts/release-journal.js";
import { ShipgateError } from "../errors/shipgate-error.js";
import type { ReleaseEvent } from "../model/release-events.js";
import type { ReleaseOutcome } from "../model/release-outcome.js";
import { dyingReleaseJournal } from "../testing/fakes/dying-release-journal.js";
import { createMemoryArtifactStore } from "../testing/fakes/memory-artifact-store.js";
import { createMemoryIncidentSink } from "../testing/fakes/memory-incident-sink.js";
import {
  createMemoryJournalBackend,
  createMemoryReleaseJournal,
  type MemoryJournalBackend,
} from "../testing/fakes/memory-release-journal.js";
import {
  createMemoryLockBackend,
  type MemoryLockBackend,
} from "../testing/fakes/memory-release-lock.js";
import { buildScenarioStack } from "../testing/run-scenario.js";
import { type ScenarioInput, scenarioSchema } from "../testing/scenario.js";
import { baseScenario } from "../testing/test-scenarios.js";
import { createReleaseOrchestrator } from "./orchestrator.js";

function world(scenario: ScenarioInput) {
  const parsed = scenarioSchema.parse(scenario);
  const artifacts = createMemoryArtifactStore();
  const lockBackend: MemoryLockBackend = createMemoryLockBackend();
  const journalBackend: MemoryJournalBackend = createMemoryJournalBackend();
  const built = buildScenarioStack(parsed, { artifacts, lockBackend });
  const journal = createMemoryReleaseJournal(journalBackend);
  // Count rollbacks that undo something: a second one would take production a version further back.
  const effectiveRollbacks = { count: 0 };
  const rollback = built.deployer.rollback;
  built.deployer.rollback = (target, o) => {
    const s = built.deployer.state;
    if (s.canaryVersion !== null || s.stableVersion === target.version)
      effectiveRollbacks.count += 1;
    return rollback(target, o);
  };
  return { parsed, artifacts, lockBackend, journalBackend, journal, effectiveRollbacks, ...built };
}

const breach = () =>
  baseScenario({
    metrics: {
      "25": { error_rate: 0.05, p95_latency_ms: 120 },
      default: { error_rate: 0.002, p95_latency_ms: 120 },
    },
  });

/**
 * Starts a release whose run dies after its `n`th journal record (or, with `durable: false`,
 * after the action of record `n - 1`, before record `n` is written), and lets it get that far.
 */
async function crashAfterRecord(
  w: ReturnType<typeof world>,
  n: number,
  options: { durable?: boolean } = {},
): Promise<void> {
  const journal = dyingReleaseJournal(w.journal, n, options);
  const run = createReleaseOrchestrator({ ...w.stack, journal }).release(w.parsed.release);
  // The run reaches the write it dies in and freezes there (the process is gone).
  await Promise.race([journal.died, run.then(() => expect.fail("the run did not die"))]);
}

async function recordsOfAFullRun(scenario: ScenarioInput): Promise<string[]> {
  const w = world(scenario);
  await createReleaseOrchestrator({ ...w.stack, journal: w.journal }).release(w.parsed.release);
  return (w.journalBackend.journals.get("shop") as { type: string }[]).map((r) => r.type);
}

describe("a release killed at every journal boundary, then recovered", () => {
  for (const [name, scenario, durable] of [
    ["success", baseScenario, true],
    ["breach at 25%", breach, true],
    ["success, killed after each action before its next record", baseScenario, false],
    ["breach at 25%, killed after each action before its next record", breach, false],
  ] as const) {
    it(`${name}: stable serves, one report per attempt names what happened, the lock is free`, async () => {
      const full = await recordsOfAFullRun(scenario());
      expect(full[0]).toBe("release.started");
      expect(full.at(-1)).toBe("finished");
      for (let n = durable ? 1 : 2; n <= full.length; n++) {
        const w = world(scenario());
        await crashAfterRecord(w, n, { durable });
        const journaled = [
          ...((w.journalBackend.journals.get("shop") as { type: string }[]) ?? []),
        ];
        expect(journaled, `crash after record ${n}`).toHaveLength(durable ? n : n - 1);
        const dead = w.lockBackend.holders.get("shop");
        if (dead) dead.stale = true;

        const next = createReleaseOrchestrator({ ...w.stack, journal: w.journal });
        const recovered = await next.recover({ service: "shop" });
        const label = `killed after ${durable ? "record" : "the action of record"} ${journaled.length} (${journaled.at(-1)?.type})`;
        const state = w.deployer.state;
        // Production is on exactly one version, and nothing is left half-way.
        expect(state.canaryVersion, label).toBeNull();
        expect(state.phase, label).toBe("healthy");
        expect(w.lockBackend.holders.has("shop"), label).toBe(false);
        const reports = [...w.artifacts.files.keys()].filter(
          (p) => p.startsWith("devops/reports/") && p.endsWith(".md"),
        );
        const finished = journaled.at(-1)?.type === "finished";
        if (finished) {
          expect(recovered, label).toBeNull();
        } else if (
          journaled.some(
            (r) =>
              r.type === "outcome" &&
              (r as { data?: { status?: string } }).data?.status === "SUCCESS",
          )
        ) {
          // Promoted and stabilized before the crash: live, so the recovery finishes the paperwork.
          expect(recovered, label).toMatchObject({
            status: "SUCCESS",
            reason: "released",
            exitCode: 0,
          });
          expect(state.stableVersion, label).toBe("v1.4.0");
          expect(recovered?.warnings.join("\n"), label).toContain("RECOVERED AFTER A CRASH");
        } else {
          expect(recovered?.reason, label).toBe("recovered_after_crash");
          const deployed = journaled.some((r) => r.type === "deploy.start");
          expect(recovered?.exitCode, label).toBe(deployed ? 3 : 1);
          if (deployed) {
            expect(state.stableVersion, label).toBe("v1.3.0");
            expect(recovered?.rollbackVerified, label).toBe(true);
            expect(recovered?.paths.incident, label).toMatch(/^incidents\//);
          }
        }
        expect(reports, label).toEqual(["devops/reports/release-v1.4.0.md"]);
        // One incident at most, even when the run died after filing it but before journaling that.
        const incidents = [...w.artifacts.files.keys()].filter((p) => p.startsWith("incidents/"));
        expect(incidents.length, label).toBeLessThanOrEqual(1);
        if (recovered?.paths.incident) expect(incidents, label).toEqual([recovered.paths.incident]);
        const fm = readFrontMatter(w.artifacts.files.get(reports[0]!)!);
        expect(fm?.status, label).not.toBe("IN_PROGRESS");
        if (!finished && recovered?.status !== "SUCCESS")
          expect(fm?.reason, label).toBe("recovered_after_crash");
        // The journal is closed: recovering again finds nothing to do.
        expect(await next.recover({ service: "shop" }), label).toBeNull();
        // Rolled back at most once: no second undo of an already restored stable version.
        expect(w.effectiveRollbacks.count, label).toBeLessThanOrEqual(1);
      }
    });
  }

  it("a new release recovers the crashed one first, and exits 3 when it had to roll back", async () => {
    const w = world(baseScenario());
    const full = await recordsOfAFullRun(baseScenario());
    const n = full.indexOf("weight.set") + 2; // 5% set, its watch under way
    await crashAfterRecord(w, n);
    w.lockBackend.holders.get("shop")!.stale = true;
    const outcome = await createReleaseOrchestrator({ ...w.stack, journal: w.journal }).release({
      ...(w.parsed.release as object),
      version: "v1.4.1",
    });
    expect(outcome).toMatchObject({
      status: "ABORTED",
      reason: "recovered_after_crash",
      exitCode: 3,
      version: "v1.4.0",
    });
    expect(w.deployer.state).toMatchObject({
      stableVersion: "v1.3.0",
      canaryVersion: null,
      weight: 0,
    });
    expect(w.lockBackend.holders.has("shop")).toBe(false);
    expect(w.artifacts.files.has("devops/reports/release-v1.4.1.md")).toBe(false);
  });

  it("a crash before the canary closes the crashed attempt and goes on with the new release (-retry1)", async () => {
    const w = world(baseScenario());
    await crashAfterRecord(w, 3);
    w.lockBackend.holders.get("shop")!.stale = true;
    const outcome = await createReleaseOrchestrator({ ...w.stack, journal: w.journal }).release(
      w.parsed.release,
    );
    expect(outcome).toMatchObject({ status: "SUCCESS", exitCode: 0 });
    expect(outcome.paths.report).toBe("devops/reports/release-v1.4.0-retry1.md");
    const first = readFrontMatter(w.artifacts.files.get("devops/reports/release-v1.4.0.md")!);
    expect(first).toMatchObject({ status: "FAILED", reason: "recovered_after_crash" });
  });

  it("a run killed after filing its incident, before journaling that: the recovery finds it in each sink that can look, and files again only where it cannot", async () => {
    const w = world(breach());
    const found = createMemoryIncidentSink();
    const { findOpened: _, ...blind } = createMemoryIncidentSink();
    const lost = { ...createMemoryIncidentSink(), name: "lookup-down" };
    lost.findOpened = () => errAsync(new ShipgateError("unavailable", "search is down"));
    const sinks = [found, blind, lost];
    w.stack.incidents = sinks;
    const full = await recordsOfAFullRun(breach());
    await crashAfterRecord(w, full.indexOf("incident") + 2, { durable: false });
    for (const sink of sinks) expect(sink.opened).toHaveLength(1);
    const key = found.opened[0]!.releaseKey!;
    expect(key).toMatch(/^shipgate\/shop\/production\/v1\.4\.0\/.+/);
    w.lockBackend.holders.get("shop")!.stale = true;

    const events: ReleaseEvent[] = [];
    const outcome = await createReleaseOrchestrator({ ...w.stack, journal: w.journal }).recover(
      { service: "shop" },
      { onEvent: (e) => events.push(e) },
    );
    expect(outcome).toMatchObject({ status: "ABORTED", exitCode: 3 });
    // Found where it could look; filed again (under the same key) where it could not.
    expect(found.opened).toHaveLength(1);
    expect(blind.opened.map((i) => i.releaseKey)).toEqual([key, key]);
    expect(lost.opened.map((i) => i.releaseKey)).toEqual([key, key]);
    expect(
      events
        .filter((e) => e.type === "incident.opened")
        .map((e) => [e.sink, e.type === "incident.opened" && e.found === true]),
    ).toEqual([
      ["file", true],
      ["memory-incidents", true],
      ["memory-incidents", false],
      ["lookup-down", false],
    ]);
    expect(outcome?.warnings.join("\n")).toContain(
      "could not look up in lookup-down the incident filed before the crash, so it is filed again: search is down",
    );
    const incidents = [...w.artifacts.files.keys()].filter((p) => p.startsWith("incidents/"));
    expect(incidents).toEqual([outcome?.paths.incident]);
  });

  it("a run that stalls past its lock's expiry and is taken over stops at once and changes nothing more: the recovery alone rolls back and reports", async () => {
    const w = world(baseScenario());
    let recovery: Promise<ReleaseOutcome | null> | null = null;
    let journaledAtTakeover = 0;
    let actionsAtTakeover = 0;
    const zombie = await createReleaseOrchestrator({ ...w.stack, journal: w.journal }).release(
      w.parsed.release,
      {
        onEvent: (e) => {
          if (e.type !== "canary.step.started" || e.weight !== 25 || recovery) return;
          // The run is presumed dead (its heartbeat expired) and a recovery takes over.
          w.lockBackend.holders.get("shop")!.stale = true;
          journaledAtTakeover = w.journalBackend.journals.get("shop")!.length;
          actionsAtTakeover = w.deployer.state.history.length;
          recovery = createReleaseOrchestrator({ ...w.stack, journal: w.journal }).recover({
            service: "shop",
          });
        },
      },
    );
    const recovered = await recovery!;
    expect(zombie).toMatchObject({ status: "FAILED", reason: "lock_lost", exitCode: 4 });
    expect(zombie.summary).toContain("lost the release lock");
    expect(zombie.warnings.join("\n")).toContain("LOCK LOST");
    expect(recovered).toMatchObject({ status: "ABORTED", reason: "recovered_after_crash" });
    // Only the recovery acted after the takeover: no weight set, one rollback, no promote.
    expect(w.deployer.state.history.slice(actionsAtTakeover)).toEqual([]);
    expect(w.effectiveRollbacks.count).toBe(1);
    expect(w.deployer.state).toMatchObject({ stableVersion: "v1.3.0", canaryVersion: null });
    // The journal after the takeover is the recovery's alone.
    const records = w.journalBackend.journals.get("shop") as { type: string; run: string }[];
    const zombieRun = records[0]!.run;
    expect(records.slice(journaledAtTakeover).filter((r) => r.run === zombieRun)).toEqual([]);
    // One report, the recovery's, not overwritten by the stalled run.
    const report = w.artifacts.files.get("devops/reports/release-v1.4.0.md")!;
    expect(readFrontMatter(report)).toMatchObject({
      status: "ABORTED",
      reason: "recovered_after_crash",
    });
    expect(w.lockBackend.holders.has("shop")).toBe(false);
  });

  it("taken over during its rollback, a stalled run stops there: the recovery's report stands and one incident is filed", async () => {
    const w = world(breach());
    let recovery: Promise<ReleaseOutcome | null> | null = null;
    const zombie = await createReleaseOrchestrator({ ...w.stack, journal: w.journal }).release(
      w.parsed.release,
      {
        onEvent: (e) => {
          if (e.type !== "rollback.started" || recovery) return;
          w.lockBackend.holders.get("shop")!.stale = true;
          recovery = createReleaseOrchestrator({ ...w.stack, journal: w.journal }).recover({
            service: "shop",
          });
        },
      },
    );
    const recovered = await recovery!;
    expect(zombie).toMatchObject({ reason: "lock_lost", exitCode: 4 });
    expect(recovered).toMatchObject({ status: "ABORTED", reason: "recovered_after_crash" });
    expect(w.deployer.state).toMatchObject({ stableVersion: "v1.3.0", canaryVersion: null });
    const report = w.artifacts.files.get("devops/reports/release-v1.4.0.md")!;
    expect(readFrontMatter(report)).toMatchObject({ reason: "recovered_after_crash" });
    const incidents = [...w.artifacts.files.keys()].filter((p) => p.startsWith("incidents/"));
    expect(incidents).toHaveLength(1);
  });

  it("a run that finds another run's records in its journal (taken over; its lock said nothing yet) stops before its next action", async () => {
    const w = world(baseScenario());
    let weightsAtTakeover = -1;
    const outcome = await createReleaseOrchestrator({ ...w.stack, journal: w.journal }).release(
      w.parsed.release,
      {
        onEvent: (e) => {
          if (e.type !== "canary.step.started" || e.weight !== 5 || weightsAtTakeover >= 0) return;
          const records = w.journalBackend.journals.get("shop") as JournalRecord[];
          const last = records.at(-1)!;
          records.push({
            ...last,
            seq: last.seq + 1,
            type: "recovery.started",
            run: "another-run",
            data: {},
          });
          weightsAtTakeover = w.deployer.state.history.length;
        },
      },
    );
    expect(outcome).toMatchObject({ status: "FAILED", reason: "lock_lost", exitCode: 4 });
    expect(outcome.summary).toContain("another run wrote the release journal of shop");
    // No weight set and no rollback after the other run's record.
    expect(w.deployer.state.history.slice(weightsAtTakeover)).toEqual([]);
    expect(w.effectiveRollbacks.count).toBe(0);
    expect((w.journalBackend.journals.get("shop") as JournalRecord[]).at(-1)?.run).toBe(
      "another-run",
    );
  });

  it("its own record that landed although the write reported a failure is not mistaken for a takeover: the run rolls back as usual", async () => {
    const w = world(baseScenario());
    let failed = false;
    const journal = {
      ...w.journal,
      append: (service: string, record: JournalRecord, o: { signal: AbortSignal }) =>
        w.journal.append(service, record, o).andThen((v) => {
          if (failed || record.type !== "weight.set") return okAsync(v);
          failed = true;
          return errAsync(new ShipgateError("timeout", "the journal write timed out"));
        }),
    };
    const outcome = await createReleaseOrchestrator({ ...w.stack, journal }).release(
      w.parsed.release,
    );
    expect(failed).toBe(true);
    expect(outcome.reason).not.toBe("lock_lost");
    expect(outcome.status).toBe("ABORTED");
    expect(w.effectiveRollbacks.count).toBe(1);
    expect(w.deployer.state).toMatchObject({ stableVersion: "v1.3.0", canaryVersion: null });
  });

  it("a live holder's lock is not recovered (exit 4)", async () => {
    const w = world(baseScenario());
    await crashAfterRecord(w, 5);
    const outcome = await createReleaseOrchestrator({ ...w.stack, journal: w.journal }).recover({
      service: "shop",
    });
    expect(outcome).toMatchObject({ reason: "lock_held", exitCode: 4 });
  });

  it("refuses to start over a journal of a newer format, saying so", async () => {
    const w = world(baseScenario());
    w.journalBackend.journals.set("shop", [
      { v: 99, seq: 1, at: "x", type: "release.started", run: "r", data: {} },
    ]);
    const outcome = await createReleaseOrchestrator({ ...w.stack, journal: w.journal }).release(
      w.parsed.release,
    );
    expect(outcome.exitCode).toBe(1);
    expect(outcome.summary).toContain("newer shipgate");
    expect(w.deployer.state.history).toEqual([]);
  });
});

describe("the report from the first step", () => {
  it("exists, IN_PROGRESS, as soon as the release starts, and its last write gives the final status", async () => {
    const w = world(baseScenario());
    const seen: string[] = [];
    const outcome = await createReleaseOrchestrator({ ...w.stack, journal: w.journal }).release(
      w.parsed.release,
      {
        onEvent: (e) => {
          const text = w.artifacts.files.get("devops/reports/release-v1.4.0.md");
          if (e.type === "canary.step.started" || e.type === "tag.created")
            seen.push(`${e.type}:${String(readFrontMatter(text ?? "")?.status)}`);
        },
      },
    );
    expect(seen).toEqual([
      "tag.created:IN_PROGRESS",
      "canary.step.started:IN_PROGRESS",
      "canary.step.started:IN_PROGRESS",
      "canary.step.started:IN_PROGRESS",
    ]);
    expect(outcome.paths.report).toBe("devops/reports/release-v1.4.0.md");
    expect(
      readFrontMatter(w.artifacts.files.get("devops/reports/release-v1.4.0.md")!)?.status,
    ).toBe("SUCCESS");
  });
});

describe("recover({ resume: true })", () => {
  const crashAt25 = async (scenario: ScenarioInput) => {
    const w = world(scenario);
    const full = await recordsOfAFullRun(scenario);
    // Dies right after "weight.set 25" is durable, before setting it: 5% passed, 25% announced.
    const n = full.indexOf("weight.set", full.indexOf("weight.set") + 1) + 1;
    await crashAfterRecord(w, n);
    w.lockBackend.holders.get("shop")!.stale = true;
    expect(w.deployer.state).toMatchObject({ canaryVersion: "v1.4.0", weight: 5 });
    return w;
  };
  const resumable = (overrides: Partial<ScenarioInput> = {}) =>
    baseScenario({ ...overrides, release: { policy: { resume_after_crash: true } } });

  it("continues from the last passed step when the policy allows it and the deployer is where the journal left it", async () => {
    const w = await crashAt25(resumable());
    const outcome = await createReleaseOrchestrator({ ...w.stack, journal: w.journal }).recover({
      service: "shop",
      resume: true,
    });
    expect(outcome).toMatchObject({ status: "SUCCESS", reason: "released", exitCode: 0 });
    expect(w.deployer.state.history).toEqual([5, 25, 100]);
    expect(w.deployer.state).toMatchObject({ stableVersion: "v1.4.0", canaryVersion: null });
    const types = w.journalBackend.journals.get("shop") as {
      type: string;
      data: Record<string, unknown>;
    }[];
    expect(types.find((r) => r.type === "recovery.started")?.data).toMatchObject({
      mode: "resume",
      resumeAt: 25,
    });
    expect(types.at(-1)?.type).toBe("finished");
    const fm = readFrontMatter(w.artifacts.files.get("devops/reports/release-v1.4.0.md")!);
    expect(fm).toMatchObject({ status: "SUCCESS", attempt: 0 });
    expect(w.lockBackend.holders.has("shop")).toBe(false);
  });

  it("a breach after resuming rolls back and files the incident, like any release", async () => {
    const w = await crashAt25(
      resumable({
        metrics: {
          "25": { error_rate: 0.05, p95_latency_ms: 120 },
          default: { error_rate: 0.002, p95_latency_ms: 120 },
        },
      }),
    );
    const outcome = await createReleaseOrchestrator({ ...w.stack, journal: w.journal }).recover({
      service: "shop",
      resume: true,
    });
    expect(outcome).toMatchObject({
      status: "ABORTED",
      reason: "slo_breach",
      exitCode: 3,
      rollbackVerified: true,
    });
    expect(outcome?.paths.incident).toMatch(/^incidents\//);
    expect(w.deployer.state).toMatchObject({
      stableVersion: "v1.3.0",
      canaryVersion: null,
      weight: 0,
    });
  });

  it("is refused without changing anything when the policy does not allow it", async () => {
    const w = await crashAt25(baseScenario());
    const before = (w.journalBackend.journals.get("shop") as unknown[]).length;
    const outcome = await createReleaseOrchestrator({ ...w.stack, journal: w.journal }).recover({
      service: "shop",
      resume: true,
    });
    expect(outcome).toMatchObject({ status: "FAILED", exitCode: 1 });
    expect(outcome?.summary).toContain("policy.resume_after_crash is off");
    expect(outcome?.summary).toContain("without --resume");
    expect(w.deployer.state).toMatchObject({ canaryVersion: "v1.4.0", weight: 5 });
    expect((w.journalBackend.journals.get("shop") as unknown[]).length).toBe(before);
    expect(w.lockBackend.holders.has("shop")).toBe(false);
    // Without --resume it rolls back.
    const rolled = await createReleaseOrchestrator({ ...w.stack, journal: w.journal }).recover({
      service: "shop",
    });
    expect(rolled).toMatchObject({ reason: "recovered_after_crash", exitCode: 3 });
  });

  it("rolls back instead when the deployer is not where the journal left it", async () => {
    const w = await crashAt25(resumable());
    w.deployer.state.weight = 50; // someone moved traffic by hand meanwhile
    const outcome = await createReleaseOrchestrator({ ...w.stack, journal: w.journal }).recover({
      service: "shop",
      resume: true,
    });
    expect(outcome).toMatchObject({
      reason: "recovered_after_crash",
      exitCode: 3,
      rollbackVerified: true,
    });
    expect(outcome?.warnings.join("\n")).toContain(
      "the canary is at 50%, not where the journal left it (5 or 25%)",
    );
    expect(w.deployer.state).toMatchObject({ stableVersion: "v1.3.0", canaryVersion: null });
  });
});
