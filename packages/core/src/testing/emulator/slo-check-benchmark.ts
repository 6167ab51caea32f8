import type { SloSource } from "../../contracts/slo-source.js";
import type { Closable } from "../emulator-lifecycle.js";
import { measuredValue } from "./measured.js";
import { fixtureSloQuery } from "./metric-points.js";
import { sloCheckBenchmarkLines, timeChecks } from "./timed-checks.js";

/** One track of the fixture service as an SLO-check benchmark seeds it. */
export interface BenchmarkedTrack {
  track: "canary" | "stable";
  version: string;
  requests: number;
  errors: number;
  /** Latency samples `step, 2·step, …, 100·step` seconds. */
  latencyStepSeconds: number;
}

/** The two tracks {@link benchmarkSloChecks} seeds: the canary 1.4.0 and the stable 1.3.0 beside it. */
export const BENCHMARKED_TRACKS: readonly BenchmarkedTrack[] = [
  { track: "canary", version: "1.4.0", requests: 1000, errors: 5, latencyStepSeconds: 0.002 },
  { track: "stable", version: "1.3.0", requests: 4000, errors: 4, latencyStepSeconds: 0.001 },
];

/** An emulator an SLO-check benchmark seeds and counts the requests of. */
export interface SloCheckBenchmarkEmulator<Seed> extends Closable {
  seed(...data: Seed[]): void;
  readonly requests: readonly unknown[];
  /** Forgets the requests received so far. */
  reset(): void;
}

/** Options of {@link benchmarkSloChecks}. */
export interface SloCheckBenchmarkOptions<Seed, Emulator extends SloCheckBenchmarkEmulator<Seed>> {
  start: () => Promise<Emulator>;
  /** What the emulator is seeded with for one of the {@link BENCHMARKED_TRACKS}. */
  traffic: (track: BenchmarkedTrack) => Seed[];
  /** The adapter's SLO source over the running emulator. */
  source: (emulator: Emulator) => SloSource;
  /** Timed checks (default 200), after 10 untimed ones. */
  checks?: number;
}

/**
 * Benchmarks one SLO check (one `measure()` call, one track) of an adapter against its
 * emulator: starts and seeds it with the {@link BENCHMARKED_TRACKS}, measures the canary and
 * the stable track in turn, closes it, and returns the lines the benchmark prints (requests
 * per check, median time of one check).
 */
export async function benchmarkSloChecks<Seed, Emulator extends SloCheckBenchmarkEmulator<Seed>>(
  name: string,
  options: SloCheckBenchmarkOptions<Seed, Emulator>,
): Promise<string[]> {
  const checks = options.checks ?? 200;
  const emulator = await options.start();
  try {
    emulator.seed(...BENCHMARKED_TRACKS.flatMap(options.traffic));
    const source = options.source(emulator);
    const queries = BENCHMARKED_TRACKS.map(({ track, version }) =>
      fixtureSloQuery({ track, version }),
    );
    const check = async (i: number) => {
      const m = await measuredValue(source, queries[i % queries.length]!);
      if (m.errorRate.kind !== "value") throw new Error("expected a value");
    };
    const { p50Ms } = await timeChecks(check, {
      warmup: 10,
      checks,
      afterWarmup: () => emulator.reset(),
    });
    return sloCheckBenchmarkLines(name, { requests: emulator.requests.length, checks, p50Ms });
  } finally {
    await emulator.close();
  }
}
