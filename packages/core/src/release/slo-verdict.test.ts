import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readingOf } from "../contracts/slo-source.js";
import { judgeMeasurement } from "./slo-verdict.js";

const spec = {
  slo: { error_rate_max: 0.01, p95_latency_ms: 300, window_minutes: 10 },
  baseline: undefined,
  policy: { min_sample_count: 1 },
};
const m = (e: number | null, p: number | null, n: number | null = 100) => ({
  errorRate: readingOf(e),
  p95LatencyMs: readingOf(p),
  sampleCount: n,
});

describe("SLO verdict", () => {
  it("passes at the objective and breaches just above it", () => {
    expect(judgeMeasurement(m(0.01, 300), spec, 5).verdict).toBe("ok");
    expect(judgeMeasurement(m(0.0101, 300), spec, 5)).toEqual({
      verdict: "breach",
      reason: "error rate 1.01% > 1.00% at 5%",
    });
    expect(judgeMeasurement(m(0.01, 300.6), spec, 25)).toEqual({
      verdict: "breach",
      reason: "p95 latency 301 ms > 300 ms at 25%",
    });
  });

  it("never reads NaN, Infinity or missing values as zero", () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, null]) {
      expect(judgeMeasurement(m(bad, 100), spec, 5).verdict).toBe("no_data");
      expect(judgeMeasurement(m(0, bad), spec, 5).verdict).toBe("no_data");
    }
    expect(judgeMeasurement(m(0, 100, 0), spec, 5).verdict).toBe("no_data");
  });

  it("breaches on one metric even when the other has no data (fail fast)", () => {
    expect(judgeMeasurement(m(0.5, null), spec, 5).verdict).toBe("breach");
  });

  it("compares with the baseline only when asked and when the baseline has data", () => {
    const withBase = { ...spec, baseline: { error_rate_max_delta: 0.001, p95_max_ratio: 1.5 } };
    expect(judgeMeasurement(m(0.005, 100), withBase, 5, m(0.001, 100)).verdict).toBe("breach");
    expect(judgeMeasurement(m(0.005, 160), withBase, 5, m(0.0045, 100)).verdict).toBe("breach");
    expect(judgeMeasurement(m(0.005, 140), withBase, 5, m(0.0045, 100)).verdict).toBe("ok");
    expect(judgeMeasurement(m(0.005, 100), withBase, 5, m(null, null)).verdict).toBe("ok");
    expect(judgeMeasurement(m(0.005, 100), spec, 5, m(0, 10)).verdict).toBe("ok");
  });

  it("any value above an objective is a breach; ok only with both values within (property)", () => {
    const val = fc.oneof(
      fc.double({ min: 0, max: 2, noNaN: true }),
      fc.constant(Number.NaN),
      fc.constant(null),
    );
    fc.assert(
      fc.property(
        val,
        fc.oneof(fc.double({ min: 0, max: 1000, noNaN: true }), fc.constant(null)),
        (e, p) => {
          const v = judgeMeasurement(m(e, p), spec, 5);
          const eOver = typeof e === "number" && Number.isFinite(e) && e > 0.01;
          const pOver = typeof p === "number" && p > 300;
          if (eOver || pOver) expect(v.verdict).toBe("breach");
          if (v.verdict === "ok")
            expect(typeof e === "number" && Number.isFinite(e) && typeof p === "number").toBe(true);
        },
      ),
    );
  });
});
