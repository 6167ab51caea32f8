import { countRequestsByRoute, formatRouteCounts } from "./request-log.js";

/** Options of {@link timeChecks}. */
export interface TimedChecksOptions {
  /** Untimed runs first (connections, JIT). */
  warmup: number;
  /** Timed runs. */
  checks: number;
  /** Called between the warm-up and the timed runs: resetting request logs, say. */
  afterWarmup?: () => void;
}

/**
 * What a benchmark of one adapter call measures: `check` run `warmup` times untimed, then
 * `checks` times timed (each given its index), and the median duration in milliseconds.
 *
 * @example
 * ```ts
 * const { p50Ms } = await timeChecks((i) => check(i % 2 ? "stable" : "canary"), {
 *   warmup: 10, checks: 200, afterWarmup: () => emulator.reset(),
 * });
 * ```
 */
export async function timeChecks(
  check: (index: number) => Promise<void>,
  options: TimedChecksOptions,
): Promise<{ p50Ms: number }> {
  for (let i = 0; i < options.warmup; i++) await check(i);
  options.afterWarmup?.();
  const durations: number[] = [];
  for (let i = 0; i < options.checks; i++) {
    const started = performance.now();
    await check(i);
    durations.push(performance.now() - started);
  }
  durations.sort((a, b) => a - b);
  return { p50Ms: durations[Math.floor(durations.length / 2)] ?? 0 };
}

/** An emulator whose request log a benchmark reads. */
export interface BenchmarkedEmulator {
  readonly requests: readonly { route: string | null; url: string }[];
  resetLog(): void;
}

/**
 * Runs `work` against `emulator` with its log reset first, and says what it cost: the
 * time in whole milliseconds, the requests sent, and their per-route counts as benchmarks
 * print them (`3 × GET /a, 1 × POST /b`).
 */
export async function measureEmulatorWork<T>(
  emulator: BenchmarkedEmulator,
  work: () => Promise<T>,
): Promise<{ value: T; ms: number; requests: number; routes: string }> {
  emulator.resetLog();
  const started = performance.now();
  const value = await work();
  const ms = Math.round(performance.now() - started);
  const routes = formatRouteCounts(countRequestsByRoute(emulator.requests));
  return { value, ms, requests: emulator.requests.length, routes };
}

/**
 * What an SLO-source benchmark prints: the requests one check sends, and the median time
 * of one check.
 */
export function sloCheckBenchmarkLines(
  name: string,
  figures: { requests: number; checks: number; p50Ms: number },
): string[] {
  return [
    `${name}: requests per SLO check = ${figures.requests / figures.checks}`,
    `${name}: p50 latency of one check = ${figures.p50Ms.toFixed(2)} ms (over ${figures.checks} checks)`,
  ];
}
