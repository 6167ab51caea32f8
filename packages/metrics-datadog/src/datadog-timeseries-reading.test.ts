import type { v2 } from "@datadog/datadog-api-client";
import { describe, expect, it } from "vitest";
import { measurementFromTimeseries } from "./datadog-timeseries-reading.js";

const queries = { errors: "e", hits: "h", p95: "p" };
const opts = { errorsAbsentMeansZero: true };
const seconds = [{ family: "time", name: "second", scaleFactor: 1 }, null];

function response(
  series: { queryIndex: number; unit?: unknown }[],
  times: number[],
  values: (number | null)[][],
  errors?: string,
): v2.TimeseriesFormulaQueryResponse {
  return {
    data: {
      type: "timeseries_response",
      attributes: {
        series: series.map((s) => ({ groupTags: [], queryIndex: s.queryIndex, unit: s.unit })),
        times,
        values,
      },
    },
    errors,
  } as v2.TimeseriesFormulaQueryResponse;
}

describe("measurementFromTimeseries", () => {
  it("divides summed errors by summed hits and converts p95 seconds to ms", () => {
    const r = response(
      [{ queryIndex: 0 }, { queryIndex: 1 }, { queryIndex: 2, unit: seconds }],
      [1000, 2000],
      [
        [3, 2],
        [400, 600],
        [0.12, 0.2],
      ],
    );
    const m = measurementFromTimeseries(r, queries, opts)._unsafeUnwrap();
    expect(m.errorRate).toEqual({ kind: "value", value: 0.005 });
    // p95 cannot be merged across buckets: the larger one is an upper bound.
    expect(m.p95LatencyMs).toEqual({ kind: "value", value: 200 });
    expect(m.sampleCount).toBe(1000);
    expect(m.requestCount).toBe(1000);
    expect(m.errorCount).toBe(5);
    expect(m.latencyBuckets).toBeNull();
    expect(m.queries).toEqual(["e", "h", "p"]);
  });

  it("uses Datadog's unit scale factor, unless a unit is configured", () => {
    const ms = [{ family: "time", name: "millisecond", scaleFactor: 0.001 }, null];
    const r = response([{ queryIndex: 1 }, { queryIndex: 2, unit: ms }], [1], [[10], [250]]);
    expect(measurementFromTimeseries(r, queries, opts)._unsafeUnwrap().p95LatencyMs).toEqual({
      kind: "value",
      value: 250,
    });
    const forced = measurementFromTimeseries(r, queries, { ...opts, latencyUnit: "us" });
    expect(forced._unsafeUnwrap().p95LatencyMs).toEqual({ kind: "value", value: 0.25 });
  });

  it("reports empty series as no_data, never 0", () => {
    const m = measurementFromTimeseries(response([], [], []), queries, opts)._unsafeUnwrap();
    expect(m.errorRate.kind).toBe("no_data");
    expect(m.p95LatencyMs.kind).toBe("no_data");
    if (m.errorRate.kind === "no_data")
      expect(m.errorRate.reason).toMatch(/hits query returned no series/);
    expect(m.sampleCount).toBeNull();
  });

  it("reports all-null points as no_data with the reason", () => {
    const r = response(
      [{ queryIndex: 0 }, { queryIndex: 1 }, { queryIndex: 2 }],
      [1, 2],
      [
        [null, null],
        [null, null],
        [null, null],
      ],
    );
    const m = measurementFromTimeseries(r, queries, opts)._unsafeUnwrap();
    expect(m.errorRate).toEqual({
      kind: "no_data",
      reason: "hits query returned only null points in the window",
    });
    expect(m.p95LatencyMs).toEqual({
      kind: "no_data",
      reason: "p95 latency query returned only null points in the window",
    });
  });

  it("reports zero requests as no_data", () => {
    const r = response([{ queryIndex: 1 }], [1], [[0]]);
    const m = measurementFromTimeseries(r, queries, opts)._unsafeUnwrap();
    expect(m.errorRate).toEqual({
      kind: "no_data",
      reason: "no requests in the window (hits = 0)",
    });
    expect(m.sampleCount).toBe(0);
    expect(m.requestCount).toBe(0);
    expect(m.errorCount).toBe(0);
  });

  it("treats a missing errors series as 0 errors only when asked to", () => {
    const r = response([{ queryIndex: 1 }, { queryIndex: 2 }], [1], [[50], [0.1]]);
    expect(measurementFromTimeseries(r, queries, opts)._unsafeUnwrap().errorRate).toEqual({
      kind: "value",
      value: 0,
    });
    expect(measurementFromTimeseries(r, queries, opts)._unsafeUnwrap().errorCount).toBe(0);
    const strict = measurementFromTimeseries(r, queries, { errorsAbsentMeansZero: false });
    expect(strict._unsafeUnwrap().errorRate.kind).toBe("no_data");
    expect(strict._unsafeUnwrap().errorCount).toBeNull();
    expect(strict._unsafeUnwrap().requestCount).toBe(50);
  });

  it("reports NaN and infinities as no_data", () => {
    const r = response(
      [{ queryIndex: 1 }, { queryIndex: 2 }],
      [1],
      [[10], [Number.POSITIVE_INFINITY]],
    );
    const m = measurementFromTimeseries(r, queries, opts)._unsafeUnwrap();
    expect(m.p95LatencyMs).toEqual({ kind: "no_data", reason: "p95 query returned +Inf" });
    const nan = response([{ queryIndex: 1 }], [1], [[Number.NaN]]);
    expect(measurementFromTimeseries(nan, queries, opts)._unsafeUnwrap().errorRate).toEqual({
      kind: "no_data",
      reason: "hits query returned NaN",
    });
  });

  it("refuses more errors than requests instead of reporting a rate above 1", () => {
    const r = response([{ queryIndex: 0 }, { queryIndex: 1 }], [1], [[20], [10]]);
    const m = measurementFromTimeseries(r, queries, opts)._unsafeUnwrap();
    expect(m.errorRate.kind).toBe("no_data");
    expect(m.requestCount).toBe(10);
    expect(m.errorCount).toBeNull();
  });

  it("passes Datadog's own error text into the no_data reason", () => {
    const r = response([], [], [], "query timed out for metric x");
    const m = measurementFromTimeseries(r, queries, opts)._unsafeUnwrap();
    if (m.p95LatencyMs.kind !== "no_data") throw new Error("expected no_data");
    expect(m.p95LatencyMs.reason).toContain("Datadog said: query timed out for metric x");
  });

  it("rejects value rows that do not line up with times", () => {
    const r = response([{ queryIndex: 1 }], [1, 2], [[5]]);
    const e = measurementFromTimeseries(r, queries, opts)._unsafeUnwrapErr();
    expect(e.kind).toBe("invalid_response");
    const missing = measurementFromTimeseries({} as never, queries, opts)._unsafeUnwrapErr();
    expect(missing.kind).toBe("invalid_response");
  });

  it("rounds interpolated count sums to whole requests, and says null for counts it cannot know", () => {
    const r = response(
      [{ queryIndex: 0 }, { queryIndex: 1 }],
      [1, 2],
      [
        [2.4999999, 0.5000001],
        [600.2, 399.80000001],
      ],
    );
    const m = measurementFromTimeseries(r, queries, opts)._unsafeUnwrap();
    expect(m.requestCount).toBe(1000);
    expect(m.errorCount).toBe(3);
    // Per-second rates (no .as_count()): the ratio is still the error rate, the sums are no counts.
    const rates = measurementFromTimeseries(r, queries, { ...opts, queriesCount: false });
    expect(rates._unsafeUnwrap().errorRate.kind).toBe("value");
    expect(rates._unsafeUnwrap().requestCount).toBeNull();
    expect(rates._unsafeUnwrap().errorCount).toBeNull();
    const none = measurementFromTimeseries(response([], [], []), queries, opts)._unsafeUnwrap();
    expect([none.requestCount, none.errorCount, none.latencyBuckets]).toEqual([null, null, null]);
    const nanErrors = response([{ queryIndex: 0 }, { queryIndex: 1 }], [1], [[Number.NaN], [10]]);
    expect(
      measurementFromTimeseries(nanErrors, queries, opts)._unsafeUnwrap().errorCount,
    ).toBeNull();
  });
});
