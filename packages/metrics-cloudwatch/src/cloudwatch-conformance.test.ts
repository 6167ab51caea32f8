import { describeSloSourceConformance } from "@shipgate/core/testing";
import { createCloudWatchSloSource } from "./cloudwatch-slo-source.js";
import { startCloudWatchEmulator } from "./testing/cloudwatch-emulator.js";
import { albMetrics, LOAD_BALANCER, sloQuery } from "./testing/cloudwatch-test-fixtures.js";

describeSloSourceConformance("cloudwatch (emulated)", async () => {
  // One datapoint per page, so the suite's measurements also go through NextToken paging.
  const cw = await startCloudWatchEmulator({ pageSize: 1 });
  cw.seed(
    ...albMetrics({
      service: "checkout",
      track: "canary",
      requests: 1000,
      errors: 5,
      latencyStepSeconds: 0.002,
    }),
    ...albMetrics({
      service: "payments",
      track: "canary",
      requests: 500,
      errors: 40,
      latencyStepSeconds: 0.01,
    }),
  );
  return {
    source: createCloudWatchSloSource({
      region: "us-east-1",
      endpoint: cw.url,
      credentials: { accessKeyId: "AKIDTESTNOTREAL", secretAccessKey: "test-secret-not-real" },
      dimensions: {
        LoadBalancer: LOAD_BALANCER,
        TargetGroup: "targetgroup/{{service}}-{{track}}/6d0ecf831eec9f09",
      },
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
    }),
    healthy: {
      query: sloQuery({ service: "checkout" }),
      errorRate: 0.005,
      p95LatencyMs: 190,
      requestCount: 1000,
      errorCount: 5,
    },
    breaching: {
      query: sloQuery({ service: "payments" }),
      errorRate: 0.08,
      p95LatencyMs: 950,
      requestCount: 500,
      errorCount: 40,
    },
    capabilities: { counts: true, latencyBuckets: false },
    noData: sloQuery({ service: "unknown-service" }),
    cleanup: () => cw.close(),
  };
});
