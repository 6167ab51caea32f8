import { logger } from "@datadog/datadog-api-client";
import type { PastRelease, SloSource } from "@shipgate/core";
import {
  expectStricterPolicyFlip,
  recordPastReleases,
  seedPastReleaseWindows,
} from "@shipgate/core/testing";
import { steadyTraffic } from "@shipgate/core/testing/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatadogSloSource } from "./datadog-slo-source.js";
import {
  type DatadogEmulator,
  type DatadogSeededSeries,
  startDatadogEmulator,
} from "./testing/datadog-emulator.js";

// Backtesting through the Datadog adapter: past releases are run by the orchestrator
// against the emulator on a virtual clock set to their times, then backtested.

const T0 = Date.parse("2026-10-05T09:00:00.000Z");
const DAY = 86_400_000;
const SLO = { error_rate_max: 0.01, p95_latency_ms: 300, window_minutes: 4 };
const STRICT = {
  slo: { ...SLO, error_rate_max: 0.003 },
  policy: { judge: { kind: "threshold" as const } },
};
const RUNS = [
  { version: "1.1.0", stable: "1.0.0", canaryPerMille: 2, stablePerMille: 2 },
  { version: "1.2.0", stable: "1.1.0", canaryPerMille: 70, stablePerMille: 2 },
  { version: "1.2.1", stable: "1.1.0", canaryPerMille: 4, stablePerMille: 4 },
];

/** Hits every 15 s (canary 100, stable 1000), errors spread in whole numbers, 120 ms latency. */
function seriesFor(
  version: string,
  startMs: number,
  endMs: number,
  requestsPerPoint: number,
  errorsPerMille: number,
): DatadogSeededSeries[] {
  const tags = { service: "shop", env: "production", version };
  const traffic = steadyTraffic({
    startMs,
    endMs,
    everyMs: 15_000,
    requestsPerPoint,
    errorsPerMille,
    latency: 0.12,
  });
  return [
    { metric: "trace.http.request.hits", type: "count", tags, points: traffic.requests },
    { metric: "trace.http.request.errors", type: "count", tags, points: traffic.errors },
    { metric: "trace.http.request", type: "distribution", tags, points: traffic.latency },
  ];
}

const startOf = (i: number) => T0 + i * DAY;

describe("backtest through the Datadog adapter", () => {
  let dd: DatadogEmulator;
  let slo: SloSource;
  let history: PastRelease[];

  beforeAll(async () => {
    logger.setLevel("silent");
    dd = await startDatadogEmulator();
    seedPastReleaseWindows(RUNS, startOf, (r, start, end) =>
      dd.seed(
        ...seriesFor(r.version, start, end, 100, r.canaryPerMille),
        ...seriesFor(r.stable, start, end, 1000, r.stablePerMille),
      ),
    );
    slo = createDatadogSloSource({
      apiKey: "test-api-key-not-real",
      appKey: "test-app-key-not-real",
      baseUrl: dd.url,
      timeoutMs: 5000,
    });
    history = await recordPastReleases(RUNS, {
      slo,
      objectives: SLO,
      startOf,
    });
  }, 120_000);

  afterAll(async () => {
    await dd?.close();
  });

  it("reproduces the recorded decisions with the current policy, and shows the stricter one's flip", async () => {
    const strict = await expectStricterPolicyFlip(
      history,
      slo,
      { current: { slo: SLO }, strict: STRICT },
      ["1.1.0", "1.2.0", "1.2.1"],
    );
    // Errors come in whole numbers: the first minute holds one (0.25%), the second crosses 0.3%.
    expect(strict.releases[2]!.candidate).toMatchObject({ step: { weight: 5 }, minute: 2 });
  });
});
