import { describe, expect, it } from "vitest";
import type { JudgeInput, PollObservation, TrackReading } from "../../judge/judge.js";
import { generateCanaryTraces } from "./canary-trace.js";
import { runJudgeBenchmark, runJudgeOnTrace } from "./judge-benchmark.js";
import { createOracleJudge } from "./oracle-judge.js";

const traces = generateCanaryTraces({ count: 400, seed: 5 });
const find = (size: string, tier: number) =>
  traces.find(
    (t) =>
      t.tierPerMinute === tier &&
      t.label.class === "regression" &&
      t.label.size === size &&
      t.label.onset.kind === "immediate",
  )!;

function reading(requests: number, errors: number): TrackReading {
  return {
    requests,
    errors,
    errorRate: errors / requests,
    p95LatencyMs: null,
    latencyBuckets: null,
  };
}

function input(observations: PollObservation[]): JudgeInput {
  return {
    objectives: { errorRateMax: 0.01, p95LatencyMsMax: 300 },
    observations,
    step: { index: 0, weight: 100, phase: "canary", elapsedMs: 0, windowMs: 600_000, final: false },
  };
}

describe("oracle judge (the benchmark's recall bound)", () => {
  it("breaches on a regression it knows of, from the canary's traffic alone", () => {
    const trace = find("error_x5", 2000);
    const rate = trace.stable.errorRate;
    // Five times stable's rate on 20,000 requests at 100%, with no stable track.
    const polls: PollObservation[] = [1, 2].map((m) => ({
      atMs: m * 60_000,
      intervalMs: 60_000,
      stepIndex: 2,
      weight: 100,
      phase: "canary",
      canary: reading(10_000, Math.round(10_000 * rate * 5)),
      stable: null,
    }));
    expect(createOracleJudge(trace).decide(input(polls)).verdict).toBe("breach");
    // Over the polls where stable also serves only, there is nothing to count.
    expect(createOracleJudge(trace, { whileStableServes: true }).decide(input(polls)).verdict).toBe(
      "continue",
    );
    // Traffic as healthy as stable's is no evidence.
    const healthy = polls.map((p) => ({
      ...p,
      canary: reading(10_000, Math.round(10_000 * rate)),
    }));
    expect(createOracleJudge(trace).decide(input(healthy)).verdict).toBe("continue");
  });

  it("rolls back an immediate error ×20 regression in a release, and is run on regressions only", async () => {
    const run = await runJudgeOnTrace(find("error_x20", 2000), "oracle");
    expect(run.decidedBy).toBe("breach");
    expect(run.exposureMinutes).toBeLessThanOrEqual(3);
    const healthy = traces.find((t) => t.label.class === "healthy")!;
    const runs = await runJudgeBenchmark({
      traces: [healthy],
      judges: ["oracle", "oracle_vs_stable"],
    });
    expect(runs).toEqual([]);
  });
});
