import type { JudgePolicy } from "../../judge/judge-policy.js";
import { createSimulatedDeployer } from "../fakes/simulated-deployer.js";
import { runScenario } from "../run-scenario.js";
import type { ScenarioInput } from "../scenario.js";
import { createVirtualClock } from "../virtual-clock.js";
import {
  type CanaryTrace,
  type RegressionOnset,
  type RegressionSize,
  traceGroup,
} from "./canary-trace.js";
import { createOracleJudge } from "./oracle-judge.js";
import { createTraceSloSource } from "./trace-slo-source.js";
import { recordWeightTimeline, type WeightTimeline } from "./weight-timeline.js";

/**
 * The judges the benchmark compares: the kinds `policy.judge.kind` accepts, and `oracle`,
 * a judge that knows each trace's truth (see {@link createOracleJudge}): the bound on what
 * any judge can catch; `oracle_vs_stable` the same over the polls where stable also serves.
 */
export type JudgeKind = JudgePolicy["kind"] | "oracle" | "oracle_vs_stable";

/** Every real judge, in the order the tables print them. */
export const JUDGE_KINDS: readonly JudgeKind[] = ["threshold", "statistical"];

/** The oracles: judges that know each trace's truth, run on regressions only. */
export const isOracle = (judge: JudgeKind): boolean =>
  judge === "oracle" || judge === "oracle_vs_stable";

const SHA = "3f2a9c1d4b5e6f708192a3b4c5d6e7f809a1b2c3";

/** The `policy` keys that choose a judge: the one place the benchmark chooses one. */
export function judgePolicyFor(kind: JudgeKind): { judge: Record<string, unknown> } {
  // The oracle runs every window in full, on interval measurements as the statistical judge.
  if (kind === "oracle" || kind === "oracle_vs_stable")
    return { judge: { kind: "statistical", early_promotion: false, max_suspect_extensions: 0 } };
  return { judge: { kind } };
}

/** The release every trace is run through: 5/25/100, 10-minute windows, 60-s polls. */
export function benchmarkRelease(trace: CanaryTrace, judge: JudgeKind): ScenarioInput["release"] {
  return {
    environment: "production",
    service: "shop",
    version: "v1.4.0",
    sha: SHA,
    previous_release_tag: "v1.3.0",
    canary_steps: [5, 25, 100],
    slo: {
      error_rate_max: trace.objectives.errorRateMax,
      p95_latency_ms: trace.objectives.p95LatencyMs,
      window_minutes: 10,
    },
    policy: { poll_interval_seconds: 60, ...judgePolicyFor(judge) },
  };
}

/** How one release over one trace ended under one judge. */
export interface JudgeBenchmarkRun {
  traceId: number;
  judge: JudgeKind;
  tierPerMinute: number;
  group: "healthy" | "shared_noise" | RegressionSize;
  status: string;
  reason: string;
  /** The outcome's one line (why it rolled back, in the judge's words). */
  summary: string;
  /** Rolled back on the SLO judgement (a breach, or an inconclusive step the policy rolls back). */
  rolledBack: boolean;
  /** What decided the rollback: `breach` (`slo_breach`), `inconclusive` (`slo_inconclusive`), or null. */
  decidedBy: "breach" | "inconclusive" | null;
  /** Minutes from the first canary weight to the rollback decision; null without a rollback. */
  exposureMinutes: number | null;
  /**
   * Minutes a regression was live on the canary before the rollback decision (from its
   * onset, which may come after the first weight; 0 when the rollback came first); null
   * without a rollback or for a trace without a regression.
   */
  regressionExposureMinutes: number | null;
  /**
   * The same span as `regressionExposureMinutes` in minutes of full traffic (Σ weight/100 ×
   * minutes, as an incident's impact counts them): 4 minutes at 25% is 1. Null likewise.
   */
  regressionFullTrafficMinutes: number | null;
  /** When a regression began (`immediate`: with the first canary weight); null without one. */
  onset: RegressionOnset["kind"] | null;
  /** Minutes from the release's start to its end. */
  releaseMinutes: number;
  maxWeightReached: number;
}

/**
 * Runs one release over one trace with the real orchestrator on the virtual clock, the
 * trace's SLO source and a weight-recording simulated deployer.
 *
 * @example
 * ```ts
 * const run = await runJudgeOnTrace(generateCanaryTraces({ count: 1 })[0]!, "threshold");
 * run.rolledBack; // false for a healthy trace, most of the time
 * ```
 */
export async function runJudgeOnTrace(
  trace: CanaryTrace,
  judge: JudgeKind,
): Promise<JudgeBenchmarkRun> {
  const clock = createVirtualClock();
  const { deployer, timeline } = recordWeightTimeline(
    createSimulatedDeployer({ stableVersion: "v1.3.0" }),
    clock,
  );
  const slo = createTraceSloSource(trace, { clock, timeline });
  const result = await runScenario(
    {
      release: benchmarkRelease(trace, judge),
      repository: { tags: { "v1.3.0": "1".repeat(40) } },
      ci: { checks: [{ name: "unit", conclusion: "success" }] },
    },
    {
      clock,
      overrides: {
        deployer,
        slo,
        ...(isOracle(judge)
          ? { judge: createOracleJudge(trace, { whileStableServes: judge === "oracle_vs_stable" }) }
          : {}),
      },
    },
  );
  const { outcome } = result;
  const reason: string = outcome.reason;
  const decidedBy =
    outcome.status === "ABORTED" && reason === "slo_breach"
      ? "breach"
      : outcome.status === "ABORTED" && reason === "slo_inconclusive"
        ? "inconclusive"
        : null;
  const exposedAt = timeline.firstWeightSetAtMs();
  const decision = result.events.find((e) => e.type === "canary.breach");
  const decidedAt = decision
    ? Date.parse(decision.at)
    : (timeline.changes.find((c) => c.action === "rollback" || c.action === "abort")?.atMs ?? null);
  const rolledBack = decidedBy !== null;
  const onsetMs =
    trace.label.class === "regression"
      ? regressionOnsetMs(trace.label.onset, timeline, exposedAt)
      : undefined;
  // A caught regression's time live on the canary: from its onset (none if it never became
  // live before the rollback) to the decision.
  const live =
    rolledBack && decidedAt !== null && onsetMs !== undefined
      ? { from: onsetMs ?? decidedAt, to: decidedAt }
      : null;
  return {
    traceId: trace.id,
    judge,
    tierPerMinute: trace.tierPerMinute,
    group: traceGroup(trace.label),
    status: outcome.status,
    reason,
    summary: outcome.summary,
    rolledBack,
    decidedBy,
    exposureMinutes:
      rolledBack && exposedAt !== null && decidedAt !== null
        ? (decidedAt - exposedAt) / 60_000
        : null,
    regressionExposureMinutes: live ? Math.max(0, live.to - live.from) / 60_000 : null,
    regressionFullTrafficMinutes: live ? timeline.fullTrafficMinutes(live.from, live.to) : null,
    onset: trace.label.class === "regression" ? trace.label.onset.kind : null,
    releaseMinutes: (Date.parse(outcome.endedAt) - Date.parse(outcome.startedAt)) / 60_000,
    maxWeightReached: outcome.maxWeightReached,
  };
}

/** When a regression became live on the canary (as the trace's SLO source applies it), or null if it never did. */
function regressionOnsetMs(
  onset: RegressionOnset,
  timeline: WeightTimeline,
  exposedAt: number | null,
): number | null {
  if (onset.kind === "immediate") return exposedAt;
  if (onset.kind === "at_weight") return timeline.firstAtOrAboveMs(onset.weight);
  return exposedAt === null ? null : exposedAt + onset.minutes * 60_000;
}

/** Options of {@link runJudgeBenchmark}. */
export interface JudgeBenchmarkOptions {
  traces: readonly CanaryTrace[];
  /** Judges to run (default: every judge). */
  judges?: readonly JudgeKind[];
}

/**
 * Runs every trace under every judge, one release at a time (each on its own virtual
 * clock), and returns the runs in trace order.
 *
 * @example
 * ```ts
 * const runs = await runJudgeBenchmark({ traces: generateCanaryTraces({ count: 2000, seed: 1 }) });
 * console.log(formatJudgeBenchmarkTables(JUDGE_KINDS.map((j) => summarizeJudgeRuns(j, runs))));
 * ```
 */
export async function runJudgeBenchmark(
  options: JudgeBenchmarkOptions,
): Promise<JudgeBenchmarkRun[]> {
  const judges = options.judges ?? JUDGE_KINDS;
  const runs: JudgeBenchmarkRun[] = [];
  for (const trace of options.traces) {
    for (const judge of judges) {
      // The oracle only bounds recall: on a trace without a regression it has nothing to know.
      if (isOracle(judge) && trace.label.class !== "regression") continue;
      runs.push(await runJudgeOnTrace(trace, judge));
    }
  }
  return runs;
}
