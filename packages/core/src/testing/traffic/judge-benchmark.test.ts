import { describe, expect, it } from "vitest";
import { releaseSpecSchema } from "../../model/release-spec.js";
import { generateCanaryTraces } from "./canary-trace.js";
import {
  benchmarkRelease,
  JUDGE_KINDS,
  judgePolicyFor,
  runJudgeBenchmark,
  runJudgeOnTrace,
} from "./judge-benchmark.js";

const traces = generateCanaryTraces({ count: 400, seed: 5 });
const pick = (tier: number, group: string) =>
  traces.find(
    (t) =>
      t.tierPerMinute === tier &&
      (t.label.class === "regression" ? t.label.size : t.label.class) === group &&
      (t.label.class !== "regression" || t.label.onset.kind === "immediate"),
  )!;

describe("judge benchmark runs", () => {
  it("chooses each judge through policy.judge, in a release spec core accepts", () => {
    expect(judgePolicyFor("threshold")).toEqual({ judge: { kind: "threshold" } });
    const release = benchmarkRelease(traces[0]!, "threshold");
    expect(release.canary_steps).toEqual([5, 25, 100]);
    expect(release.slo).toEqual({ error_rate_max: 0.01, p95_latency_ms: 300, window_minutes: 10 });
    for (const judge of JUDGE_KINDS) {
      const spec = releaseSpecSchema.parse(benchmarkRelease(traces[0]!, judge));
      expect(spec.policy.judge.kind).toBe(judge);
      expect(spec.policy.poll_interval_seconds).toBe(60);
    }
  });

  it("releases a healthy canary at high traffic through every window", async () => {
    const run = await runJudgeOnTrace(pick(20000, "healthy"), "threshold");
    expect(run).toMatchObject({
      judge: "threshold",
      group: "healthy",
      tierPerMinute: 20000,
      status: "SUCCESS",
      rolledBack: false,
      decidedBy: null,
      exposureMinutes: null,
      maxWeightReached: 100,
    });
    // Three 10-minute steps, then the 10-minute stabilization window.
    expect(run.releaseMinutes).toBe(40);
  });

  it("rolls back an error ×20 regression on a breach, and says how long the canary was exposed", async () => {
    const run = await runJudgeOnTrace(pick(2000, "error_x20"), "threshold");
    expect(run.status).toBe("ABORTED");
    expect(run.reason).toBe("slo_breach");
    expect(run.rolledBack).toBe(true);
    expect(run.decidedBy).toBe("breach");
    expect(run.maxWeightReached).toBe(5);
    // The first poll comes a minute after the weight is set.
    expect(run.exposureMinutes).toBeGreaterThanOrEqual(1);
    expect(run.exposureMinutes).toBeLessThanOrEqual(3);
    expect(Number.isInteger(run.exposureMinutes)).toBe(true);
  });

  it("counts a late regression's exposure from its onset, beside the exposure from the first weight", async () => {
    const late = traces.find(
      (t) =>
        t.tierPerMinute === 20000 &&
        t.label.class === "regression" &&
        t.label.size === "error_x20" &&
        t.label.onset.kind === "after_minutes",
    )!;
    const onset = late.label.class === "regression" ? late.label.onset : null;
    const minutes = onset?.kind === "after_minutes" ? onset.minutes : Number.NaN;
    const run = await runJudgeOnTrace(late, "statistical");
    expect(run.decidedBy).toBe("breach");
    expect(run.onset).toBe("after_minutes");
    expect(run.exposureMinutes).toBeGreaterThan(minutes);
    expect(run.regressionExposureMinutes).toBeCloseTo(run.exposureMinutes! - minutes, 6);
    // In full traffic: at most the minutes themselves (100% weight), at least 5% of them.
    expect(run.regressionFullTrafficMinutes).toBeGreaterThan(0);
    expect(run.regressionFullTrafficMinutes).toBeLessThanOrEqual(run.regressionExposureMinutes!);
    expect(run.regressionFullTrafficMinutes).toBeGreaterThanOrEqual(
      0.05 * run.regressionExposureMinutes!,
    );
    const healthy = await runJudgeOnTrace(pick(2000, "healthy"), "statistical");
    expect(healthy.regressionExposureMinutes).toBeNull();
    expect(healthy.regressionFullTrafficMinutes).toBeNull();
    expect(healthy.onset).toBeNull();
  });

  it("runs every judge on the same trace", async () => {
    const trace = pick(2000, "healthy");
    for (const judge of JUDGE_KINDS) {
      const run = await runJudgeOnTrace(trace, judge);
      expect(run.judge).toBe(judge);
      expect(run.traceId).toBe(trace.id);
      expect(["SUCCESS", "ABORTED"]).toContain(run.status);
      expect(run.releaseMinutes).toBeGreaterThan(0);
    }
  });

  it("is reproducible: same traces, same runs", async () => {
    const some = traces.slice(0, 24);
    const first = await runJudgeBenchmark({ traces: some, judges: ["threshold"] });
    expect(first).toHaveLength(24);
    expect(await runJudgeBenchmark({ traces: some, judges: ["threshold"] })).toEqual(first);
    expect(first.map((r) => r.traceId)).toEqual(some.map((t) => t.id));
  });
});
