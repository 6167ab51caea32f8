import { err, errAsync, ok, okAsync, type Result, ResultAsync } from "neverthrow";
import type { Clock } from "../contracts/clock.js";
import type { SmokeCheckResult } from "../contracts/smoke-check.js";
import { abortedError, type ShipgateError, toShipgateError } from "../errors/shipgate-error.js";

/** What one attempt of a smoke probe saw. */
export interface SmokeAttemptOutcome {
  passed: boolean;
  /** Secret-free description of what was seen, e.g. `GET http://host/healthz → 200 in 12 ms`. */
  detail: string;
  /** Wall time this attempt took. */
  elapsedMs: number;
}

/** How a probe is retried. */
export interface SmokeRetryOptions {
  /** Sleeps between attempts go through the clock so tests run on virtual time. */
  clock: Clock;
  /** Pause between a failed attempt and the next one. */
  retryDelayMs: number;
  signal: AbortSignal;
}

/** The default delay between smoke attempts: long enough for a pod to become ready, short enough not to stall a step. */
export const DEFAULT_SMOKE_RETRY_DELAY_MS = 1000;

/**
 * A clock on real time, for smoke checks built without one. Kept private to verification:
 * the orchestrator passes its own clock, this only backs the standalone factories.
 */
export const realSmokeClock: Clock = {
  now: () => Date.now(),
  sleep(ms: number, signal: AbortSignal) {
    if (signal.aborted) return errAsync(abortedError(signal));
    return ResultAsync.fromSafePromise(
      new Promise<boolean>((resolve) => {
        const onAbort = () => {
          clearTimeout(timer);
          resolve(false);
        };
        const timer = setTimeout(
          () => {
            signal.removeEventListener("abort", onAbort);
            resolve(true);
          },
          Math.max(0, ms),
        );
        signal.addEventListener("abort", onAbort, { once: true });
      }),
    ).andThen((slept) => (slept ? okAsync(undefined) : errAsync(abortedError(signal))));
  },
};

/** The retry timing a smoke check was built with, defaults applied: real time, 1 s apart. */
export function smokeRetryTiming(deps: { clock?: Clock; retryDelayMs?: number }): {
  clock: Clock;
  retryDelayMs: number;
} {
  return {
    clock: deps.clock ?? realSmokeClock,
    retryDelayMs: deps.retryDelayMs ?? DEFAULT_SMOKE_RETRY_DELAY_MS,
  };
}

/**
 * Runs `attempt` up to `1 + retries` times until one passes. A failed probe is a result
 * (`passed: false`, with the last attempt's detail); only the caller's abort or an attempt
 * that could not run at all is an error. `durationMs` is real attempt time plus the
 * requested retry delays, so it means the same on a real and on a virtual clock.
 */
export function runSmokeAttempts(
  name: string,
  retries: number,
  attempt: (signal: AbortSignal) => Promise<Result<SmokeAttemptOutcome, ShipgateError>>,
  options: SmokeRetryOptions,
): ResultAsync<SmokeCheckResult, ShipgateError> {
  const { clock, retryDelayMs, signal } = options;
  const maxAttempts = 1 + Math.max(0, Math.floor(retries));

  const loop = async (): Promise<Result<SmokeCheckResult, ShipgateError>> => {
    let durationMs = 0;
    let last: SmokeAttemptOutcome | undefined;
    for (let n = 1; n <= maxAttempts; n++) {
      if (signal.aborted) return err(abortedError(signal));
      if (n > 1) {
        const slept = await clock.sleep(retryDelayMs, signal);
        if (slept.isErr()) return err(slept.error);
        durationMs += retryDelayMs;
      }
      const outcome = await attempt(signal);
      if (outcome.isErr()) return err(outcome.error);
      last = outcome.value;
      durationMs += last.elapsedMs;
      if (last.passed) {
        return ok({ name, passed: true, detail: last.detail, attempts: n, durationMs });
      }
    }
    const detail = maxAttempts > 1 ? `${last!.detail} (${maxAttempts} attempts)` : last!.detail;
    return ok({ name, passed: false, detail, attempts: maxAttempts, durationMs });
  };

  return new ResultAsync(
    loop().then(
      (r) => r,
      (thrown: unknown) => err(toShipgateError(thrown, `Smoke check ${name} failed unexpectedly`)),
    ),
  );
}
