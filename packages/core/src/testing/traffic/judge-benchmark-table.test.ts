import { describe, expect, it } from "vitest";
import type { JudgeBenchmarkRun } from "./judge-benchmark.js";
import {
  formatJudgeBenchmarkTables,
  healthyReleaseRatio,
  median,
  summarizeJudgeRuns,
  wilsonInterval95,
} from "./judge-benchmark-table.js";

let nextId = 0;
function run(partial: Partial<JudgeBenchmarkRun>): JudgeBenchmarkRun {
  const rolledBack = partial.decidedBy !== undefined && partial.decidedBy !== null;
  return {
    traceId: nextId++,
    judge: "threshold",
    tierPerMinute: 200,
    group: "healthy",
    status: rolledBack ? "ABORTED" : "SUCCESS",
    reason: rolledBack
      ? partial.decidedBy === "inconclusive"
        ? "slo_inconclusive"
        : "slo_breach"
      : "released",
    summary: "",
    rolledBack,
    decidedBy: null,
    exposureMinutes: null,
    regressionExposureMinutes: partial.exposureMinutes ?? null,
    regressionFullTrafficMinutes: null,
    onset: null,
    releaseMinutes: 40,
    maxWeightReached: 100,
    ...partial,
  };
}

const runs: JudgeBenchmarkRun[] = [
  // error ×2 at 20/min: caught once out of two.
  run({ group: "error_x2", tierPerMinute: 20, decidedBy: "breach", exposureMinutes: 9 }),
  run({ group: "error_x2", tierPerMinute: 20 }),
  // error ×2 at 2,000/min: both caught, one by the inconclusive policy.
  run({
    group: "error_x2",
    tierPerMinute: 2000,
    decidedBy: "breach",
    exposureMinutes: 2,
    regressionFullTrafficMinutes: 0.1,
    onset: "immediate",
  }),
  run({
    group: "error_x2",
    tierPerMinute: 2000,
    decidedBy: "inconclusive",
    exposureMinutes: 20,
    regressionFullTrafficMinutes: 3,
    onset: "at_weight",
  }),
  // p95 +30% at 20,000/min: missed.
  run({ group: "p95_+30%", tierPerMinute: 20000 }),
  // healthy: one false rollback at 20/min (inconclusive), three clean releases.
  run({ tierPerMinute: 20, decidedBy: "inconclusive", exposureMinutes: 20, releaseMinutes: 20 }),
  run({ tierPerMinute: 20, releaseMinutes: 40 }),
  run({ tierPerMinute: 200, releaseMinutes: 20 }),
  run({ tierPerMinute: 20000, releaseMinutes: 30 }),
  // shared noise: one false rollback at 200/min.
  run({ group: "shared_noise", tierPerMinute: 200, decidedBy: "breach", exposureMinutes: 3 }),
  run({ group: "shared_noise", tierPerMinute: 200 }),
  // A run that ended in a deploy error: counted apart.
  run({ tierPerMinute: 200, status: "ABORTED", reason: "deploy_error", releaseMinutes: 5 }),
  // Another judge's run is not counted.
  run({ judge: "statistical", group: "error_x2", tierPerMinute: 20 }),
];

describe("summarizeJudgeRuns", () => {
  const table = summarizeJudgeRuns("threshold", runs);

  it("counts recall by regression size and traffic, with ≥200 and all columns", () => {
    expect(table.runs).toBe(runs.length - 1);
    expect(table.recall.error_x2["20"]).toEqual({ count: 1, of: 2 });
    expect(table.recall.error_x2["2000"]).toEqual({ count: 2, of: 2 });
    expect(table.recall.error_x2["200"]).toEqual({ count: 0, of: 0 });
    expect(table.recall.error_x2["200+"]).toEqual({ count: 2, of: 2 });
    expect(table.recall.error_x2.all).toEqual({ count: 3, of: 4 });
    expect(table.recall["p95_+30%"]["20000"]).toEqual({ count: 0, of: 1 });
    expect(table.recall.error_x5.all).toEqual({ count: 0, of: 0 });
  });

  it("counts false rollbacks on healthy and shared-noise canaries, and inconclusive ones apart", () => {
    expect(table.falseRollback.healthy["20"]).toEqual({ count: 1, of: 2 });
    expect(table.falseRollback.healthy["200"]).toEqual({ count: 0, of: 2 });
    expect(table.falseRollback.healthy.all).toEqual({ count: 1, of: 5 });
    expect(table.falseRollback.shared_noise["200+"]).toEqual({ count: 1, of: 2 });
    expect(table.inconclusiveRollbacks.healthy.all).toEqual({ count: 1, of: 5 });
    expect(table.inconclusiveRollbacks.shared_noise.all).toEqual({ count: 0, of: 2 });
    expect(table.inconclusiveRollbacks.regression.all).toEqual({ count: 1, of: 5 });
    expect(table.inconclusiveRollbacks.regression["20"]).toEqual({ count: 0, of: 2 });
  });

  it("takes the median exposure over caught regressions and the mean of successful healthy releases", () => {
    expect(table.medianExposureMinutes.all).toBe(9);
    expect(table.medianExposureMinutes["2000"]).toBe(11);
    expect(table.medianExposureMinutes["200"]).toBeNull();
    expect(table.medianRegressionExposureMinutes.all).toBe(9);
    // Only the runs that have it (the 2,000/min pair): the mean of the middle two.
    expect(table.medianRegressionFullTrafficMinutes.all).toBeCloseTo(1.55, 12);
    expect(table.medianRegressionFullTrafficMinutes["20"]).toBeNull();
    // Only the regression there from the first weight (the other began at 25%).
    expect(table.medianImmediateRegressionExposureMinutes.all).toBe(2);
    expect(table.medianImmediateRegressionExposureMinutes["20"]).toBeNull();
    expect(table.meanHealthyReleaseMinutes.all).toBe(30);
    expect(table.meanHealthyReleaseMinutes["20"]).toBe(40);
    expect(table.meanHealthyReleaseMinutes["200+"]).toBe(25);
    expect(table.otherOutcomes).toBe(1);
  });

  it("compares healthy release durations with the threshold judge's", () => {
    const faster = summarizeJudgeRuns(
      "statistical",
      runs
        .filter((r) => r.judge === "threshold")
        .map((r) => ({
          ...r,
          judge: "statistical" as const,
          releaseMinutes: r.releaseMinutes / 2,
        })),
    );
    expect(healthyReleaseRatio(faster, table).all).toBeCloseTo(0.5, 12);
    expect(healthyReleaseRatio(table, table)["20000"]).toBe(1);
    expect(healthyReleaseRatio(faster, summarizeJudgeRuns("threshold", [])).all).toBeNull();
  });

  it("prints the judges side by side, one row per figure", () => {
    const text = formatJudgeBenchmarkTables([table, summarizeJudgeRuns("statistical", runs)]);
    const lines = text.split("\n");
    expect(lines[0]).toContain("threshold judge");
    expect(lines[0]).toContain("statistical judge");
    const recall = lines.find((l) => l.startsWith("recall error ×2 "))!;
    // threshold: 20 → 50%, 200 → –, 2000 → 100%, 20000 → –, ≥200 → 100%, all → 75%; then statistical.
    expect(recall.split(/\s+│?\s*/).slice(3)).toEqual([
      "50.0%",
      "–",
      "100%",
      "–",
      "100%",
      "75.0%",
      "0%",
      "–",
      "–",
      "–",
      "–",
      "0%",
    ]);
    expect(lines.some((l) => l.startsWith("  vs threshold judge"))).toBe(true);
  });
});

describe("wilsonInterval95", () => {
  it("bounds a rate, tighter with more runs, and says null without runs", () => {
    expect(wilsonInterval95({ count: 0, of: 0 })).toBeNull();
    const [low, high] = wilsonInterval95({ count: 93, of: 93 })!;
    expect(high).toBe(1);
    expect(low).toBeCloseTo(0.9604, 3);
    const [low50, high50] = wilsonInterval95({ count: 50, of: 100 })!;
    expect(low50).toBeCloseTo(0.4038, 3);
    expect(high50).toBeCloseTo(0.5962, 3);
    const [wideLow] = wilsonInterval95({ count: 5, of: 10 })!;
    expect(wideLow).toBeLessThan(low50);
  });
});

describe("median", () => {
  it("takes the middle value, or the mean of the middle two", () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
