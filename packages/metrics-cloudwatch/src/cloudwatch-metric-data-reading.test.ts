import type { MetricDataResult } from "@aws-sdk/client-cloudwatch";
import { describe, expect, it } from "vitest";
import {
  type MetricDataReadingOptions,
  measurementFromMetricData,
  mergeMetricDataPages,
} from "./cloudwatch-metric-data-reading.js";

const opts: MetricDataReadingOptions = { latencyUnit: "s", errorsAbsentMeansZero: true };
const t = (s: number) => new Date(s * 1000);

function result(
  Id: string,
  values: number[],
  StatusCode = "Complete",
  extra: Partial<MetricDataResult> = {},
) {
  return {
    Id,
    Label: Id,
    Timestamps: values.map((_, i) => t(1_700_000_400 + i * 600)),
    Values: values,
    StatusCode,
    ...extra,
  } as MetricDataResult;
}

function measure(
  pages: MetricDataResult[][],
  options = opts,
  messages = [] as { Code: string; Value: string }[],
) {
  const merged = mergeMetricDataPages(
    pages.map((MetricDataResults) => ({ MetricDataResults, Messages: messages })),
  );
  return merged.andThen((m) => measurementFromMetricData(m, options, ["q"]));
}

describe("measurementFromMetricData", () => {
  it("sums counts, takes the p95 and converts seconds to ms", () => {
    const m = measure([
      [result("errors", [3, 2]), result("requests", [400, 600]), result("latency_p95", [0.12])],
    ])._unsafeUnwrap();
    expect(m).toEqual({
      errorRate: { kind: "value", value: 0.005 },
      p95LatencyMs: { kind: "value", value: 120 },
      sampleCount: 1000,
      requestCount: 1000,
      errorCount: 5,
      latencyBuckets: null,
      queries: ["q"],
    });
  });

  it("merges a series split over NextToken pages", () => {
    const pages = [
      [
        result("errors", [1], "PartialData"),
        result("requests", [100], "PartialData"),
        result("latency_p95", [0.2]),
      ],
      [result("errors", [1]), result("requests", [100]), result("latency_p95", [], "Complete")],
    ];
    const m = measure(pages)._unsafeUnwrap();
    expect(m.errorRate).toEqual({ kind: "value", value: 0.01 });
    expect(m.sampleCount).toBe(200);
    expect([m.requestCount, m.errorCount]).toEqual([200, 2]);
  });

  it("reports a final PartialData (a math expression: no NextToken) as no_data, never 0", () => {
    const m = measure([
      [
        result("errors", [1]),
        result("requests", [100], "PartialData"),
        result("latency_p95", [0.1], "PartialData"),
      ],
    ])._unsafeUnwrap();
    expect(m.errorRate.kind).toBe("no_data");
    if (m.errorRate.kind === "no_data")
      expect(m.errorRate.reason).toMatch(/PartialData for the requests query/);
    expect(m.p95LatencyMs.kind).toBe("no_data");
    expect(m.sampleCount).toBeNull();
    expect([m.requestCount, m.errorCount]).toEqual([null, null]);
  });

  it("reports empty Values (no traffic, or wrong dimensions) as no_data", () => {
    const m = measure([
      [result("errors", []), result("requests", []), result("latency_p95", [])],
    ])._unsafeUnwrap();
    expect(m.errorRate).toEqual({
      kind: "no_data",
      reason:
        "requests query returned no datapoints in the window — wrong dimensions, or no traffic",
    });
    expect(m.p95LatencyMs.kind).toBe("no_data");
  });

  it("reads no errors datapoints as 0 errors only when asked to", () => {
    const pages = [[result("errors", []), result("requests", [50]), result("latency_p95", [0.1])]];
    expect(measure(pages)._unsafeUnwrap().errorRate).toEqual({ kind: "value", value: 0 });
    expect(measure(pages)._unsafeUnwrap().errorCount).toBe(0);
    const strict = measure(pages, { ...opts, errorsAbsentMeansZero: false })._unsafeUnwrap();
    expect(strict.errorRate.kind).toBe("no_data");
    expect([strict.requestCount, strict.errorCount]).toEqual([50, null]);
  });

  it('reports NaN and infinities (JSON "NaN" / "Infinity") as no_data', () => {
    const m = measure(
      [
        [
          result("errors", [Number.NaN]),
          result("requests", [10]),
          result("latency_p95", [Number.POSITIVE_INFINITY]),
        ],
      ],
      {
        ...opts,
        errorsAbsentMeansZero: false,
      },
    )._unsafeUnwrap();
    expect(m.errorRate).toEqual({ kind: "no_data", reason: "errors query returned NaN" });
    expect(m.p95LatencyMs).toEqual({ kind: "no_data", reason: "p95 latency query returned +Inf" });
  });

  it("carries CloudWatch's messages into the reason", () => {
    const m = measure([
      [
        result("requests", [], "Complete", {
          Messages: [{ Code: "MaxMetricsExceeded", Value: "too many" }],
        }),
      ],
    ])._unsafeUnwrap();
    if (m.errorRate.kind !== "no_data") throw new Error("expected no_data");
    expect(m.errorRate.reason).toContain("CloudWatch said: MaxMetricsExceeded: too many");
  });

  it("maps Forbidden to auth and InternalError to unavailable", () => {
    expect(measure([[result("requests", [], "Forbidden")]])._unsafeUnwrapErr().kind).toBe("auth");
    const internal = measure([[result("errors", [1], "InternalError")]])._unsafeUnwrapErr();
    expect(internal).toMatchObject({ kind: "unavailable", retryable: true });
  });

  it("converts API Gateway milliseconds and refuses more errors than requests", () => {
    const ms = measure([[result("requests", [10]), result("latency_p95", [250])]], {
      ...opts,
      latencyUnit: "ms",
    });
    expect(ms._unsafeUnwrap().p95LatencyMs).toEqual({ kind: "value", value: 250 });
    const over = measure([[result("errors", [11]), result("requests", [10])]])._unsafeUnwrap();
    expect(over.errorRate.kind).toBe("no_data");
  });

  it("rejects results that break the contract, and missing MetricStat results", () => {
    const bad = {
      Id: "requests",
      Timestamps: [t(1)],
      Values: [],
      StatusCode: "Complete",
    } as MetricDataResult;
    expect(mergeMetricDataPages([{ MetricDataResults: [bad] }])._unsafeUnwrapErr().kind).toBe(
      "invalid_response",
    );
    const merged = mergeMetricDataPages([
      { MetricDataResults: [result("requests", [1])] },
    ])._unsafeUnwrap();
    const missing = measurementFromMetricData(
      merged,
      { ...opts, metricStatIds: ["errors", "requests"] },
      [],
    );
    expect(missing._unsafeUnwrapErr().message).toContain('"errors"');
  });

  it("counts whole requests, and says null for what it cannot count", () => {
    const m = measure([
      [
        result("errors", [0.9999999, 2]),
        result("requests", [299.9999999, 0]),
        result("latency_p95", [0.1]),
      ],
    ])._unsafeUnwrap();
    expect([m.requestCount, m.errorCount]).toEqual([300, 3]);
    // Averages (no counts): the ratio may still be a rate, but the sums are no counts.
    const averaged = measure(
      [[result("errors", [1]), result("requests", [100]), result("latency_p95", [0.1])]],
      { ...opts, queriesCount: false },
    )._unsafeUnwrap();
    expect([averaged.requestCount, averaged.errorCount]).toEqual([null, null]);
    // Zero requests: no error rate, but a count of 0 is a fact.
    const idle = measure([
      [result("errors", []), result("requests", [0]), result("latency_p95", [])],
    ])._unsafeUnwrap();
    expect(idle.errorRate.kind).toBe("no_data");
    expect([idle.requestCount, idle.errorCount]).toEqual([0, 0]);
    // More errors than requests: the queries do not count the same requests.
    const mismatched = measure([
      [result("errors", [20]), result("requests", [10]), result("latency_p95", [0.1])],
    ])._unsafeUnwrap();
    expect([mismatched.requestCount, mismatched.errorCount]).toEqual([10, null]);
    const partialErrors = measure([
      [
        result("errors", [1], "PartialData"),
        result("requests", [10]),
        result("latency_p95", [0.1]),
      ],
    ])._unsafeUnwrap();
    expect([partialErrors.requestCount, partialErrors.errorCount]).toEqual([10, null]);
  });
});
