// Benchmark: one SLO check (one `measure()` call = one track) against the local CloudWatch
// emulator, through the real AWS SDK over real HTTP on 127.0.0.1. Run after `tsup`.
import { measuredValue, sloCheckBenchmarkLines, timeChecks } from "@shipgate/core/testing/emulator";
import { createCloudWatchSloSource } from "../dist/index.js";
import {
  albMetrics,
  sloQuery,
  startCloudWatchEmulator,
  TEST_CREDENTIALS,
  TEST_DIMENSIONS,
} from "../dist/testing.js";

const CHECKS = 200;
const cw = await startCloudWatchEmulator();
try {
  cw.seed(
    ...albMetrics({ track: "canary", requests: 1000, errors: 5, latencyStepSeconds: 0.002 }),
    ...albMetrics({ track: "stable", requests: 4000, errors: 4, latencyStepSeconds: 0.001 }),
  );
  const source = createCloudWatchSloSource({
    region: "us-east-1",
    endpoint: cw.url,
    credentials: TEST_CREDENTIALS,
    dimensions: TEST_DIMENSIONS,
  });
  // Canary and stable in turn.
  const check = async (i) => {
    const query = sloQuery(i % 2 === 0 ? {} : { version: "1.3.0", track: "stable" });
    const m = await measuredValue(source, query);
    if (m.errorRate.kind !== "value") throw new Error("expected a value");
  };
  const { p50Ms } = await timeChecks(check, {
    warmup: 10,
    checks: CHECKS,
    afterWarmup: () => cw.reset(),
  });
  const figures = { requests: cw.requests.length, checks: CHECKS, p50Ms };
  for (const line of sloCheckBenchmarkLines("metrics-cloudwatch", figures)) console.log(line);
} finally {
  await cw.close();
}
