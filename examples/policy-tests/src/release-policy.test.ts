import { runScenario, type ScenarioInput } from "@shipgate/core/testing";
import { describe, expect, it } from "vitest";

/**
 * Our release policy, as data: the checkout service goes 5 → 25 → 100% with 10-minute
 * windows, and must stay under 1% errors and 300 ms p95. These tests run the real
 * orchestrator on a virtual clock: an hour of release takes a few milliseconds.
 */
const policy = {
  service: "checkout",
  environment: "production",
  version: "v1.4.0",
  sha: "1111111111111111111111111111111111111111",
  canary_steps: [5, 25, 100],
  slo: { error_rate_max: 0.01, p95_latency_ms: 300, window_minutes: 10 },
};

const healthy = { error_rate: 0.002, p95_latency_ms: 180 };
const greenCi = { checks: [{ name: "build", conclusion: "success" as const }] };

function scenario(overrides: Partial<ScenarioInput>): ScenarioInput {
  return { release: policy, ci: greenCi, metrics: { default: healthy }, ...overrides };
}

describe("checkout release policy", () => {
  it("goes to 100% when everything is healthy, ending steps early on strong evidence", async () => {
    const { outcome, deployer } = await runScenario(scenario({}));
    expect(outcome.status).toBe("SUCCESS");
    expect(deployer.state.history).toEqual([5, 25, 100]);
    const minutes = (Date.parse(outcome.endedAt) - Date.parse(outcome.startedAt)) / 60_000;
    // Never less than the 2-minute dwell per window, never more than the full 40 minutes.
    expect(minutes).toBeGreaterThanOrEqual(4 * 2);
    expect(minutes).toBeLessThan(40);
  });

  it("waits out every full window with the threshold judge", async () => {
    const { outcome } = await runScenario(
      scenario({ release: { ...policy, policy: { judge: { kind: "threshold" } } } }),
    );
    expect(outcome.status).toBe("SUCCESS");
    expect(Date.parse(outcome.endedAt) - Date.parse(outcome.startedAt)).toBe(40 * 60_000);
  });

  it("rolls back a breach at 25% and never reaches 100%", async () => {
    const { outcome, deployer, events } = await runScenario(
      scenario({
        metrics: { default: healthy, "25": { error_rate: [0.004, 0.031], p95_latency_ms: 200 } },
      }),
    );
    expect(outcome).toMatchObject({
      status: "ABORTED",
      reason: "slo_breach",
      exitCode: 3,
      maxWeightReached: 25,
      rolledBack: true,
      rollbackVerified: true,
    });
    expect(deployer.state.history).not.toContain(100);
    expect(deployer.state.stableVersion).not.toBe("v1.4.0");
    expect(outcome.paths.incident).toMatch(/^incidents\/INC-/);
    // It stopped at the second poll of the 25% window: a breach fails fast.
    const polls = events.filter((e) => e.type === "canary.poll" && e.weight === 25);
    expect(polls).toHaveLength(2);
  });

  it("blocks on red CI before anything is tagged or deployed", async () => {
    const { outcome, deployer, events } = await runScenario(
      scenario({
        ci: {
          checks: [
            { name: "build", conclusion: "success" },
            { name: "e2e", conclusion: "failure" },
          ],
        },
      }),
    );
    expect(outcome).toMatchObject({ status: "BLOCKED", reason: "ci_red", exitCode: 2 });
    expect(deployer.state.history).toEqual([]);
    expect(events.some((e) => e.type === "tag.created")).toBe(false);
  });

  it("fails closed when the canary has no data", async () => {
    const { outcome, deployer } = await runScenario(
      scenario({ metrics: { "5": { error_rate: null, p95_latency_ms: null }, default: healthy } }),
    );
    expect(outcome.status).toBe("ABORTED");
    expect(outcome.maxWeightReached).toBe(5);
    expect(deployer.state.history).toEqual([5]);
    expect(outcome.rolledBack).toBe(true);
  });

  it("does not roll back on one noisy poll just over the objective, but does on a sustained breach", async () => {
    const noisy = {
      default: healthy,
      "100": { error_rate: [0.002, 0.0101, 0.002], p95_latency_ms: 180 },
    };
    const once = await runScenario(scenario({ metrics: noisy }));
    expect(once.outcome.status).toBe("SUCCESS");
    const sustained = await runScenario(
      scenario({ metrics: { default: healthy, "100": { error_rate: 0.03, p95_latency_ms: 180 } } }),
    );
    expect(sustained.outcome).toMatchObject({ status: "ABORTED", maxWeightReached: 100 });
    // The threshold judge rolls back on the single noisy poll.
    const threshold = await runScenario(
      scenario({
        release: { ...policy, policy: { judge: { kind: "threshold" } } },
        metrics: noisy,
      }),
    );
    expect(threshold.outcome).toMatchObject({ status: "ABORTED", maxWeightReached: 100 });
  });
});
