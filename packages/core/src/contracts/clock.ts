import type { ResultAsync } from "neverthrow";
import type { ShipgateError } from "../errors/shipgate-error.js";

/**
 * Time, injected so that tests and simulations run on a virtual clock.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Wait `ms`; resolves to an `aborted` error as soon as `signal` fires. */
  sleep(ms: number, signal: AbortSignal): ResultAsync<void, ShipgateError<"aborted">>;
  /**
   * A clock for one of several tasks that wait side by side (the environments of a
   * release wave); `close` it when the task ends. A clock whose `sleep` only moves time (a
   * virtual clock) schedules the open lanes' sleeps on one time line, in deadline order,
   * once every open lane waits, so parallel tasks neither add up each other's waits nor
   * run ahead of each other. A real clock needs none: omit it.
   */
  fork?(): ClockLane;
}

/** One task's clock among several that wait side by side (see {@link Clock.fork}). */
export interface ClockLane extends Clock {
  /** The task ended: the others no longer wait for it. */
  close(): void;
}
