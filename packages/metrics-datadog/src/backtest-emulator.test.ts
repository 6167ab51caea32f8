import { logger } from "@datadog/datadog-api-client";
import { describeEmulatedBacktest } from "@shipgate/core/testing/emulator";
import { expect } from "vitest";
import { createDatadogSloSource } from "./datadog-slo-source.js";
import { startDatadogEmulator } from "./testing/datadog-emulator.js";

// Backtesting through the Datadog adapter: APM trace metrics tagged with each track's version.

describeEmulatedBacktest({
  adapter: "Datadog",
  start: () => {
    logger.setLevel("silent");
    return startDatadogEmulator();
  },
  seedTrack: (dd, { version, requests, errors, latency }) => {
    const tags = { service: "shop", env: "production", version };
    dd.seed(
      { metric: "trace.http.request.hits", type: "count", tags, points: requests },
      { metric: "trace.http.request.errors", type: "count", tags, points: errors },
      { metric: "trace.http.request", type: "distribution", tags, points: latency },
    );
  },
  source: (dd) =>
    createDatadogSloSource({
      apiKey: "test-api-key-not-real",
      appKey: "test-app-key-not-real",
      baseUrl: dd.url,
      timeoutMs: 5000,
    }),
  runs: [
    { version: "1.1.0", stable: "1.0.0", canaryPerMille: 2, stablePerMille: 2 },
    { version: "1.2.0", stable: "1.1.0", canaryPerMille: 70, stablePerMille: 2 },
    { version: "1.2.1", stable: "1.1.0", canaryPerMille: 4, stablePerMille: 4 },
  ],
  // Errors come in whole numbers: the first minute holds one (0.25%), the second crosses 0.3%.
  checkStrict: (strict) => {
    expect(strict.releases[2]!.candidate).toMatchObject({ step: { weight: 5 }, minute: 2 });
  },
});
