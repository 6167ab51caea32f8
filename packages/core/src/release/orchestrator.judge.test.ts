import { describe, expect, it } from "vitest";
import { runScenario } from "../testing/run-scenario.js";
import { baseScenario } from "../testing/test-scenarios.js";

const minutes = (r: { outcome: { startedAt: string; endedAt: string } }) =>
  (Date.parse(r.outcome.endedAt) - Date.parse(r.outcome.startedAt)) / 60_000;

const healthy = { error_rate: 0.002, p95_latency_ms: 150, requests: 5000 };

describe("release orchestrator: the statistical judge (the default)", () => {
  it("is the default judge when the spec names none", async () => {
    const scenario = baseScenario({ metrics: { default: healthy } });
    const policy = (scenario.release as { policy: { judge?: unknown } }).policy;
    delete policy.judge;
    const r = await runScenario(scenario);
    const poll = r.events.find((e) => e.type === "canary.poll");
    expect(poll).toMatchObject({ judge: "statistical" });
  });

  it("promotes a healthy canary early on strong evidence, and says why", async () => {
    const r = await runScenario(
      baseScenario({ judge: "statistical", metrics: { default: healthy } }),
    );
    expect(r.outcome.status).toBe("SUCCESS");
    expect(r.deployer.state.history).toEqual([5, 25, 100]);
    expect(minutes(r)).toBeLessThan(40);
    const passed = r.events.filter((e) => e.type === "canary.step.passed");
    expect(passed.some((e) => e.type === "canary.step.passed" && e.early)).toBe(true);
    const early = passed.find((e) => e.type === "canary.step.passed" && e.early);
    expect(early && "reason" in early ? early.reason : "").toMatch(/^early promotion/);
  });

  it("rolls back a regression that stays under the objective but is clearly worse than stable", async () => {
    const metrics = {
      default: { error_rate: 0.001, p95_latency_ms: 150, requests: 5000 },
      "5": { error_rate: 0.006, p95_latency_ms: 150, requests: 5000 },
    };
    const statistical = await runScenario(baseScenario({ judge: "statistical", metrics }));
    expect(statistical.outcome).toMatchObject({
      status: "ABORTED",
      reason: "slo_breach",
      maxWeightReached: 5,
    });
    expect(statistical.outcome.summary).toMatch(/vs stable 0\.10%/);
    // The threshold rule never sees it: 0.6% is under the 1% objective.
    const threshold = await runScenario(baseScenario({ judge: "threshold", metrics }));
    expect(threshold.outcome.status).toBe("SUCCESS");
  });

  it("holds through a shared incident instead of rolling back, then carries on", async () => {
    const blip = { error_rate: [0.05, 0.05, 0.05, 0.002], p95_latency_ms: 150, requests: 5000 };
    const metrics = {
      default: healthy,
      "25": { ...blip, stable: { ...blip, requests: 15_000 } },
    };
    const r = await runScenario(baseScenario({ judge: "statistical", metrics }));
    expect(r.outcome.status).toBe("SUCCESS");
    const holds = r.events.filter((e) => e.type === "canary.poll" && e.verdict === "hold");
    expect(holds.length).toBeGreaterThan(0);
    expect(holds[0]?.type === "canary.poll" && holds[0].detail).toMatch(/shared degradation/);
    // The same series under the threshold rule is a rollback at 25%.
    const threshold = await runScenario(baseScenario({ judge: "threshold", metrics }));
    expect(threshold.outcome).toMatchObject({ status: "ABORTED", maxWeightReached: 25 });
  });

  it("at low traffic says inconclusive, extends once, then follows on_inconclusive", async () => {
    const quiet = { default: { error_rate: 0, p95_latency_ms: 150, requests: 1 } };
    const r = await runScenario(baseScenario({ judge: "statistical", metrics: quiet }));
    expect(r.outcome).toMatchObject({
      status: "ABORTED",
      reason: "slo_inconclusive",
      exitCode: 3,
      maxWeightReached: 5,
      rolledBack: true,
    });
    expect(r.outcome.paths.incident).toBeNull();
    expect(r.events.filter((e) => e.type === "canary.step.extended")).toHaveLength(1);
    expect(r.outcome.summary).toMatch(/fewer than the 50 needed/);
    expect(r.events.some((e) => e.type === "canary.poll" && e.verdict === "breach")).toBe(false);

    const promote = await runScenario(
      baseScenario({
        judge: "statistical",
        metrics: quiet,
        release: { policy: { judge: { on_inconclusive: "promote" } } },
      }),
    );
    expect(promote.outcome.status).toBe("SUCCESS");
    const report = await promote.artifacts.read(promote.outcome.paths.report!);
    expect(report.isOk() && report.value).toMatch(/promoted without evidence/);
  });

  it("watches a suspect step for more windows instead of promoting it, and never rolls back for suspicion alone", async () => {
    const suspectAt25 = (
      canaryRequests: number,
      canaryErrors: number,
      stableRequests: number,
      stableErrors: number,
    ) => ({
      default: healthy,
      "25": {
        error_rate: canaryErrors / canaryRequests,
        p95_latency_ms: 150,
        requests: canaryRequests,
        stable: {
          error_rate: stableErrors / stableRequests,
          p95_latency_ms: 150,
          requests: stableRequests,
        },
      },
    });
    const run = (metrics: ReturnType<typeof suspectAt25>, max: number) =>
      runScenario(
        baseScenario({
          judge: "statistical",
          metrics,
          release: { policy: { judge: { max_suspect_extensions: max } } },
        }),
      );
    // 0.67% against stable's 0.25%: suspect after one window, a breach within the next.
    const growing = suspectAt25(300, 2, 1200, 3);
    const promoted = await run(growing, 0);
    expect(promoted.outcome.status).toBe("SUCCESS");
    const caught = await run(growing, 1);
    expect(caught.outcome).toMatchObject({
      status: "ABORTED",
      reason: "slo_breach",
      maxWeightReached: 25,
    });
    const extended = caught.events.filter((e) => e.type === "canary.step.extended");
    expect(extended).toHaveLength(1);
    expect(extended[0]).toMatchObject({ weight: 25, windowMs: 20 * 60_000 });
    expect(extended[0]?.type === "canary.step.extended" && extended[0].reason).toMatch(
      /^suspect: .*watching one more window \(max_suspect_extensions: 1\)/,
    );
    // 0.5% against 0.25% per minute on fewer requests: still suspect after the extension,
    // never a breach: promoted, and the step says why.
    const lingering = await run(suspectAt25(600, 3, 1200, 3), 1);
    expect(lingering.outcome.status).toBe("SUCCESS");
    expect(lingering.events.filter((e) => e.type === "canary.step.extended")).toHaveLength(1);
    const passed = lingering.events.find((e) => e.type === "canary.step.passed" && e.weight === 25);
    expect(passed && "reason" in passed ? passed.reason : "").toMatch(
      /^still suspect after 1 more window, short of a breach: promoted/,
    );
  });

  it("carries what the judge saw on every poll event and evidence row", async () => {
    const metrics = {
      default: healthy,
      "5": { ...healthy, stable: { ...healthy, requests: 95_000 } },
    };
    const r = await runScenario(baseScenario({ judge: "statistical", metrics }));
    const poll = r.events.find((e) => e.type === "canary.poll" && e.weight === 5);
    expect(poll).toMatchObject({
      judge: "statistical",
      sampleCount: 5000,
      stableSampleCount: 95_000,
      stableErrorRate: 0.002,
    });
    expect(poll?.type === "canary.poll" && poll.checks?.length).toBeGreaterThan(0);
  });
});
