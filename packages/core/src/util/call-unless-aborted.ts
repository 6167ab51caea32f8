import { errAsync, ResultAsync } from "neverthrow";
import { abortedError, type ShipgateError } from "../errors/shipgate-error.js";

/**
 * Runs a vendor client's call as a value: fails at once, without calling, when `signal` has
 * already fired; otherwise settles with `work`, whatever it throws or rejects with mapped by
 * `toError` (a synchronous throw included).
 *
 * @example
 * ```ts
 * callUnlessAborted(signal, () => api.Projects.show(project), (e) => toVendorError(e, signal));
 * ```
 */
export function callUnlessAborted<T>(
  signal: AbortSignal,
  work: () => Promise<T>,
  toError: (thrown: unknown) => ShipgateError,
): ResultAsync<T, ShipgateError> {
  if (signal.aborted) return errAsync(abortedError(signal));
  return ResultAsync.fromPromise(new Promise<T>((resolve) => resolve(work())), toError);
}
