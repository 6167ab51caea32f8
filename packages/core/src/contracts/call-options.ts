/**
 * Passed as the last argument of every contract method.
 *
 * An implementation must stop its work promptly once `signal` fires and resolve to an
 * `aborted` {@link ShipgateError}; it must not throw.
 */
export interface CallOptions {
  readonly signal: AbortSignal;
}
