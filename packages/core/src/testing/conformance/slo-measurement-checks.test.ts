import { describe, expect, it } from "vitest";
import type { SloMeasurement } from "../../contracts/slo-source.js";
import { capabilityProblems, sloMeasurementProblems } from "./slo-measurement-checks.js";

const base: SloMeasurement = {
  errorRate: { kind: "value", value: 0.01 },
  p95LatencyMs: { kind: "value", value: 120 },
  sampleCount: 1000,
  requestCount: 1000,
  errorCount: 10,
  latencyBuckets: [
    { leMs: 100, count: 900 },
    { leMs: 250, count: 990 },
    { leMs: Number.POSITIVE_INFINITY, count: 1000 },
  ],
};
const problems = (m: Partial<SloMeasurement>) =>
  sloMeasurementProblems({ ...base, ...m }, { rateTolerance: 0.002 });

describe("sloMeasurementProblems", () => {
  it("accepts consistent counts and buckets, v1 measurements and honest nulls", () => {
    expect(problems({})).toEqual([]);
    expect(
      problems({ requestCount: undefined, errorCount: undefined, latencyBuckets: undefined }),
    ).toEqual([]);
    expect(problems({ requestCount: null, errorCount: null, latencyBuckets: null })).toEqual([]);
    // The simulated source's rounding: errorCount = round(rate × requests).
    expect(
      problems({
        errorRate: { kind: "value", value: 0.0043 },
        requestCount: 7,
        errorCount: 0,
        latencyBuckets: null,
      }),
    ).toEqual([]);
    expect(
      problems({
        errorRate: { kind: "no_data", reason: "none" },
        requestCount: 0,
        errorCount: 0,
        latencyBuckets: [{ leMs: Number.POSITIVE_INFINITY, count: 0 }],
      }),
    ).toEqual([]);
    // The +Inf bucket and the request counter are rounded apart: one off is rounding.
    expect(problems({ latencyBuckets: [{ leMs: Number.POSITIVE_INFINITY, count: 1001 }] })).toEqual(
      [],
    );
  });

  it("names counts that are fractional, negative, inconsistent or disagree with the rate", () => {
    expect(problems({ requestCount: 999.5 })).toEqual([
      expect.stringContaining("requestCount 999.5 is not a whole"),
    ]);
    expect(problems({ errorCount: -1 })).toEqual([expect.stringContaining("errorCount -1")]);
    expect(problems({ requestCount: Number.NaN })).toEqual([
      expect.stringContaining("requestCount NaN"),
    ]);
    expect(problems({ errorCount: 1001, latencyBuckets: null })).toEqual([
      expect.stringContaining("exceeds requestCount"),
    ]);
    expect(problems({ errorCount: 30 })).toEqual([
      expect.stringContaining("disagrees with errorRate 0.01"),
    ]);
    // Within one request of rounding is fine; two are not.
    expect(problems({ errorCount: 11 })).toEqual([]);
    expect(problems({ errorCount: 13 })).toHaveLength(1);
  });

  const inf = Number.POSITIVE_INFINITY;
  // biome-ignore format: one histogram a row reads as a table
  it.each<[string, [leMs: number, count: number][], string]>([
    ["empty", [], "empty"],
    ["not ending at Infinity", [[100, 1000]], "not Infinity"],
    ["not ascending", [[250, 900], [100, 950], [inf, 1000]], "does not ascend"],
    ["not cumulative", [[100, 990], [250, 900], [inf, 1000]], "cumulative"],
    ["fractional", [[100, 0.5], [inf, 1000]], "count 0.5"],
    ["off the request count", [[inf, 400]], "counts 400 requests but requestCount is 1000"],
  ])("names buckets %s: not an ascending cumulative histogram ending at Infinity", (_, rows, says) => {
    const latencyBuckets = rows.map(([leMs, count]) => ({ leMs, count }));
    expect(problems({ latencyBuckets })).toEqual([expect.stringContaining(says)]);
  });
});

describe("capabilityProblems", () => {
  it("holds a source to what it declared", () => {
    expect(capabilityProblems(base, { counts: true, latencyBuckets: true }, true)).toEqual([]);
    expect(capabilityProblems(base, undefined, true)).toEqual([]);
    expect(
      capabilityProblems(
        { ...base, requestCount: null, errorCount: null },
        { counts: false },
        true,
      ),
    ).toEqual([]);
    expect(capabilityProblems(base, { counts: false, latencyBuckets: false }, true)).toHaveLength(
      3,
    );
    // Absent is not null: a source declaring `false` must say so explicitly.
    expect(
      capabilityProblems({ ...base, latencyBuckets: undefined }, { latencyBuckets: false }, true),
    ).toHaveLength(1);
    expect(
      capabilityProblems(
        { ...base, requestCount: null, latencyBuckets: null },
        { counts: true, latencyBuckets: true },
        true,
      ),
    ).toHaveLength(2);
    // Unseeded (no-data) queries need not fill what the source can give.
    expect(
      capabilityProblems(
        { ...base, requestCount: null, errorCount: null, latencyBuckets: null },
        { counts: true, latencyBuckets: true },
        false,
      ),
    ).toEqual([]);
  });
});
