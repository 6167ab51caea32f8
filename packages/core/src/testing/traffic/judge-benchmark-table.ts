import { REGRESSION_SIZES, type RegressionSize, TRAFFIC_TIERS_PER_MINUTE } from "./canary-trace.js";
import type { JudgeBenchmarkRun, JudgeKind } from "./judge-benchmark.js";

/** A column of the table: one traffic tier, every tier from 200/min up, or all traces. */
export type TrafficColumn = "20" | "200" | "2000" | "20000" | "200+" | "all";

/** The columns, in print order. */
export const TRAFFIC_COLUMNS: readonly TrafficColumn[] = [
  ...TRAFFIC_TIERS_PER_MINUTE.map((t) => String(t) as TrafficColumn),
  "200+",
  "all",
];

/** `count` of `of` runs; the rate is `count / of` (undefined when `of` is 0). */
export interface Proportion {
  count: number;
  of: number;
}

type ByColumn<T> = Record<TrafficColumn, T>;

/**
 * The 95% Wilson score interval of a proportion, `[low, high]`; null when `of` is 0. Says
 * how far a cell's rate can be trusted: 93 of 93 caught is "at least 96%", not "100%".
 */
export function wilsonInterval95(p: Proportion): [number, number] | null {
  if (p.of === 0) return null;
  const z = 1.959963984540054;
  const rate = p.count / p.of;
  const denominator = 1 + (z * z) / p.of;
  const centre = (rate + (z * z) / (2 * p.of)) / denominator;
  const half =
    (z * Math.sqrt((rate * (1 - rate)) / p.of + (z * z) / (4 * p.of * p.of))) / denominator;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** One judge's figures over the benchmark. */
export interface JudgeBenchmarkTable {
  judge: JudgeKind;
  runs: number;
  /** Regressions rolled back (on a breach or an inconclusive step), by size and traffic. */
  recall: Record<RegressionSize, ByColumn<Proportion>>;
  /** Healthy and shared-noise canaries rolled back (for any SLO decision). */
  falseRollback: { healthy: ByColumn<Proportion>; shared_noise: ByColumn<Proportion> };
  /** Rollbacks decided by the inconclusive policy (`slo_inconclusive`), per class. */
  inconclusiveRollbacks: {
    healthy: ByColumn<Proportion>;
    shared_noise: ByColumn<Proportion>;
    regression: ByColumn<Proportion>;
  };
  /** Median minutes from the first canary weight to the rollback decision, over caught regressions. */
  medianExposureMinutes: ByColumn<number | null>;
  /** Median minutes from a regression's onset to the rollback decision, over caught regressions. */
  medianRegressionExposureMinutes: ByColumn<number | null>;
  /**
   * The same over the caught regressions present from the first canary weight (onset
   * `immediate`): there the span from the first weight is all exposure to the regression.
   */
  medianImmediateRegressionExposureMinutes: ByColumn<number | null>;
  /** The same in minutes of full traffic (Σ weight/100 × minutes from the onset), over caught regressions. */
  medianRegressionFullTrafficMinutes: ByColumn<number | null>;
  /** Mean minutes from start to end of the healthy releases that succeeded. */
  meanHealthyReleaseMinutes: ByColumn<number | null>;
  /** Runs that ended otherwise than SUCCESS or an SLO rollback (deploy errors, bugs): should be 0. */
  otherOutcomes: number;
}

const inColumn = (run: JudgeBenchmarkRun, column: TrafficColumn): boolean =>
  column === "all" ||
  (column === "200+" ? run.tierPerMinute >= 200 : run.tierPerMinute === Number(column));

function byColumn<T>(make: (column: TrafficColumn) => T): ByColumn<T> {
  return Object.fromEntries(TRAFFIC_COLUMNS.map((c) => [c, make(c)])) as ByColumn<T>;
}

function proportion(
  runs: readonly JudgeBenchmarkRun[],
  column: TrafficColumn,
  among: (run: JudgeBenchmarkRun) => boolean,
  counted: (run: JudgeBenchmarkRun) => boolean,
): Proportion {
  let of = 0;
  let count = 0;
  for (const run of runs) {
    if (!inColumn(run, column) || !among(run)) continue;
    of += 1;
    if (counted(run)) count += 1;
  }
  return { count, of };
}

/** The median of some numbers (the mean of the middle two for an even count); null if none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function mean(values: readonly number[]): number | null {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

const isRegression = (run: JudgeBenchmarkRun) =>
  run.group !== "healthy" && run.group !== "shared_noise";

/**
 * Computes one judge's table from its runs (pure).
 *
 * @example
 * ```ts
 * const table = summarizeJudgeRuns("threshold", runs);
 * table.recall.error_x2["200+"]; // { count: 80, of: 93 }
 * ```
 */
export function summarizeJudgeRuns(
  judge: JudgeKind,
  allRuns: readonly JudgeBenchmarkRun[],
): JudgeBenchmarkTable {
  const runs = allRuns.filter((r) => r.judge === judge);
  const rolledBack = (r: JudgeBenchmarkRun) => r.rolledBack;
  const inconclusive = (r: JudgeBenchmarkRun) => r.decidedBy === "inconclusive";
  const ofGroup = (group: JudgeBenchmarkRun["group"]) => (r: JudgeBenchmarkRun) =>
    r.group === group;
  const recall = Object.fromEntries(
    REGRESSION_SIZES.map((size) => [
      size,
      byColumn((c) => proportion(runs, c, ofGroup(size), rolledBack)),
    ]),
  ) as Record<RegressionSize, ByColumn<Proportion>>;
  return {
    judge,
    runs: runs.length,
    recall,
    falseRollback: {
      healthy: byColumn((c) => proportion(runs, c, ofGroup("healthy"), rolledBack)),
      shared_noise: byColumn((c) => proportion(runs, c, ofGroup("shared_noise"), rolledBack)),
    },
    inconclusiveRollbacks: {
      healthy: byColumn((c) => proportion(runs, c, ofGroup("healthy"), inconclusive)),
      shared_noise: byColumn((c) => proportion(runs, c, ofGroup("shared_noise"), inconclusive)),
      regression: byColumn((c) => proportion(runs, c, isRegression, inconclusive)),
    },
    medianExposureMinutes: byColumn((c) =>
      median(
        runs
          .filter((r) => inColumn(r, c) && isRegression(r) && r.exposureMinutes !== null)
          .map((r) => r.exposureMinutes!),
      ),
    ),
    medianRegressionExposureMinutes: byColumn((c) =>
      median(
        runs
          .filter((r) => inColumn(r, c) && isRegression(r) && r.regressionExposureMinutes != null)
          .map((r) => r.regressionExposureMinutes!),
      ),
    ),
    medianImmediateRegressionExposureMinutes: byColumn((c) =>
      median(
        runs
          .filter(
            (r) =>
              inColumn(r, c) &&
              isRegression(r) &&
              r.onset === "immediate" &&
              r.regressionExposureMinutes != null,
          )
          .map((r) => r.regressionExposureMinutes!),
      ),
    ),
    medianRegressionFullTrafficMinutes: byColumn((c) =>
      median(
        runs
          .filter(
            (r) => inColumn(r, c) && isRegression(r) && r.regressionFullTrafficMinutes != null,
          )
          .map((r) => r.regressionFullTrafficMinutes!),
      ),
    ),
    meanHealthyReleaseMinutes: byColumn((c) =>
      mean(
        runs
          .filter((r) => inColumn(r, c) && r.group === "healthy" && r.status === "SUCCESS")
          .map((r) => r.releaseMinutes),
      ),
    ),
    otherOutcomes: runs.filter((r) => r.status !== "SUCCESS" && !r.rolledBack).length,
  };
}

/** Each column's mean healthy release of `table` divided by the threshold judge's (null where either is missing). */
export function healthyReleaseRatio(
  table: JudgeBenchmarkTable,
  threshold: JudgeBenchmarkTable,
): ByColumn<number | null> {
  return byColumn((c) => {
    const mine = table.meanHealthyReleaseMinutes[c];
    const theirs = threshold.meanHealthyReleaseMinutes[c];
    return mine === null || theirs === null || theirs === 0 ? null : mine / theirs;
  });
}

const SIZE_NAMES: Record<RegressionSize, string> = {
  "error_x1.5": "error ×1.5",
  error_x2: "error ×2",
  error_x5: "error ×5",
  error_x20: "error ×20",
  "p95_+10%": "p95 +10%",
  "p95_+30%": "p95 +30%",
  "p95_+100%": "p95 +100%",
};

const percent = (p: Proportion): string => {
  if (p.of === 0) return "–";
  const rate = (100 * p.count) / p.of;
  return rate === 100 || rate === 0 ? `${rate}%` : `${rate.toFixed(1)}%`;
};
const count = (p: Proportion): string => (p.of === 0 ? "–" : String(p.count));
const minutes = (m: number | null): string => (m === null ? "–" : m.toFixed(1));
const ratio = (r: number | null): string => (r === null ? "–" : `${r.toFixed(2)}×`);

/**
 * Prints the tables side by side, one block of traffic columns per judge (`recallOnly`:
 * the recall rows alone, as for the oracle).
 *
 * @example
 * ```ts
 * console.log(formatJudgeBenchmarkTables([thresholdTable, statisticalTable]));
 * ```
 */
export function formatJudgeBenchmarkTables(
  tables: readonly JudgeBenchmarkTable[],
  options: { recallOnly?: boolean } = {},
): string {
  const threshold = tables.find((t) => t.judge === "threshold") ?? null;
  const labelWidth = 38;
  const cell = 7;
  const rows: string[] = [];
  const line = (label: string, cells: (table: JudgeBenchmarkTable) => string[]) => {
    rows.push(
      label.padEnd(labelWidth) +
        tables
          .map((t) =>
            cells(t)
              .map((c) => c.padStart(cell))
              .join(""),
          )
          .join("   │"),
    );
  };
  const block = cell * TRAFFIC_COLUMNS.length;
  rows.push(
    "".padEnd(labelWidth) + tables.map((t) => `${t.judge} judge`.padStart(block)).join("   │"),
  );
  line("requests/min", () => TRAFFIC_COLUMNS.map((c) => (c === "200+" ? "≥200" : c)));
  for (const size of REGRESSION_SIZES)
    line(`recall ${SIZE_NAMES[size]}`, (t) =>
      TRAFFIC_COLUMNS.map((c) => percent(t.recall[size][c])),
    );
  if (options.recallOnly) return rows.map((r) => r.trimEnd()).join("\n");
  line("false rollbacks, healthy", (t) =>
    TRAFFIC_COLUMNS.map((c) => percent(t.falseRollback.healthy[c])),
  );
  line("false rollbacks, shared noise", (t) =>
    TRAFFIC_COLUMNS.map((c) => percent(t.falseRollback.shared_noise[c])),
  );
  line("inconclusive rollbacks, healthy", (t) =>
    TRAFFIC_COLUMNS.map((c) => count(t.inconclusiveRollbacks.healthy[c])),
  );
  line("inconclusive rollbacks, noise", (t) =>
    TRAFFIC_COLUMNS.map((c) => count(t.inconclusiveRollbacks.shared_noise[c])),
  );
  line("inconclusive rollbacks, regressions", (t) =>
    TRAFFIC_COLUMNS.map((c) => count(t.inconclusiveRollbacks.regression[c])),
  );
  line("median exposure before rollback, min", (t) =>
    TRAFFIC_COLUMNS.map((c) => minutes(t.medianExposureMinutes[c])),
  );
  line("  from the regression's onset, min", (t) =>
    TRAFFIC_COLUMNS.map((c) => minutes(t.medianRegressionExposureMinutes[c])),
  );
  line("  same, in full-traffic minutes", (t) =>
    TRAFFIC_COLUMNS.map((c) => minutes(t.medianRegressionFullTrafficMinutes[c])),
  );
  line("  immediate regressions only, min", (t) =>
    TRAFFIC_COLUMNS.map((c) => minutes(t.medianImmediateRegressionExposureMinutes[c])),
  );
  line("mean healthy release, min", (t) =>
    TRAFFIC_COLUMNS.map((c) => minutes(t.meanHealthyReleaseMinutes[c])),
  );
  if (threshold)
    line("  vs threshold judge", (t) => {
      const r = healthyReleaseRatio(t, threshold);
      return TRAFFIC_COLUMNS.map((c) => ratio(r[c]));
    });
  line("other outcomes (should be 0)", (t) =>
    TRAFFIC_COLUMNS.map((c) => (c === "all" ? String(t.otherOutcomes) : "")),
  );
  return rows.map((r) => r.trimEnd()).join("\n");
}
