import { describeSloSourceConformance } from "@shipgate/core/testing";
import { CONFORMANCE_TRAFFIC, emulatedSloConformanceSetup } from "@shipgate/core/testing/emulator";
import { createCloudWatchSloSource } from "./cloudwatch-slo-source.js";
import { startCloudWatchEmulator } from "./testing/cloudwatch-emulator.js";
import {
  albMetrics,
  sloQuery,
  TEST_CREDENTIALS,
  TEST_DIMENSIONS,
} from "./testing/cloudwatch-test-fixtures.js";

const { healthy, breaching } = CONFORMANCE_TRAFFIC;

describeSloSourceConformance("cloudwatch (emulated)", async () => {
  // One datapoint per page, so the suite's measurements also go through NextToken paging.
  const cw = await startCloudWatchEmulator({ pageSize: 1 });
  cw.seed(
    ...albMetrics({ service: "checkout", track: "canary", ...healthy.traffic }),
    ...albMetrics({ service: "payments", track: "canary", ...breaching.traffic }),
  );
  const source = createCloudWatchSloSource({
    region: "us-east-1",
    endpoint: cw.url,
    credentials: TEST_CREDENTIALS,
    dimensions: TEST_DIMENSIONS,
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
  });
  return emulatedSloConformanceSetup(cw, source, {
    healthy: sloQuery({ service: "checkout" }),
    breaching: sloQuery({ service: "payments" }),
  });
});
