import { expect } from "vitest";
import type { BacktestReport } from "../backtest/backtest-report.js";
import { type PastRelease, readReleaseHistory } from "../backtest/release-history.js";
import type { ArtifactStore } from "../contracts/artifact-store.js";
import type { SloSource } from "../contracts/slo-source.js";
import type { ReleaseOutcome } from "../model/release-outcome.js";
import type { ReleaseSpecInput } from "../model/release-spec.js";
import { createMemoryArtifactStore } from "./fakes/memory-artifact-store.js";
import { runScenario } from "./run-scenario.js";
import { createVirtualClock } from "./virtual-clock.js";

const DAY_MS = 86_400_000;

/** A release that happened: its version and the stable version it replaced. */
export interface PastReleaseRun {
  version: string;
  previous: string;
}

/** What {@link runPastReleases} runs the releases with. */
export interface PastReleasesOptions {
  /** The objective the releases were judged by (the release config's `slo`). */
  slo: ReleaseSpecInput["slo"];
  /** The SLO source that answers for the canary and stable windows. */
  sloSource: SloSource;
  /** Where the releases leave their reports and status files. */
  artifacts: ArtifactStore;
  /** When the first release starts (ms since epoch); each next one starts a day later. */
  startMs?: number;
  /** When release `index` starts (ms since epoch), instead of one a day from `startMs`. */
  startOf?: (index: number) => number;
  service?: string;
  environment?: string;
}

/**
 * Runs a history of releases (of `shop` to production unless told), one a day on a virtual
 * clock (or at `startOf(i)`), with CI green and `sloSource` answering: the reports and
 * status files a backtest then reads.
 *
 * @example
 * ```ts
 * const artifacts = createMemoryArtifactStore();
 * await runPastReleases([{ version: "v1.1.0", previous: "v1.0.0" }], {
 *   slo: { error_rate_max: 0.01, p95_latency_ms: 300, window_minutes: 10 },
 *   sloSource, artifacts, startMs: Date.parse("2026-11-02T10:00:00Z"),
 * });
 * ```
 */
export async function runPastReleases(
  runs: readonly PastReleaseRun[],
  options: PastReleasesOptions,
): Promise<ReleaseOutcome[]> {
  const outcomes: ReleaseOutcome[] = [];
  for (const [i, r] of runs.entries()) {
    const result = await runScenario(
      {
        release: {
          environment: options.environment ?? "production",
          service: options.service ?? "shop",
          version: r.version,
          sha: (i + 1).toString(16).padStart(40, "0"),
          previous_release_tag: r.previous,
          slo: options.slo,
        },
        repository: { tags: { [r.previous]: "f".repeat(40) } },
        ci: { checks: [{ name: "unit", conclusion: "success" }] },
      },
      {
        artifacts: options.artifacts,
        clock: createVirtualClock(options.startOf?.(i) ?? (options.startMs ?? 0) + i * DAY_MS),
        overrides: { slo: options.sloSource },
      },
    );
    outcomes.push(result.outcome);
  }
  return outcomes;
}

/**
 * Runs past releases into a fresh memory store (as {@link runPastReleases}; `stable` is the
 * version serving before each) and reads the history back: what backtests of an SLO source
 * start from.
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
  runs: readonly { version: string; stable: string }[],
  options: {
    /** The SLO source the releases are judged on: an adapter over its emulator or server. */
    slo: SloSource;
    /** The release's `slo:` block, as in a release spec. */
    objectives: ReleaseSpecInput["slo"];
    /** When release `index` starts (epoch ms); its virtual clock starts there. */
    startOf: (index: number) => number;
    service?: string;
    environment?: string;
    signal?: AbortSignal;
  },
): Promise<PastRelease[]> {
  const artifacts = createMemoryArtifactStore();
  await runPastReleases(
    runs.map((r) => ({ version: r.version, previous: r.stable })),
    {
      slo: options.objectives,
      sloSource: options.slo,
      artifacts,
      startOf: options.startOf,
      service: options.service,
      environment: options.environment,
    },
  );
  const signal = options.signal ?? new AbortController().signal;
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
