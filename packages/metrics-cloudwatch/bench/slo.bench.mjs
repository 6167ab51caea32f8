// Benchmark: one SLO check (one `measure()` call = one track) against the local CloudWatch
// emulator, through the real AWS SDK over real HTTP on 127.0.0.1. Run after `tsup`.
import { benchmarkSloChecks } from "@shipgate/core/testing/emulator";
import { createCloudWatchSloSource } from "../dist/index.js";
import {
  albMetrics,
  startCloudWatchEmulator,
  TEST_CREDENTIALS,
  TEST_DIMENSIONS,
} from "../dist/testing.js";

const lines = await benchmarkSloChecks("metrics-cloudwatch", {
  start: startCloudWatchEmulator,
  // A target group per track.
  traffic: albMetrics,
  source: (cw) =>
    createCloudWatchSloSource({
      region: "us-east-1",
      endpoint: cw.url,
      credentials: TEST_CREDENTIALS,
      dimensions: TEST_DIMENSIONS,
    }),
});
for (const line of lines) console.log(line);
