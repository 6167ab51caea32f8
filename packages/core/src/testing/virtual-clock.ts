import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import type { Clock } from "../contracts/clock.js";
import { abortedError, type ShipgateError } from "../errors/shipgate-error.js";

/** A {@link Clock} whose time only moves when something sleeps or `advance` is called. */
export interface VirtualClock extends Clock {
  /** Move time forward by `ms` without sleeping. */
  advance(ms: number): void;
  /** Set the time (ms since epoch); it never goes backwards. */
  set(ms: number): void;
  /** Total virtual ms spent in `sleep`. */
  readonly sleptMs: number;
}

/**
 * A virtual clock: `sleep` returns at once, having moved time forward, so a release with
 * 10-minute windows runs in microseconds. Deterministic: same calls, same times.
 *
 * @example
 * ```ts
 * const clock = createVirtualClock(Date.parse("2026-01-05T10:00:00Z"));
 * await clock.sleep(60_000, signal); // returns at once
 * clock.now(); // 10:01
 * ```
 */
export function createVirtualClock(startMs = Date.parse("2026-01-05T10:00:00.000Z")): VirtualClock {
  let now = startMs;
  let slept = 0;
  return {
    now: () => now,
    advance(ms) {
      if (ms < 0) throw new RangeError("a virtual clock cannot go backwards");
      now += ms;
    },
    set(ms) {
      if (ms < now) throw new RangeError("a virtual clock cannot go backwards");
      now = ms;
    },
    get sleptMs() {
      return slept;
    },
    sleep(ms: number, signal: AbortSignal): ResultAsync<void, ShipgateError<"aborted">> {
      if (signal.aborted) return errAsync(abortedError(signal));
      const step = Math.max(0, ms);
      now += step;
      slept += step;
      return okAsync(undefined);
    },
    fork() {
      // A lane starts at the parent's time and sleeps on its own time line; the parent
      // follows the latest lane, as it would in real time.
      let lane = now;
      return {
        now: () => lane,
        sleep(ms: number, signal: AbortSignal) {
          if (signal.aborted) return errAsync(abortedError(signal));
          lane += Math.max(0, ms);
          if (lane > now) {
            slept += lane - now;
            now = lane;
          }
          return okAsync(undefined);
        },
      };
    },
  };
}
