// Benchmark: one SLO check (one `measure()` call = one track) against the local Datadog
// emulator, through the real client over real HTTP on 127.0.0.1. Run after `tsup`.
import { measuredValue, sloCheckBenchmarkLines, timeChecks } from "@shipgate/core/testing/emulator";
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
  // Canary and stable in turn.
  const check = async (i) => {
    const query = sloQuery(i % 2 === 0 ? {} : { version: "1.3.0", track: "stable" });
    const m = await measuredValue(source, query);
    if (m.errorRate.kind !== "value") throw new Error("expected a value");
  };
  const { p50Ms } = await timeChecks(check, {
    warmup: 10,
    checks: CHECKS,
    afterWarmup: () => dd.reset(),
  });
  const figures = { requests: dd.requests.length, checks: CHECKS, p50Ms };
  for (const line of sloCheckBenchmarkLines("metrics-datadog", figures)) console.log(line);
} finally {
  await dd.close();
}
