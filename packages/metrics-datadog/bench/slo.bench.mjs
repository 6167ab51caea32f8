// Benchmark: one SLO check (one `measure()` call = one track) against the local Datadog
// emulator, through the real client over real HTTP on 127.0.0.1. Run after `tsup`.
import { timeChecks } from "@shipgate/core/testing/emulator";
import { createDatadogSloSource } from "../dist/index.js";
import { sloQuery, startDatadogEmulator, traceMetrics } from "../dist/testing.js";

const CHECKS = 200;
const dd = await startDatadogEmulator();
try {
  dd.seed(
    ...traceMetrics({ version: "1.4.0", requests: 1000, errors: 5, latencyStepSeconds: 0.002 }),
    ...traceMetrics({ version: "1.3.0", requests: 4000, errors: 4, latencyStepSeconds: 0.001 }),
  );
  const source = createDatadogSloSource({
    apiKey: "test-api-key-not-real",
    appKey: "test-app-key-not-real",
    baseUrl: dd.url,
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
    afterWarmup: () => dd.reset(),
  });
  console.log(`metrics-datadog: requests per SLO check = ${dd.requests.length / CHECKS}`);
  console.log(
    `metrics-datadog: p50 latency of one check = ${p50Ms.toFixed(2)} ms (over ${CHECKS} checks)`,
  );
} finally {
  await dd.close();
}
