import { describe, expect, it } from "vitest";
import type { PollObservation, TrackReading } from "../judge/judge.js";
import {
  boundPolls,
  MAX_RECORDED_POLLS_PER_STEP,
  recordedObservations,
  recordedPollSchema,
  recordStepSeries,
} from "./recorded-observations.js";

const T = Date.parse("2026-11-02T10:00:00.000Z");

function track(requests: number, errors: number, p95: number): TrackReading {
  return {
    requests,
    errors,
    errorRate: errors / requests,
    p95LatencyMs: p95,
    latencyBuckets: [
      { leMs: 100, count: Math.round(requests * 0.9) },
      { leMs: 200, count: requests },
      { leMs: Infinity, count: requests },
    ],
  };
}

function polls(n: number): PollObservation[] {
  return Array.from({ length: n }, (_, i) => ({
    atMs: T + (i + 1) * 60_000,
    intervalMs: 60_000,
    stepIndex: 0,
    weight: 5,
    phase: "canary" as const,
    canary: track(100, i % 2, 150),
    stable: track(1000, 2, 140),
  }));
}

describe("recorded observations", () => {
  it("round-trips a step's polls through JSON, histograms included, bounds kept once", () => {
    const original = polls(3);
    const series = recordStepSeries(original);
    expect(series.latency_bounds_ms).toEqual([100, 200, "+Inf"]);
    expect(series.observations[0]!.canary.latency_counts).toBe("90 100*2");
    const stored = JSON.parse(JSON.stringify(series));
    for (const p of stored.observations) recordedPollSchema.parse(p);
    const back = recordedObservations(stored, { stepIndex: 0, weight: 5, phase: "canary" });
    expect(back.map((o) => ({ ...o, canary: { ...o.canary }, stable: { ...o.stable } }))).toEqual(
      original.map((o) => ({ ...o, canary: { ...o.canary }, stable: { ...o.stable } })),
    );
  });

  it("keeps a 130-bucket histogram to a short line", () => {
    const buckets = Array.from({ length: 129 }, (_, i) => ({
      leMs: 2 ** (i / 8),
      count: i < 40 ? 0 : Math.min(1000, (i - 40) * 37),
    }));
    buckets.push({ leMs: Infinity, count: 1000 });
    const o = { ...polls(1)[0]!, canary: { ...track(1000, 3, 150), latencyBuckets: buckets } };
    const series = recordStepSeries([o]);
    expect(series.observations[0]!.canary.latency_counts!.length).toBeLessThan(200);
    const back = recordedObservations(series, { stepIndex: 0, weight: 5, phase: "canary" });
    expect(back[0]!.canary.latencyBuckets).toEqual(buckets);
    // The stable histogram over other bounds is not kept (never a wrong one).
    expect(back[0]!.stable!.latencyBuckets).toBeNull();
  });

  it("keeps a long step within the bound by merging adjacent polls, covering the same time and counts", () => {
    const many = polls(150);
    const bounded = boundPolls(many);
    expect(bounded.length).toBeLessThanOrEqual(MAX_RECORDED_POLLS_PER_STEP);
    expect(bounded[0]!.atMs - bounded[0]!.intervalMs).toBe(T);
    expect(bounded.at(-1)!.atMs).toBe(many.at(-1)!.atMs);
    // Contiguous windows, no gaps.
    for (let i = 1; i < bounded.length; i++) {
      expect(bounded[i]!.atMs - bounded[i]!.intervalMs).toBe(bounded[i - 1]!.atMs);
    }
    const sum = (xs: PollObservation[], f: (o: PollObservation) => number) =>
      xs.reduce((a, o) => a + f(o), 0);
    expect(sum(bounded, (o) => o.canary.requests!)).toBe(15_000);
    expect(sum(bounded, (o) => o.canary.errors!)).toBe(sum(many, (o) => o.canary.errors!));
    expect(sum(bounded, (o) => o.stable!.latencyBuckets!.at(-1)!.count)).toBe(150_000);
  });

  it("keeps the later of two cumulative readings (the step so far)", () => {
    const cumulative = polls(100).map((o, i) => ({ ...o, intervalMs: (i + 1) * 60_000 }));
    const bounded = boundPolls(cumulative);
    expect(bounded.at(-1)).toEqual(cumulative.at(-1));
    expect(bounded.every((o) => o.atMs - o.intervalMs === T)).toBe(true);
  });
});
