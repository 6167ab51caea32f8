// Benchmark: one SLO check (one `measure()` call = one track) against the local Datadog
// emulator, through the real client over real HTTP on 127.0.0.1. Run after `tsup`.
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
  const check = async (track) => {
    const r = await source.measure(
      sloQuery(track === "canary" ? {} : { version: "1.3.0", track: "stable" }),
      { signal },
    );
    if (r.isErr()) throw new Error(`${r.error.kind}: ${r.error.message}`);
    if (r.value.errorRate.kind !== "value") throw new Error("expected a value");
  };
  for (let i = 0; i < 10; i++) await check("canary");
  dd.reset();
  const durations = [];
  for (let i = 0; i < CHECKS; i++) {
    const started = performance.now();
    await check(i % 2 === 0 ? "canary" : "stable");
    durations.push(performance.now() - started);
  }
  durations.sort((a, b) => a - b);
  const p50 = durations[Math.floor(durations.length / 2)];
  console.log(`metrics-datadog: requests per SLO check = ${dd.requests.length / CHECKS}`);
  console.log(
    `metrics-datadog: p50 latency of one check = ${p50.toFixed(2)} ms (over ${CHECKS} checks)`,
  );
} finally {
  await dd.close();
}
