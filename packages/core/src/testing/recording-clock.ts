import type { Clock } from "../contracts/clock.js";
import { createVirtualClock } from "./virtual-clock.js";

/** A virtual clock that also keeps each sleep's length, in order. */
export interface RecordingClock extends Clock {
  /** The `ms` of every sleep that went through, oldest first (an aborted one is not kept). */
  readonly sleeps: readonly number[];
}

/**
 * A {@link createVirtualClock virtual clock} that records how long each sleep asked for, to
 * assert on retry back-offs without waiting for them.
 *
 * @example
 * ```ts
 * const clock = createRecordingClock();
 * await createHttpSmokeCheck(spec, { clock }).run(context, { signal });
 * expect(clock.sleeps).toEqual([750, 750]);
 * ```
 */
export function createRecordingClock(): RecordingClock {
  const clock = createVirtualClock();
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => clock.now(),
    sleep: (ms, signal) =>
      clock.sleep(ms, signal).map(() => {
        sleeps.push(ms);
        return undefined;
      }),
  };
}
