import { errAsync, okAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import type { SloSource } from "../../contracts/slo-source.js";
import { ShipgateError } from "../../errors/shipgate-error.js";
import { measuredError, measuredValue } from "./measured.js";
import {
  evenSamples,
  FIXTURE_WINDOW_END,
  FIXTURE_WINDOW_START,
  fixtureSloQuery,
  spreadCount,
  steadyTraffic,
} from "./metric-points.js";
import { timeChecks } from "./timed-checks.js";

describe("metric points", () => {
  it("spreads a count in whole numbers, earlier slots taking the remainder, empty slots left out", () => {
    expect(spreadCount(7, 3, 0, 300)).toEqual([
      [0, 3],
      [100, 2],
      [200, 2],
    ]);
    expect(spreadCount(2, 4, 0, 400, 5)).toEqual([
      [5, 1],
      [105, 1],
    ]);
  });

  it("places samples in the middles of equal slots", () => {
    expect(evenSamples(4, 0, 400, (i) => i * 10)).toEqual([
      [50, 0],
      [150, 10],
      [250, 20],
      [350, 30],
    ]);
  });

  it("owes errors until they add up to a whole one", () => {
    const t = steadyTraffic({
      startMs: 0,
      endMs: 60,
      everyMs: 15,
      requestsPerPoint: 100,
      errorsPerMille: 5,
      latency: 0.1,
    });
    expect(t.requests).toEqual([
      [0, 100],
      [15, 100],
      [30, 100],
      [45, 100],
    ]);
    expect(t.errors).toEqual([
      [15, 1],
      [45, 1],
    ]);
    expect(t.latency.map(([, v]) => v)).toEqual([0.1, 0.1, 0.1, 0.1]);
  });

  it("queries the fixture service over a 10-minute window", () => {
    expect(FIXTURE_WINDOW_END.getTime() - FIXTURE_WINDOW_START.getTime()).toBe(600_000);
    expect(fixtureSloQuery({ track: "stable" })).toMatchObject({
      service: "checkout",
      version: "1.4.0",
      track: "stable",
      windowStart: FIXTURE_WINDOW_START,
    });
  });
});

describe("measuredValue / measuredError", () => {
  const measurement = {
    errorRate: { kind: "value", value: 0.01 },
    p95LatencyMs: { kind: "value", value: 100 },
    sampleCount: 10,
  } as const;
  const measuring: SloSource = { name: "measuring", measure: () => okAsync(measurement) };
  const failing: SloSource = {
    name: "failing",
    measure: () => errAsync(new ShipgateError("timeout", "too slow")),
  };
  it("returns what the source answered, and throws when it answered the other way", async () => {
    expect(await measuredValue(measuring, fixtureSloQuery())).toEqual(measurement);
    expect((await measuredError(failing, fixtureSloQuery())).kind).toBe("timeout");
    await expect(measuredError(measuring, fixtureSloQuery())).rejects.toThrow(/expected an error/);
    await expect(measuredValue(failing, fixtureSloQuery())).rejects.toThrow(
      /got timeout: too slow/,
    );
  });
});

describe("timeChecks", () => {
  it("warms up untimed, then times each check and reports the median", async () => {
    const calls: string[] = [];
    const { p50Ms } = await timeChecks(
      async (i) => {
        calls.push(`check ${i}`);
      },
      { warmup: 2, checks: 3, afterWarmup: () => calls.push("reset") },
    );
    expect(calls).toEqual(["check 0", "check 1", "reset", "check 0", "check 1", "check 2"]);
    expect(p50Ms).toBeGreaterThanOrEqual(0);
  });
});
