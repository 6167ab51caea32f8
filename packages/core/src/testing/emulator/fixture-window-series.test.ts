import { describe, expect, it } from "vitest";
import { fixtureWindowSeries } from "./fixture-window-series.js";
import { FIXTURE_WINDOW_START } from "./metric-points.js";

const t0 = FIXTURE_WINDOW_START.getTime();

describe("fixtureWindowSeries", () => {
  it("spreads requests and errors over their slots, with 100 latency samples between", () => {
    const series = fixtureWindowSeries(
      { requests: 11, errors: 3, latencyStepSeconds: 0.01 },
      { requestSlots: 10, errorSlots: 5, offsetMs: 1000 },
      (kind, points) => ({ kind, points }),
    );
    expect(series.map((s) => s.kind)).toEqual(["requests", "latency", "errors"]);
    const [requests, latency, errors] = series;
    expect(requests!.points[0]).toEqual([t0 + 1000, 2]);
    expect(requests!.points.reduce((n, p) => n + p[1], 0)).toBe(11);
    expect(latency!.points).toHaveLength(100);
    expect(latency!.points[94]![1]).toBeCloseTo(0.95, 9);
    expect(errors!.points).toEqual([
      [t0 + 1000, 1],
      [t0 + 120_000 + 1000, 1],
      [t0 + 240_000 + 1000, 1],
    ]);
  });

  it("leaves the errors series out when nothing failed, and takes another window", () => {
    const start = new Date(t0 + 3_600_000);
    const end = new Date(start.getTime() + 60_000);
    const series = fixtureWindowSeries(
      { requests: 6, errors: 0, latencyStepSeconds: 0.001, start, end },
      { requestSlots: 6, errorSlots: 1 },
      (kind, points) => ({ kind, points }),
    );
    expect(series.map((s) => s.kind)).toEqual(["requests", "latency"]);
    expect(series[0]!.points.map((p) => p[0] - start.getTime())).toEqual([
      0, 10_000, 20_000, 30_000, 40_000, 50_000,
    ]);
  });
});
