import { okAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import type { SloQuery, SloSource } from "../../contracts/slo-source.js";
import {
  BENCHMARKED_TRACKS,
  type BenchmarkedTrack,
  benchmarkSloChecks,
} from "./slo-check-benchmark.js";

describe("benchmarkSloChecks", () => {
  it("seeds both tracks, measures them in turn, counts the timed checks' requests and closes", async () => {
    const seeded: BenchmarkedTrack[] = [];
    const measured: SloQuery[] = [];
    let closed = false;
    const emulator = {
      requests: [] as unknown[],
      seed: (...data: BenchmarkedTrack[]) => seeded.push(...data),
      reset: () => {
        emulator.requests.length = 0;
      },
      close: async () => {
        closed = true;
      },
    };
    const source: SloSource = {
      name: "fake",
      measure: (query) => {
        measured.push(query);
        emulator.requests.push(query);
        return okAsync({
          errorRate: { kind: "value", value: 0.005 },
          p95LatencyMs: { kind: "value", value: 190 },
          sampleCount: 1000,
        });
      },
    };

    const lines = await benchmarkSloChecks("fake", {
      start: async () => emulator,
      traffic: (track) => [track],
      source: () => source,
      checks: 4,
    });

    expect(seeded).toEqual(BENCHMARKED_TRACKS);
    expect(measured.map((q) => [q.track, q.version])).toEqual(
      Array.from({ length: 14 }, (_, i) =>
        i % 2 === 0 ? ["canary", "1.4.0"] : ["stable", "1.3.0"],
      ),
    );
    expect(lines[0]).toBe("fake: requests per SLO check = 1");
    expect(lines[1]).toMatch(/^fake: p50 latency of one check = \d+\.\d\d ms \(over 4 checks\)$/);
    expect(closed).toBe(true);
  });
});
