import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSeededRandom } from "@shipgate/core/testing";
import { afterAll, describe, expect, it } from "vitest";
import { requireBuiltCli } from "./cli-harness.js";
import {
  type CrashScenario,
  createTemplate,
  type KillPlan,
  runKillPoint,
  runKillPoints,
} from "./crash-harness.js";

const PARALLEL = Number(process.env.SHIPGATE_CRASH_PARALLEL ?? 4);
const RANDOM_POINTS = Number(process.env.SHIPGATE_CRASH_RANDOM_POINTS ?? 50);
const SEED = Number(process.env.SHIPGATE_CRASH_SEED ?? Date.now() % 1_000_000);

let root = "";
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe("crash harness: the real CLI, SIGKILLed at every journal boundary and at random instants", () => {
  it("two runners racing to recover the same killed release: one recovers, the other finds the lock held or nothing to do", async () => {
    requireBuiltCli();
    root ||= await mkdtemp(join(tmpdir(), "shipgate-crash-"));
    const template = await createTemplate(join(root, "race"));
    const dir = join(root, "race-point");
    // Killed right after "weight.set 5" is durable; then two recoveries at once.
    const killed = await runKillPoint(
      { scenario: "success", kill: { afterRecords: 6 }, next: "recover" },
      template,
      dir,
      { race: true },
    );
    expect(killed.violations).toEqual([]);
    expect(killed.raceCodes?.slice().sort()).toSatisfy(
      (codes: number[]) => codes.includes(3) && (codes.includes(0) || codes.includes(4)),
    );
  }, 120_000);

  it("always ends with one verified version in production, a free lock, one final report per attempt", async () => {
    requireBuiltCli();
    const started = Date.now();
    root ||= await mkdtemp(join(tmpdir(), "shipgate-crash-"));
    const template = await createTemplate(root);

    // One full run of each scenario: how many journal records, and how long it takes.
    const full: Record<CrashScenario, { records: string[]; ms: number }> = {
      success: { records: [], ms: 0 },
      breach: { records: [], ms: 0 },
    };
    for (const scenario of ["success", "breach"] as const) {
      const t = Date.now();
      const r = await runKillPoint(
        { scenario, kill: { afterRecords: 10_000 }, next: "recover" },
        template,
        join(root, `full-${scenario}`),
      );
      full[scenario] = { records: r.crashedRecords, ms: Date.now() - t };
      expect(r.violations).toEqual([]);
      expect(r.crashedRecords.at(-1)).toBe("finished");
    }

    const plans: KillPlan[] = [];
    // Every journal boundary of both releases, in turn; recover and release alternate.
    for (const scenario of ["success", "breach"] as const)
      for (let n = 1; n <= full[scenario].records.length; n++)
        plans.push({ scenario, kill: { afterRecords: n }, next: n % 2 ? "recover" : "release" });
    // After each clean-up action of the breaching release, before its next record (the
    // incident filed, not yet journaled as filed): nothing may be done twice.
    const breachRecords = full.breach.records;
    for (let n = breachRecords.indexOf("outcome") + 2; n <= breachRecords.length; n++)
      plans.push({
        scenario: "breach",
        kill: { beforeRecord: n },
        next: n % 2 ? "recover" : "release",
      });
    const boundaryPoints = plans.length;
    // A recovery killed at each of its own boundaries (canary at 25%), then recovered again.
    // Crash right after the breach at 25% is journaled, before the rollback starts.
    const at25 =
      full.breach.records.indexOf("step.verdict", full.breach.records.indexOf("step.verdict") + 1) +
      1;
    const midCanary =
      full.success.records.indexOf("weight.set", full.success.records.indexOf("weight.set") + 1) +
      1;
    // Killed once its success is journaled; the rerun (a retried CI job) killed in turn.
    const succeeded = full.success.records.indexOf("outcome") + 1;
    const recoveries = [
      { scenario: "success", killAt: midCanary, next: "recover" },
      { scenario: "breach", killAt: at25, next: "release" },
      { scenario: "success", killAt: succeeded, next: "release" },
    ] as const;
    for (const { scenario, killAt, next } of recoveries)
      for (let m = 1; m <= 9; m++)
        plans.push({
          scenario,
          kill: { afterRecords: killAt },
          killRecovery: { afterRecords: m },
          next,
        });
    const recoveryPoints = plans.length - boundaryPoints;
    // Random instants, some of them in the recovery as well.
    const rand = createSeededRandom(SEED).next;
    for (let i = 0; i < RANDOM_POINTS; i++) {
      const scenario: CrashScenario = rand() < 0.5 ? "success" : "breach";
      plans.push({
        scenario,
        kill: { afterMs: Math.round(150 + rand() * full[scenario].ms) },
        ...(i % 5 === 4 ? { killRecovery: { afterMs: Math.round(150 + rand() * 700) } } : {}),
        next: rand() < 0.5 ? "recover" : "release",
      });
    }

    const results = await runKillPoints(plans, template, join(root, "points"), PARALLEL);
    const violations = results.flatMap((r) => r.violations);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `crash harness: ${results.length} kill points (${boundaryPoints} at every journal boundary of a successful and a breaching release and after each clean-up action of the breaching one, ${recoveryPoints} inside recoveries, ${RANDOM_POINTS} at random instants, seed ${SEED}), ${violations.length} invariant violations, ${seconds} s`,
    );
    expect(violations).toEqual([]);
    expect(results).toHaveLength(boundaryPoints + recoveryPoints + RANDOM_POINTS);
  }, 600_000);
});
