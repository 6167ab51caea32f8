import { afterAll, beforeAll, describe, it } from "vitest";
import type { BacktestReport } from "../../backtest/backtest-report.js";
import type { PastRelease } from "../../backtest/release-history.js";
import type { SloSource } from "../../contracts/slo-source.js";
import type { Closable } from "../emulator-lifecycle.js";
import { recordPastReleases } from "../past-releases.js";
import { expectStricterPolicyFlip, seedPastReleaseWindows } from "./backtest-flip.js";
import { type MetricPoint, steadyTraffic } from "./metric-points.js";

/** When the first past release of {@link describeEmulatedBacktest} starts; each next one a day later. */
export const EMULATED_BACKTEST_START = Date.parse("2026-10-05T09:00:00.000Z");

/** The objectives the past releases of {@link describeEmulatedBacktest} ran under. */
export const EMULATED_BACKTEST_SLO = {
  error_rate_max: 0.01,
  p95_latency_ms: 300,
  window_minutes: 4,
} as const;

/** A past release of {@link describeEmulatedBacktest}, and both tracks' errors per 1000 requests. */
export interface EmulatedPastRelease {
  version: string;
  /** The stable version running beside it. */
  stable: string;
  canaryPerMille: number;
  stablePerMille: number;
}

/** One track's steady traffic over one past release's window, for the adapter to seed. */
export interface EmulatedTrackTraffic {
  track: "canary" | "stable";
  /** The version the track runs. */
  version: string;
  requests: MetricPoint[];
  errors: MetricPoint[];
  /** 120 ms at every point, in seconds. */
  latency: MetricPoint[];
}

/** Options of {@link describeEmulatedBacktest}. */
export interface EmulatedBacktestOptions<Emulator extends Closable> {
  /** The adapter's name, as in `backtest through the Datadog adapter`. */
  adapter: string;
  start: () => Promise<Emulator>;
  /** Seeds one track's traffic in the emulator, as the provider would report it. */
  seedTrack: (emulator: Emulator, traffic: EmulatedTrackTraffic) => void;
  /** The adapter's SLO source over the running emulator. */
  source: (emulator: Emulator) => SloSource;
  /** Three releases: promoted, rolled back (errors well above 1%), promoted (errors just below). */
  runs: readonly [EmulatedPastRelease, EmulatedPastRelease, EmulatedPastRelease];
  /** How long after a window opens its first point lies (default 0). */
  firstPointAfterMs?: number;
  /** Further checks of the backtest under the stricter policy. */
  checkStrict?: (strict: BacktestReport) => void;
}

/**
 * Backtesting through a metrics adapter: past releases run by the orchestrator against the
 * adapter's emulator on a virtual clock set to their times (a point every 15 s, the canary
 * 100 requests and the stable track 1000, errors in whole numbers, 120 ms latency), then
 * backtested. The current policy must reproduce the recorded decisions, and one with a 0.3%
 * error budget must flip the third release to a rollback.
 */
export function describeEmulatedBacktest<Emulator extends Closable>(
  options: EmulatedBacktestOptions<Emulator>,
): void {
  const startOf = (i: number) => EMULATED_BACKTEST_START + i * 86_400_000;
  const strict = {
    slo: { ...EMULATED_BACKTEST_SLO, error_rate_max: 0.003 },
    policy: { judge: { kind: "threshold" as const } },
  };

  describe(`backtest through the ${options.adapter} adapter`, () => {
    let emulator: Emulator | undefined;
    let slo: SloSource;
    let history: PastRelease[];

    beforeAll(async () => {
      const started = await options.start();
      emulator = started;
      const seedTrack = (
        track: EmulatedTrackTraffic["track"],
        version: string,
        window: { startMs: number; endMs: number },
        requestsPerPoint: number,
        errorsPerMille: number,
      ) => {
        const traffic = steadyTraffic({
          startMs: window.startMs + (options.firstPointAfterMs ?? 0),
          endMs: window.endMs,
          everyMs: 15_000,
          requestsPerPoint,
          errorsPerMille,
          latency: 0.12,
        });
        options.seedTrack(started, { track, version, ...traffic });
      };
      seedPastReleaseWindows(options.runs, startOf, (r, startMs, endMs) => {
        seedTrack("canary", r.version, { startMs, endMs }, 100, r.canaryPerMille);
        seedTrack("stable", r.stable, { startMs, endMs }, 1000, r.stablePerMille);
      });
      slo = options.source(started);
      history = await recordPastReleases(options.runs, {
        slo,
        objectives: EMULATED_BACKTEST_SLO,
        startOf,
      });
    }, 120_000);

    afterAll(async () => {
      await emulator?.close();
    });

    it("reproduces the recorded decisions with the current policy, and shows the stricter one's flip", async () => {
      const versions = options.runs.map((r) => r.version) as [string, string, string];
      const report = await expectStricterPolicyFlip(
        history,
        slo,
        { current: { slo: EMULATED_BACKTEST_SLO }, strict },
        versions,
      );
      options.checkStrict?.(report);
    });
  });
}
