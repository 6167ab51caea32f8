import { expect } from "vitest";
import type { SloMeasurement } from "../../contracts/slo-source.js";

/**
 * Expects what a source measured for a query its data does not cover: both readings
 * `no_data`, the error rate's reason matching `reason`, and no sample count, request or
 * error count, or latency buckets; never 0.
 */
export function expectNoDataMeasurement(m: SloMeasurement, reason: RegExp): void {
  expect(m.errorRate.kind).toBe("no_data");
  expect(m.p95LatencyMs.kind).toBe("no_data");
  if (m.errorRate.kind === "no_data") expect(m.errorRate.reason).toMatch(reason);
  expect(m.sampleCount).toBeNull();
  expect([m.requestCount, m.errorCount, m.latencyBuckets]).toEqual([null, null, null]);
}
