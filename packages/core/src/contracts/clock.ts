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
}
