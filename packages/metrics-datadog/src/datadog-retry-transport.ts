import type { client } from "@datadog/datadog-api-client";

/** Retry bounds for 429, 5xx and network failures. */
export interface DatadogRetryPolicy {
  /** Retries after the first attempt (so at most `maxRetries + 1` requests). */
  maxRetries: number;
  /** First backoff for 5xx / network errors, doubled each retry (with jitter). */
  baseDelayMs: number;
  /**
   * Longest single wait. A 429 whose `X-RateLimit-Reset` asks for longer is not waited out:
   * the call fails at once as `rate_limited` with `retryAfterMs`, so a release never hangs
   * on an hour-long rate-limit period.
   */
  maxDelayMs: number;
}

/** Datadog's documented rate-limit headers, as read from one response. */
export interface DatadogRateLimit {
  limit: number | null;
  periodSeconds: number | null;
  remaining: number | null;
  /** Seconds until the current period resets. */
  resetSeconds: number | null;
  name: string | null;
}

/** What one call's transport saw, for error messages and the benchmark. */
export interface DatadogTransportStats {
  /** HTTP requests sent (retries included). */
  requests: number;
  lastStatus: number | null;
  lastRateLimit: DatadogRateLimit | null;
}

/** The client's HTTP library plus what it saw. */
export interface RetryingHttpLibrary extends client.HttpLibrary {
  readonly stats: DatadogTransportStats;
}

function intHeader(headers: Record<string, string>, name: string): number | null {
  const raw = headers[name];
  if (raw === undefined) return null;
  const n = Number.parseInt(raw, 10);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/** Reads `X-RateLimit-*` from a response's (lower-cased) headers; null when there are none. */
export function readRateLimit(headers: Record<string, string>): DatadogRateLimit | null {
  const rl: DatadogRateLimit = {
    limit: intHeader(headers, "x-ratelimit-limit"),
    periodSeconds: intHeader(headers, "x-ratelimit-period"),
    remaining: intHeader(headers, "x-ratelimit-remaining"),
    resetSeconds: intHeader(headers, "x-ratelimit-reset"),
    name: headers["x-ratelimit-name"] ?? null,
  };
  return Object.values(rl).every((v) => v === null) ? null : rl;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}

/** Waits `ms`, or rejects with the signal's reason as soon as it fires. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function isAbort(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === "AbortError" || name === "TimeoutError";
}

/**
 * Wraps the Datadog client's own HTTP library (its documented `httpApi` extension point) with
 * bounded retries. We do not use the client's built-in `enableRetry`: it does honour
 * `X-RateLimit-Reset`, but it waits however long the header says (periods can be an hour),
 * its sleep cannot be cancelled by an `AbortSignal`, its backoff base is at least 2 s, and it
 * does not retry network errors. This keeps the client's serialisation, auth headers and
 * error deserialisation, and only decides *when to send again*:
 *
 * - 429: wait `X-RateLimit-Reset` seconds (backoff if absent); give up if that exceeds `maxDelayMs`.
 * - 5xx and network errors: exponential backoff with jitter, capped at `maxDelayMs`.
 * - Anything else, and the last attempt, is returned as is for the client to turn into its
 *   `ApiException`.
 *
 * @example
 * ```ts
 * const httpApi = retryingHttpLibrary(new client.IsomorphicFetchHttpLibrary(), policy, signal);
 * const conf = client.createConfiguration({ httpApi, httpConfig: { signal } });
 * ```
 */
export function retryingHttpLibrary(
  inner: client.HttpLibrary,
  policy: DatadogRetryPolicy,
  signal: AbortSignal,
  random: () => number = Math.random,
): RetryingHttpLibrary {
  const stats: DatadogTransportStats = { requests: 0, lastStatus: null, lastRateLimit: null };
  const backoff = (retry: number) =>
    Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry * (0.5 + random() / 2));

  async function send(request: client.RequestContext): Promise<client.ResponseContext> {
    for (let retry = 0; ; retry++) {
      if (signal.aborted) throw abortReason(signal);
      stats.requests++;
      let response: client.ResponseContext;
      try {
        response = await inner.send(request);
      } catch (error) {
        if (isAbort(error) || signal.aborted || retry >= policy.maxRetries) throw error;
        await abortableSleep(backoff(retry), signal);
        continue;
      }
      const rateLimit = readRateLimit(response.headers);
      stats.lastStatus = response.httpStatusCode;
      stats.lastRateLimit = rateLimit ?? stats.lastRateLimit;
      const status = response.httpStatusCode;
      if ((status !== 429 && status < 500) || retry >= policy.maxRetries) return response;
      // The reset header describes the rate-limit period, so it is a wait hint for 429 only.
      const reset = status === 429 ? (rateLimit?.resetSeconds ?? null) : null;
      const waitMs = reset !== null ? reset * 1000 : backoff(retry);
      if (waitMs > policy.maxDelayMs) return response;
      // Drain the body so the connection can be reused for the retry.
      await response.body.text().catch(() => undefined);
      await abortableSleep(waitMs, signal);
    }
  }

  return { send, stats };
}
