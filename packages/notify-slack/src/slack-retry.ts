import {
  abortedError,
  type Clock,
  createSystemClock,
  ShipgateError,
  toShipgateError,
  untilAborted,
} from "@shipgate/core";
import { err, ok, type Result } from "neverthrow";

/**
 * How hard a notification tries. Slack notifications are best effort: the bounds are small
 * so a Slack outage never holds a release up for long.
 */
export interface SlackRetryOptions {
  /** Retries after the first attempt, for 5xx/network errors and for 429. Default 2. */
  maxRetries?: number;
  /** First backoff before retrying a 5xx/network error; doubles each time. Default 500 ms. */
  minBackoffMs?: number;
  /** Longest single backoff for 5xx/network errors. Default 4000 ms. */
  maxBackoffMs?: number;
  /**
   * Longest `Retry-After` we are willing to wait. When Slack asks for longer, we give up at
   * once with `rate_limited` (and its `retryAfterMs`) instead of stalling the release. Default 30 s.
   */
  maxRetryAfterMs?: number;
}

/** The delivery settings both Slack notifiers take. */
export interface SlackDeliveryOptions {
  /** Timeout of one HTTP attempt, in ms. Default 10 000. */
  timeoutMs?: number;
  /** Retry bounds for 429 and 5xx. */
  retry?: SlackRetryOptions;
  /** Where the secret came from (an env var name), used in hints. */
  secretName?: string;
  /** Clock for `Retry-After` waits (tests pass a virtual clock). */
  clock?: Clock;
}

/** {@link SlackRetryOptions} with every default filled in. */
export type ResolvedSlackRetry = Required<SlackRetryOptions>;

/** Fills in the defaults of {@link SlackRetryOptions}. */
export function resolveSlackRetry(options: SlackRetryOptions = {}): ResolvedSlackRetry {
  return {
    maxRetries: Math.max(0, Math.floor(options.maxRetries ?? 2)),
    minBackoffMs: Math.max(0, options.minBackoffMs ?? 500),
    maxBackoffMs: Math.max(0, options.maxBackoffMs ?? 4000),
    maxRetryAfterMs: Math.max(0, options.maxRetryAfterMs ?? 30_000),
  };
}

/**
 * The `retryConfig` handed to the Slack clients: no retries of their own. Both clients retry
 * 5xx with p-retry, whose waits cannot be cancelled, so after a release is aborted they would
 * still post a late "release started". {@link deliverWithRetry} retries instead, on an
 * abortable clock; the clients keep doing the HTTP, the wire format and the error shapes.
 */
export const VENDOR_RETRY_CONFIG = { retries: 0 } as const;

/** The real clock. */
export const systemClock: Clock = createSystemClock();

/**
 * Runs a delivery attempt and retries it, with a bound, when Slack may accept it later:
 * 429 (waiting what `Retry-After` says, up to `maxRetryAfterMs`) and 5xx/network errors
 * (`unavailable`, exponential backoff). Timeouts are not retried: Slack may have posted the
 * message already, and a duplicate is worse than a missing notification. Waits run on
 * `clock`. Never throws; an abort resolves to an `aborted` error at once, even while the
 * client is still waiting on the network.
 */
export async function deliverWithRetry<T>(
  attempt: () => Promise<T>,
  classify: (thrown: unknown) => ShipgateError,
  context: { signal: AbortSignal; retry: ResolvedSlackRetry; clock: Clock; request: string },
): Promise<Result<T, ShipgateError>> {
  const { signal, retry, clock } = context;
  for (let retried = 0; ; retried++) {
    if (signal.aborted) return err(abortedError(signal));
    let error: ShipgateError;
    try {
      return ok(await untilAborted(attempt(), signal));
    } catch (thrown) {
      if (signal.aborted) return err(abortedError(signal));
      try {
        error = classify(thrown);
      } catch (cause) {
        error = toShipgateError(cause, "Could not read Slack's answer");
      }
    }
    if (error.kind !== "rate_limited" && error.kind !== "unavailable") return err(error);
    const attempts = `${retried + 1} attempt${retried === 0 ? "" : "s"}`;
    const backoffMs = Math.min(retry.maxBackoffMs, retry.minBackoffMs * 2 ** retried);
    const waitMs = error.kind === "rate_limited" ? (error.retryAfterMs ?? backoffMs) : backoffMs;
    if (error.kind === "rate_limited" && waitMs > retry.maxRetryAfterMs) {
      return err(
        rewrap(
          error,
          `Slack rate-limited the notification and asked to wait ${Math.ceil(waitMs / 1000)} s, more than the ${Math.ceil(retry.maxRetryAfterMs / 1000)} s we wait`,
          { request: context.request, retryAfterMs: waitMs },
        ),
      );
    }
    if (retried >= retry.maxRetries) {
      return err(
        rewrap(error, `${error.message}; gave up after ${attempts}`, { request: context.request }),
      );
    }
    const slept = await clock.sleep(waitMs, signal);
    if (slept.isErr()) return err(slept.error);
  }
}

function rewrap(
  error: ShipgateError,
  message: string,
  extra: { request: string; retryAfterMs?: number },
): ShipgateError {
  return new ShipgateError(error.kind, message, {
    status: error.status,
    vendorMessage: error.vendorMessage,
    retryAfterMs: extra.retryAfterMs ?? error.retryAfterMs,
    request: error.request ?? extra.request,
    hint:
      error.hint ??
      (error.kind === "rate_limited"
        ? "Slack allows about one message per second per channel; space notifications out"
        : "Check Slack's status page; the release itself is not affected"),
  });
}
