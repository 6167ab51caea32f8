/**
 * Retries, waits and timeouts of an adapter that talks HTTP to its vendor. The defaults are
 * the adapters' own; the CI adapters use 4 retries, a 500 ms first backoff, 60 s as the
 * longest rate-limit wait and 30 s per request.
 */
export interface HttpTransportOptions {
  /** Retries after a 429, a 5xx, a network error or a timeout. */
  maxRetries?: number;
  /** First backoff for 5xx / network errors (doubled per attempt, with jitter). */
  retryBaseDelayMs?: number;
  /**
   * The longest wait a `Retry-After` (or the vendor's rate-limit reset header) may ask for.
   * Longer asks fail at once with `rate_limited` (and `retryAfterMs`) instead of blocking a
   * release for an hour.
   */
  maxRetryWaitMs?: number;
  /** Per HTTP attempt. */
  requestTimeoutMs?: number;
  /** Called before every HTTP attempt (for request counting); sees method and path, never headers or tokens. */
  onRequest?: (request: { method: string; path: string }) => void;
}
