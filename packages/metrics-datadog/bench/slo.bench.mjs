// Benchmark: one SLO check (one `measure()` call = one track) against the local Datadog
// emulator, through the real client over real HTTP on 127.0.0.1. Run after `tsup`.
import { benchmarkSloChecks } from "@shipgate/core/testing/emulator";
import { createDatadogSloSource } from "../dist/index.js";
import { startDatadogEmulator, traceMetrics } from "../dist/testing.js";

const lines = await benchmarkSloChecks("metrics-datadog", {
  start: startDatadogEmulator,
  // Trace metrics tagged with each track's version.
  traffic: traceMetrics,
  source: (dd) =>
    createDatadogSloSource({
      apiKey: "test-api-key-not-real",
      appKey: "test-app-key-not-real",
      baseUrl: dd.url,
    }),
});
for (const line of lines) console.log(line);
