import type { PastRelease, SloSource } from "@shipgate/core";
import {
  expectStricterPolicyFlip,
  recordPastReleases,
  seedPastReleaseWindows,
} from "@shipgate/core/testing";
import { steadyTraffic } from "@shipgate/core/testing/emulator";
import { afterAll, beforeAll, describe, it } from "vitest";
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
  endMs: number,
  requestsPerPoint: number,
  errorsPerMille: number,
): CloudWatchSeededMetric[] {
  const dimensions = { LoadBalancer: LOAD_BALANCER, TargetGroup: targetGroup("shop", track) };
  const traffic = steadyTraffic({
    startMs: start + 1000,
    endMs,
    everyMs: 15_000,
    requestsPerPoint,
    errorsPerMille,
    latency: 0.12,
  });
  const ns = "AWS/ApplicationELB";
  return [
    { namespace: ns, metricName: "RequestCount", dimensions, points: traffic.requests },
    { namespace: ns, metricName: "HTTPCode_Target_5XX_Count", dimensions, points: traffic.errors },
    { namespace: ns, metricName: "TargetResponseTime", dimensions, points: traffic.latency },
  ];
}

const startOf = (i: number) => T0 + i * DAY;

describe("backtest through the CloudWatch adapter", () => {
  let cw: CloudWatchEmulator;
  let slo: SloSource;
  let history: PastRelease[];

  beforeAll(async () => {
    cw = await startCloudWatchEmulator();
    seedPastReleaseWindows(RUNS, startOf, (r, start, end) =>
      cw.seed(
        ...albTraffic("canary", start, end, 100, r.canaryPerMille),
        ...albTraffic("stable", start, end, 1000, r.stablePerMille),
      ),
    );
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
    history = await recordPastReleases(RUNS, {
      slo,
      objectives: SLO,
      startOf,
    });
  }, 120_000);

  afterAll(async () => {
    await cw?.close();
  });

  it("reproduces the recorded decisions with the current policy, and shows the stricter one's flip", async () => {
    await expectStricterPolicyFlip(history, slo, { current: { slo: SLO }, strict: STRICT }, [
      "v1.1.0",
      "v1.2.0",
      "v1.2.1",
    ]);
  });
});
