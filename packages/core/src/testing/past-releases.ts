import type { ArtifactStore } from "../contracts/artifact-store.js";
import type { SloSource } from "../contracts/slo-source.js";
import type { ReleaseOutcome } from "../model/release-outcome.js";
import type { ReleaseSpecInput } from "../model/release-spec.js";
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
  startMs: number;
}

/**
 * Runs a history of releases of `shop` to production, one a day on a virtual clock, with CI
 * green and `sloSource` answering: the reports and status files a backtest then reads.
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
          environment: "production",
          service: "shop",
          version: r.version,
          sha: String(i + 1).repeat(40),
          previous_release_tag: r.previous,
          slo: options.slo,
        },
        repository: { tags: { [r.previous]: "f".repeat(40) } },
        ci: { checks: [{ name: "unit", conclusion: "success" }] },
      },
      {
        artifacts: options.artifacts,
        clock: createVirtualClock(options.startMs + i * DAY_MS),
        overrides: { slo: options.sloSource },
      },
    );
    outcomes.push(result.outcome);
  }
  return outcomes;
}
