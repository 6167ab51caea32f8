import { abortedError } from "../errors/shipgate-error.js";

/**
 * Settles with `work`, or rejects with the signal's reason (an `AbortError`, or a
 * `TimeoutError` from `AbortSignal.timeout`) as soon as `signal` fires — for vendor clients
 * whose calls cannot be cancelled themselves. The caller maps the rejection, so it can tell
 * a timeout from a cancellation. A late failure of `work` is swallowed so it never becomes
 * an unhandled rejection.
 *
 * @example
 * ```ts
 * const data = await untilAborted(client.queryTimeseriesData({ body }), signal);
 * ```
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(reasonOf(signal));
      return;
    }
    const onAbort = () => reject(reasonOf(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

function reasonOf(signal: AbortSignal): unknown {
  return signal.reason ?? abortedError(signal);
}
