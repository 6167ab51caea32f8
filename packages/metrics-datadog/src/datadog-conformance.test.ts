import { describeSloSourceConformance } from "@shipgate/core/testing";
import { createDatadogSloSource } from "./datadog-slo-source.js";
import { startDatadogEmulator } from "./testing/datadog-emulator.js";
import { sloQuery, traceMetrics } from "./testing/datadog-test-fixtures.js";

describeSloSourceConformance("datadog (emulated)", async () => {
  const dd = await startDatadogEmulator();
  dd.seed(
    ...traceMetrics({ version: "1.4.0", requests: 1000, errors: 5, latencyStepSeconds: 0.002 }),
    ...traceMetrics({ version: "1.5.0", requests: 500, errors: 40, latencyStepSeconds: 0.01 }),
  );
  return {
    source: createDatadogSloSource({
      apiKey: "test-api-key-not-real",
      appKey: "test-app-key-not-real",
      baseUrl: dd.url,
      retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 10 },
    }),
    healthy: {
      query: sloQuery({ version: "1.4.0" }),
      errorRate: 0.005,
      p95LatencyMs: 190,
      requestCount: 1000,
      errorCount: 5,
    },
    breaching: {
      query: sloQuery({ version: "1.5.0" }),
      errorRate: 0.08,
      p95LatencyMs: 950,
      requestCount: 500,
      errorCount: 40,
    },
    capabilities: { counts: true, latencyBuckets: false },
    noData: sloQuery({ service: "unknown-service" }),
    cleanup: () => dd.close(),
  };
});
