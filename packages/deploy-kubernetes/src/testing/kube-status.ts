/*
 * Test-only: the API server's `Status` error bodies.
 */

/** A `Status` object as the API server sends it. */
export function statusBody(
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
) {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: code < 400 ? "Success" : "Failure",
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

/** A request the emulator answers with a `Status` error. */
export class HttpProblem extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** RFC 3339 without fractional seconds, as `metav1.Time` marshals. */
export function rfc3339(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
