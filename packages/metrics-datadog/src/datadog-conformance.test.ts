import { describeSloSourceConformance } from "@shipgate/core/testing";
import { CONFORMANCE_TRAFFIC, emulatedSloConformanceSetup } from "@shipgate/core/testing/emulator";
import { createDatadogSloSource } from "./datadog-slo-source.js";
import { startDatadogEmulator } from "./testing/datadog-emulator.js";
import { sloQuery, traceMetrics } from "./testing/datadog-test-fixtures.js";

const { healthy, breaching } = CONFORMANCE_TRAFFIC;

describeSloSourceConformance("datadog (emulated)", async () => {
  const dd = await startDatadogEmulator();
  dd.seed(
    ...traceMetrics({ version: "1.4.0", ...healthy.traffic }),
    ...traceMetrics({ version: "1.5.0", ...breaching.traffic }),
  );
  const source = createDatadogSloSource({
    apiKey: "test-api-key-not-real",
    appKey: "test-app-key-not-real",
    baseUrl: dd.url,
    retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 10 },
  });
  return emulatedSloConformanceSetup(dd, source, {
    healthy: sloQuery({ version: "1.4.0" }),
    breaching: sloQuery({ version: "1.5.0" }),
  });
});
