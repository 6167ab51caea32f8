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
   * release wave). A clock whose `sleep` only moves time (a virtual clock) gives each
   * task its own time line, so parallel tasks do not add up each other's waits; the
   * parent's time becomes the latest of them. A real clock needs none: omit it.
   */
  fork?(): Clock;
}
