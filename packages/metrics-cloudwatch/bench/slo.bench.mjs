// Benchmark: one SLO check (one `measure()` call = one track) against the local CloudWatch
// emulator, through the real AWS SDK over real HTTP on 127.0.0.1. Run after `tsup`.
import { timeChecks } from "@shipgate/core/testing/emulator";
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
  const signal = new AbortController().signal;
  // Canary and stable in turn.
  const check = async (i) => {
    const r = await source.measure(
      sloQuery(i % 2 === 0 ? {} : { version: "1.3.0", track: "stable" }),
      { signal },
    );
    if (r.isErr()) throw new Error(`${r.error.kind}: ${r.error.message}`);
    if (r.value.errorRate.kind !== "value") throw new Error("expected a value");
  };
  const { p50Ms } = await timeChecks(check, {
    warmup: 10,
    checks: CHECKS,
    afterWarmup: () => cw.reset(),
  });
  console.log(`metrics-cloudwatch: requests per SLO check = ${cw.requests.length / CHECKS}`);
  console.log(
    `metrics-cloudwatch: p50 latency of one check = ${p50Ms.toFixed(2)} ms (over ${CHECKS} checks)`,
  );
} finally {
  await cw.close();
}
