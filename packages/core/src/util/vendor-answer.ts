import type { z } from "zod";
import { abortedError, isAbortError, ShipgateError } from "../errors/shipgate-error.js";

/**
 * Validates a vendor's answer against the schema of what an adapter reads. Throws an
 * `invalid_response` error naming the first mismatch and the request, for adapters whose
 * vendor clients report failures by throwing.
 *
 * @example
 * ```ts
 * const mr = parseVendorAnswer("GitLab's", mergeRequestSchema, body, "GET /merge_requests/7");
 * ```
 */
export function parseVendorAnswer<S extends z.ZodType>(
  vendorPossessive: string,
  schema: S,
  value: unknown,
  request: string,
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "unknown";
  throw new ShipgateError(
    "invalid_response",
    `${vendorPossessive} answer does not match its documented shape (${where})`,
    { request, cause: parsed.error },
  );
}

/** {@link parseVendorAnswer} for one vendor: what an adapter's client exports as its parser. */
export function vendorAnswerParser(vendorPossessive: string) {
  return <S extends z.ZodType>(schema: S, value: unknown, request: string): z.output<S> =>
    parseVendorAnswer(vendorPossessive, schema, value, request);
}

/**
 * Turns whatever a vendor client call rejected with into a {@link ShipgateError}: `aborted`
 * once the signal fired or when the client says it was aborted, the error itself when it
 * already is one, and `internal` (naming `what` was being done) for anything else.
 */
export function vendorCallError(thrown: unknown, signal: AbortSignal, what: string): ShipgateError {
  if (signal.aborted) return abortedError(signal);
  if (ShipgateError.isInstance(thrown)) return thrown;
  if (isAbortError(thrown))
    return new ShipgateError("aborted", "The operation was aborted", { cause: thrown });
  const text = thrown instanceof Error ? thrown.message : String(thrown);
  return new ShipgateError("internal", `Unexpected failure while ${what}: ${text}`, {
    cause: thrown,
  });
}
