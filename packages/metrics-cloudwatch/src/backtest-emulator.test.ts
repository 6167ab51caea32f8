import { describeEmulatedBacktest } from "@shipgate/core/testing/emulator";
import { createCloudWatchSloSource } from "./cloudwatch-slo-source.js";
import { startCloudWatchEmulator } from "./testing/cloudwatch-emulator.js";
import { LOAD_BALANCER, targetGroup } from "./testing/cloudwatch-test-fixtures.js";

// Backtesting through the CloudWatch adapter: an ALB with one target group per track
// (the canary and the stable one), requests every 15 s, 5XX in whole numbers, 120 ms responses.

const ns = "AWS/ApplicationELB";

describeEmulatedBacktest({
  adapter: "CloudWatch",
  start: () => startCloudWatchEmulator(),
  firstPointAfterMs: 1000,
  seedTrack: (cw, { track, requests, errors, latency }) => {
    const dimensions = { LoadBalancer: LOAD_BALANCER, TargetGroup: targetGroup("shop", track) };
    cw.seed(
      { namespace: ns, metricName: "RequestCount", dimensions, points: requests },
      { namespace: ns, metricName: "HTTPCode_Target_5XX_Count", dimensions, points: errors },
      { namespace: ns, metricName: "TargetResponseTime", dimensions, points: latency },
    );
  },
  source: (cw) =>
    createCloudWatchSloSource({
      region: "us-east-1",
      endpoint: cw.url,
      credentials: { accessKeyId: "AKIDTESTNOTREAL", secretAccessKey: "not-a-real-secret" },
      dimensions: { LoadBalancer: LOAD_BALANCER },
      trackDimensions: {
        canary: { TargetGroup: "targetgroup/{{service}}-canary/6d0ecf831eec9f09" },
        stable: { TargetGroup: "targetgroup/{{service}}-stable/6d0ecf831eec9f09" },
      },
      timeoutMs: 5000,
    }),
  runs: [
    { version: "v1.1.0", stable: "v1.0.0", canaryPerMille: 2, stablePerMille: 2 },
    { version: "v1.2.0", stable: "v1.1.0", canaryPerMille: 70, stablePerMille: 2 },
    { version: "v1.2.1", stable: "v1.1.0", canaryPerMille: 5, stablePerMille: 5 },
  ],
});
