import type { ResultAsync } from "neverthrow";
import type { ShipgateError, ShipgateErrorKind } from "../../errors/shipgate-error.js";

/** The kinds a conformant adapter may return. */
export const KNOWN_ERROR_KINDS: ReadonlySet<ShipgateErrorKind> = new Set<ShipgateErrorKind>([
  "invalid_input",
  "aborted",
  "timeout",
  "auth",
  "not_found",
  "conflict",
  "rate_limited",
  "unavailable",
  "bad_query",
  "invalid_response",
  "unsupported",
  "lock_held",
  "exists",
  "precondition_failed",
  "internal",
]);

/**
 * Calls a contract method and fails loudly if it throws or rejects instead of returning a
 * Result — that is the first promise every contract makes.
 */
export async function settle<T>(
  call: () => ResultAsync<T, ShipgateError>,
): Promise<{ ok: true; value: T } | { ok: false; error: ShipgateError }> {
  let pending: ResultAsync<T, ShipgateError>;
  try {
    pending = call();
  } catch (thrown) {
    throw new Error(
      `contract violation: the method threw synchronously instead of returning a Result: ${String(thrown)}`,
    );
  }
  let result: Awaited<ResultAsync<T, ShipgateError>>;
  try {
    result = await pending;
  } catch (thrown) {
    throw new Error(
      `contract violation: the ResultAsync rejected instead of resolving to an err: ${String(thrown)}`,
    );
  }
  if (result.isOk()) return { ok: true, value: result.value };
  const error = result.error;
  if (!KNOWN_ERROR_KINDS.has(error.kind)) {
    throw new Error(`contract violation: unknown error kind ${JSON.stringify(error.kind)}`);
  }
  return { ok: false, error };
}

/** A signal that has already fired. */
export function abortedSignal(): AbortSignal {
  const controller = new AbortController();
  controller.abort(new Error("aborted by the conformance suite"));
  return controller.signal;
}

/** A signal that never fires. */
export function liveSignal(): AbortSignal {
  return new AbortController().signal;
}

/** Unwraps an ok settle result or fails with the error's description. */
export function expectOk<T>(
  settled: { ok: true; value: T } | { ok: false; error: ShipgateError },
): T {
  if (!settled.ok)
    throw new Error(`expected ok, got ${settled.error.kind}: ${settled.error.message}`);
  return settled.value;
}
