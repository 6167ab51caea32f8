import { describe, expect, it } from "vitest";
import type { SloMeasurement } from "../../contracts/slo-source.js";
import { expectNoDataMeasurement } from "./no-data-measurement.js";

const noData: SloMeasurement = {
  errorRate: { kind: "no_data", reason: "no series for the query" },
  p95LatencyMs: { kind: "no_data", reason: "no series for the query" },
  sampleCount: null,
  requestCount: null,
  errorCount: null,
  latencyBuckets: null,
};

describe("expectNoDataMeasurement", () => {
  it("accepts no_data readings with the reason and no counts", () => {
    expectNoDataMeasurement(noData, /no series/);
  });

  it("refuses another reason, and zeros standing for no data", () => {
    expect(() => expectNoDataMeasurement(noData, /no datapoints/)).toThrow();
    expect(() => expectNoDataMeasurement({ ...noData, requestCount: 0 }, /no series/)).toThrow();
    expect(() =>
      expectNoDataMeasurement({ ...noData, errorRate: { kind: "value", value: 0 } }, /no series/),
    ).toThrow();
  });
});
