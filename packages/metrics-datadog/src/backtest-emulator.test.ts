import { logger } from "@datadog/datadog-api-client";
import { backtest, type PastRelease, readReleaseHistory, type SloSource } from "@shipgate/core";
import { createMemoryArtifactStore, createVirtualClock, runScenario } from "@shipgate/core/testing";
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
  start: number,
  end: number,
  hitsPer15s: number,
  perMille: number,
): DatadogSeededSeries[] {
  const tags = { service: "shop", env: "production", version };
  const hits: [number, number][] = [];
  const errors: [number, number][] = [];
  const latency: [number, number][] = [];
  let owed = 0;
  for (let t = start; t < end; t += 15_000) {
    hits.push([t, hitsPer15s]);
    owed += (hitsPer15s * perMille) / 1000;
    if (owed >= 1) {
      errors.push([t, Math.floor(owed)]);
      owed -= Math.floor(owed);
    }
    latency.push([t, 0.12]);
  }
  return [
    { metric: "trace.http.request.hits", type: "count", tags, points: hits },
    { metric: "trace.http.request.errors", type: "count", tags, points: errors },
    { metric: "trace.http.request", type: "distribution", tags, points: latency },
  ];
}

const signal = new AbortController().signal;

describe("backtest through the Datadog adapter", () => {
  let dd: DatadogEmulator;
  let slo: SloSource;
  let history: PastRelease[];

  beforeAll(async () => {
    logger.setLevel("silent");
    dd = await startDatadogEmulator();
    for (const [i, r] of RUNS.entries()) {
      const start = T0 + i * DAY - 300_000;
      const end = T0 + i * DAY + 3_600_000;
      dd.seed(
        ...seriesFor(r.version, start, end, 100, r.canaryPerMille),
        ...seriesFor(r.stable, start, end, 1000, r.stablePerMille),
      );
    }
    slo = createDatadogSloSource({
      apiKey: "test-api-key-not-real",
      appKey: "test-app-key-not-real",
      baseUrl: dd.url,
      timeoutMs: 5000,
    });
    const artifacts = createMemoryArtifactStore();
    for (const [i, r] of RUNS.entries()) {
      await runScenario(
        {
          release: {
            environment: "production",
            service: "shop",
            version: r.version,
            sha: String(i + 1).repeat(40),
            previous_release_tag: r.stable,
            slo: SLO,
          },
          repository: { tags: { [r.stable]: "f".repeat(40) } },
          ci: { checks: [{ name: "unit", conclusion: "success" }] },
        },
        { artifacts, clock: createVirtualClock(T0 + i * DAY), overrides: { slo } },
      );
    }
    history = (await readReleaseHistory(artifacts, {}, { signal }))._unsafeUnwrap();
  }, 120_000);

  afterAll(async () => {
    await dd?.close();
  });

  it("reproduces the recorded decisions with the current policy, and shows the stricter one's flip", async () => {
    expect(history.map((r) => r.status)).toEqual(["SUCCESS", "ABORTED", "SUCCESS"]);
    const current = (await backtest(history, { slo: SLO }, slo, { signal }))._unsafeUnwrap();
    for (const r of current.releases) {
      expect(r.data).toBe("slo_source");
      expect(r.changed).toBe(false);
      expect(r.candidate.step).toEqual(r.actual.step);
      expect(r.candidate.minute).toBe(r.actual.minute);
    }
    expect(current.releases.map((r) => r.candidate.decision)).toEqual([
      "promote",
      "rollback",
      "promote",
    ]);

    const strict = (await backtest(history, STRICT, slo, { signal }))._unsafeUnwrap();
    expect(strict.releases.map((r) => [r.version, r.candidate.decision, r.changed])).toEqual([
      ["1.1.0", "promote", false],
      ["1.2.0", "rollback", false],
      ["1.2.1", "rollback", true],
    ]);
    // Errors come in whole numbers: the first minute holds one (0.25%), the second crosses 0.3%.
    expect(strict.releases[2]!.candidate).toMatchObject({ step: { weight: 5 }, minute: 2 });
    expect(strict.totals).toMatchObject({ changed: 1, promoted_then_rolled_back_now: 1 });
  });
});
