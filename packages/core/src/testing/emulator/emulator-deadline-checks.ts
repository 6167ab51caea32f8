import type { SloQuery, SloSource } from "../../contracts/slo-source.js";
import {
  describeSloSourceDeadlineChecks,
  type SloSourceDeadlineSetup,
} from "../slo-source-deadline-checks.js";

/** An emulator whose scripted faults can delay its next answer, with its request log. */
export interface DelayingEmulator {
  failNext(...faults: { delayMs: number }[]): void;
  readonly requests: readonly unknown[];
  /** Drops queued faults and the request log. */
  reset(): void;
}

/**
 * The setup of {@link describeSloSourceDeadlineChecks} for an SLO source over a seeded
 * emulator: slow answers are scripted delays, and forgetting resets the emulator.
 */
export function emulatorDeadlineSetup(
  emulator: DelayingEmulator,
  source: (overrides: { timeoutMs?: number }) => SloSource,
  query: (overrides?: Partial<SloQuery>) => SloQuery,
): SloSourceDeadlineSetup {
  return {
    source: (timeoutMs) => source(timeoutMs === undefined ? {} : { timeoutMs }),
    query,
    delayNext: (ms) => emulator.failNext({ delayMs: ms }),
    requests: () => emulator.requests,
    forget: () => emulator.reset(),
  };
}

/**
 * {@link describeSloSourceDeadlineChecks} for an SLO source over a seeded emulator; `source`
 * makes the source with the given overrides of its options (a request timeout or none).
 *
 * @example
 * ```ts
 * describeEmulatorDeadlineChecks("datadog", dd, source, sloQuery);
 * ```
 */
export function describeEmulatorDeadlineChecks(
  name: string,
  emulator: DelayingEmulator,
  source: (overrides: { timeoutMs?: number }) => SloSource,
  query: (overrides?: Partial<SloQuery>) => SloQuery,
): void {
  describeSloSourceDeadlineChecks(name, emulatorDeadlineSetup(emulator, source, query));
}
