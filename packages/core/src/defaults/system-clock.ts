import { ResultAsync } from "neverthrow";
import type { Clock } from "../contracts/clock.js";
import { abortedError, type ShipgateError } from "../errors/shipgate-error.js";

/**
 * The wall clock: `now()` is `Date.now()`, `sleep` is a timer that ends early (as an
 * `aborted` error) when the signal fires.
 *
 * @example
 * ```ts
 * const stack = { ...parts, clock: createSystemClock() };
 * ```
 */
export function createSystemClock(): Clock {
  return {
    now: () => Date.now(),
    sleep(ms: number, signal: AbortSignal): ResultAsync<void, ShipgateError<"aborted">> {
      return ResultAsync.fromPromise(
        new Promise<void>((resolve, reject) => {
          if (signal.aborted) return reject(abortedError(signal));
          const onAbort = () => {
            clearTimeout(timer);
            reject(abortedError(signal));
          };
          const timer = setTimeout(
            () => {
              signal.removeEventListener("abort", onAbort);
              resolve();
            },
            Math.max(0, ms),
          );
          signal.addEventListener("abort", onAbort, { once: true });
        }),
        () => abortedError(signal),
      );
    },
  };
}
