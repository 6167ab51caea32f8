import { err, errAsync, ok, okAsync, type Result, ResultAsync } from "neverthrow";
import type { Clock, ClockLane } from "../contracts/clock.js";
import { abortedError, type ShipgateError } from "../errors/shipgate-error.js";

interface LaneTimer {
  deadline: number;
  order: number;
  fire(): void;
}

/** A {@link Clock} whose time only moves when something sleeps or `advance` is called. */
export interface VirtualClock extends Clock {
  fork(): ClockLane;
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
  // The lanes' pending sleeps (see `fork`).
  const timers: LaneTimer[] = [];
  let order = 0;
  let openLanes = 0;
  let scheduled = false;
  // Time moves for the lanes only once every open lane waits on it: a lane still working
  // (on real I/O, say) may yet ask for an earlier wake-up.
  const schedule = () => {
    if (scheduled || timers.length === 0 || timers.length < openLanes) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (timers.length < openLanes) return;
      let next = 0;
      for (let i = 1; i < timers.length; i++) {
        const t = timers[i]!;
        const best = timers[next]!;
        if (t.deadline < best.deadline || (t.deadline === best.deadline && t.order < best.order))
          next = i;
      }
      const [timer] = timers.splice(next, 1);
      if (!timer) return;
      if (timer.deadline > now) {
        slept += timer.deadline - now;
        now = timer.deadline;
      }
      timer.fire();
      schedule();
    });
  };
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
      // A lane of several tasks that wait side by side: its sleeps are timers on the shared
      // time line, fired one at a time in deadline order once every open lane waits (a
      // macrotask later), so parallel tasks interleave as they would in real time.
      openLanes += 1;
      let open = true;
      return {
        now: () => now,
        close() {
          if (!open) return;
          open = false;
          openLanes -= 1;
          schedule();
        },
        sleep(ms: number, signal: AbortSignal): ResultAsync<void, ShipgateError<"aborted">> {
          if (signal.aborted) return errAsync(abortedError(signal));
          const promise = new Promise<Result<void, ShipgateError<"aborted">>>((resolve) => {
            const timer: LaneTimer = {
              deadline: now + Math.max(0, ms),
              order: order++,
              fire: () => {
                signal.removeEventListener("abort", onAbort);
                resolve(ok(undefined));
              },
            };
            const onAbort = () => {
              const i = timers.indexOf(timer);
              if (i >= 0) timers.splice(i, 1);
              resolve(err(abortedError(signal)));
            };
            signal.addEventListener("abort", onAbort, { once: true });
            timers.push(timer);
            schedule();
          });
          return new ResultAsync(promise);
        },
      };
    },
  };
}
