import { expect } from "vitest";
import type { BacktestReport } from "../backtest/backtest-report.js";
import { type PastRelease, readReleaseHistory } from "../backtest/release-history.js";
import type { SloSource } from "../contracts/slo-source.js";
import { createMemoryArtifactStore } from "./fakes/memory-artifact-store.js";
import { runScenario } from "./run-scenario.js";
import type { ScenarioInput } from "./scenario.js";
import { createVirtualClock } from "./virtual-clock.js";

/** One past release: the version shipped and the one serving before it. */
export interface PastReleaseRun {
  version: string;
  /** The version serving before (the release's `previous_release_tag`). */
  stable: string;
}

/** Options of {@link recordPastReleases}. */
export interface RecordPastReleasesOptions {
  /** The SLO source the releases are judged on: an adapter over its emulator or server. */
  slo: SloSource;
  /** The release's `slo:` block, as in a release spec. */
  objectives: NonNullable<ScenarioInput["release"]>["slo"];
  /** When release `index` starts (epoch ms); its virtual clock starts there. */
  startOf: (index: number) => number;
  service?: string;
  environment?: string;
  signal?: AbortSignal;
}

/**
 * Runs each past release through the orchestrator, at its own time on a virtual clock and
 * judged on `slo`, into one artifact store, and reads the history back: what backtests of
 * an SLO source start from. CI is green and the stable tag exists, so only the SLOs decide.
 *
 * @example
 * ```ts
 * const history = await recordPastReleases(
 *   [{ version: "v1.1.0", stable: "v1.0.0" }],
 *   { slo, objectives: { error_rate_max: 0.01, p95_latency_ms: 300 }, startOf: (i) => T0 + i * DAY },
 * );
 * ```
 */
export async function recordPastReleases(
  runs: readonly PastReleaseRun[],
  options: RecordPastReleasesOptions,
): Promise<PastRelease[]> {
  const signal = options.signal ?? new AbortController().signal;
  const artifacts = createMemoryArtifactStore();
  for (const [i, run] of runs.entries()) {
    await runScenario(
      {
        release: {
          environment: options.environment ?? "production",
          service: options.service ?? "shop",
          version: run.version,
          sha: (i + 1).toString(16).repeat(40),
          previous_release_tag: run.stable,
          slo: options.objectives,
        },
        repository: { tags: { [run.stable]: "f".repeat(40) } },
        ci: { checks: [{ name: "unit", conclusion: "success" }] },
      },
      { artifacts, clock: createVirtualClock(options.startOf(i)), overrides: { slo: options.slo } },
    );
  }
  return (await readReleaseHistory(artifacts, { last: runs.length }, { signal }))._unsafeUnwrap();
}

/**
 * Expects a backtest to reproduce what happened: every release judged on the SLO source's
 * data (not on recorded polls), unchanged, decided at the same step and minute as then.
 */
export function expectDecisionsReproduced(report: BacktestReport): void {
  for (const r of report.releases) {
    expect(r.data).toBe("slo_source");
    expect(r.changed).toBe(false);
    expect(r.candidate.step).toEqual(r.actual.step);
    expect(r.candidate.minute).toBe(r.actual.minute);
  }
}
