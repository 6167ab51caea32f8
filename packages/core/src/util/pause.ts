import { abortedError } from "../errors/shipgate-error.js";

/**
 * Waits `ms`, or rejects with an `aborted` {@link ShipgateError} as soon as `signal` fires
 * (at once when it already has): the back-off wait of an adapter's retry loop.
 */
export function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortedError(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
