import { describe, expect, it } from "vitest";
import type { PollObservation, TrackReading } from "../judge/judge.js";
import {
  boundPolls,
  MAX_RECORDED_POLLS_PER_STEP,
  recordedObservations,
  recordedPollSchema,
  recordPolls,
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
  it("round-trips a step's polls through JSON, infinite bucket included", () => {
    const original = polls(3);
    const stored = JSON.parse(JSON.stringify(recordPolls(original)));
    for (const p of stored) recordedPollSchema.parse(p);
    const back = recordedObservations(stored, { stepIndex: 0, weight: 5, phase: "canary" });
    expect(back.map((o) => [o.atMs, o.intervalMs, o.canary.requests, o.canary.errors])).toEqual(
      original.map((o) => [o.atMs, o.intervalMs, o.canary.requests, o.canary.errors]),
    );
    expect(back[0]!.canary.latencyBuckets!.at(-1)).toEqual({ leMs: Infinity, count: 100 });
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
