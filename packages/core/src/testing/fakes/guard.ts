import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import { abortedError, type ShipgateError } from "../../errors/shipgate-error.js";

/** Resolves to `aborted` if the signal fired, else to the value of `run()`. */
export function guarded<T>(
  signal: AbortSignal,
  run: () => T | ShipgateError,
): ResultAsync<T, ShipgateError> {
  if (signal.aborted) return errAsync(abortedError(signal));
  const value = run();
  if (value && typeof value === "object" && "kind" in value && value instanceof Error)
    return errAsync(value as ShipgateError);
  return okAsync(value as T);
}
