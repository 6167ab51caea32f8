import { backtest, type PastRelease, readReleaseHistory, type SloSource } from "@shipgate/core";
import { createMemoryArtifactStore, createVirtualClock, runScenario } from "@shipgate/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCloudWatchSloSource } from "./cloudwatch-slo-source.js";
import {
  type CloudWatchEmulator,
  type CloudWatchSeededMetric,
  startCloudWatchEmulator,
} from "./testing/cloudwatch-emulator.js";
import { LOAD_BALANCER, targetGroup } from "./testing/cloudwatch-test-fixtures.js";

// Backtesting through the CloudWatch adapter: an ALB with one target group per track
// (the canary and the stable one), past releases run by the orchestrator against the
// emulator on a virtual clock set to their times, then backtested.

const T0 = Date.parse("2026-10-05T09:00:00.000Z");
const DAY = 86_400_000;
const SLO = { error_rate_max: 0.01, p95_latency_ms: 300, window_minutes: 4 };
const STRICT = {
  slo: { ...SLO, error_rate_max: 0.003 },
  policy: { judge: { kind: "threshold" as const } },
};
const RUNS = [
  { version: "v1.1.0", stable: "v1.0.0", canaryPerMille: 2, stablePerMille: 2 },
  { version: "v1.2.0", stable: "v1.1.0", canaryPerMille: 70, stablePerMille: 2 },
  { version: "v1.2.1", stable: "v1.1.0", canaryPerMille: 5, stablePerMille: 5 },
];

/** One target group's ALB metrics: requests every 15 s, 5XX in whole numbers, 120 ms responses. */
function albTraffic(
  track: "canary" | "stable",
  start: number,
  end: number,
  per15s: number,
  perMille: number,
): CloudWatchSeededMetric[] {
  const dimensions = { LoadBalancer: LOAD_BALANCER, TargetGroup: targetGroup("shop", track) };
  const requests: [number, number][] = [];
  const errors: [number, number][] = [];
  const latency: [number, number][] = [];
  let owed = 0;
  for (let t = start + 1000; t < end; t += 15_000) {
    requests.push([t, per15s]);
    owed += (per15s * perMille) / 1000;
    if (owed >= 1) {
      errors.push([t, Math.floor(owed)]);
      owed -= Math.floor(owed);
    }
    latency.push([t, 0.12]);
  }
  const ns = "AWS/ApplicationELB";
  return [
    { namespace: ns, metricName: "RequestCount", dimensions, points: requests },
    { namespace: ns, metricName: "HTTPCode_Target_5XX_Count", dimensions, points: errors },
    { namespace: ns, metricName: "TargetResponseTime", dimensions, points: latency },
  ];
}

const signal = new AbortController().signal;

describe("backtest through the CloudWatch adapter", () => {
  let cw: CloudWatchEmulator;
  let slo: SloSource;
  let history: PastRelease[];

  beforeAll(async () => {
    cw = await startCloudWatchEmulator();
    for (const [i, r] of RUNS.entries()) {
      const start = T0 + i * DAY - 300_000;
      const end = T0 + i * DAY + 3_600_000;
      cw.seed(
        ...albTraffic("canary", start, end, 100, r.canaryPerMille),
        ...albTraffic("stable", start, end, 1000, r.stablePerMille),
      );
    }
    slo = createCloudWatchSloSource({
      region: "us-east-1",
      endpoint: cw.url,
      credentials: { accessKeyId: "AKIDTESTNOTREAL", secretAccessKey: "not-a-real-secret" },
      dimensions: { LoadBalancer: LOAD_BALANCER },
      trackDimensions: {
        canary: { TargetGroup: "targetgroup/{{service}}-canary/6d0ecf831eec9f09" },
        stable: { TargetGroup: "targetgroup/{{service}}-stable/6d0ecf831eec9f09" },
      },
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
    await cw?.close();
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
      ["v1.1.0", "promote", false],
      ["v1.2.0", "rollback", false],
      ["v1.2.1", "rollback", true],
    ]);
    expect(strict.totals).toMatchObject({ changed: 1, promoted_then_rolled_back_now: 1 });
  });
});
