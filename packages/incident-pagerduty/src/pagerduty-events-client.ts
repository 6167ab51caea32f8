import {
  abortedError,
  type Clock,
  createSystemClock,
  parseRetryAfterMs,
  ShipgateError,
} from "@shipgate/core";
import { err, ok, type Result, ResultAsync } from "neverthrow";
import type { PagerDutyEvent } from "./pagerduty-event.js";

/**
 * How hard an event is retried. PagerDuty says 429, 5xx and network errors should be
 * retried and 400 must not be. Events are idempotent by `dedup_key`, so a retried trigger
 * updates the same alert and timeouts are safe to retry too.
 */
export interface PagerDutyRetryOptions {
  /** Retries after the first attempt. Default 3 (PagerDuty suggests retrying 3 times). */
  maxRetries?: number;
  /** First backoff, doubled each retry. Default 1000 ms. */
  minBackoffMs?: number;
  /** Longest single backoff. Default 8000 ms. */
  maxBackoffMs?: number;
  /** Longest `Retry-After` we honour; longer gives up with `rate_limited` at once. Default 30 s. */
  maxRetryAfterMs?: number;
}

/** Options for {@link createPagerDutyEventsClient}. */
export interface PagerDutyEventsClientOptions {
  /** Default `https://events.pagerduty.com` (EU: `https://events.eu.pagerduty.com`). */
  baseUrl?: string;
  /** Timeout of one attempt, in ms. Default 10 000. */
  timeoutMs?: number;
  retry?: PagerDutyRetryOptions;
  /** Clock for backoff and `Retry-After` waits (tests pass a virtual clock). */
  clock?: Clock;
  /** `fetch` to use; default the global one. */
  fetch?: typeof globalThis.fetch;
  /** Env var the routing key came from, for hints. Default `PAGERDUTY_ROUTING_KEY`. */
  secretName?: string;
}

/** PagerDuty's `202 Accepted` answer. */
export interface PagerDutyAccepted {
  dedupKey: string;
  message: string;
}

/** Sends events to the Events API v2. */
export interface PagerDutyEventsClient {
  send(
    event: PagerDutyEvent,
    options: { signal: AbortSignal },
  ): ResultAsync<PagerDutyAccepted, ShipgateError>;
}

/** The real clock. */
export const systemClock: Clock = createSystemClock();

/**
 * A small Events API v2 client on `fetch`.
 *
 * Why not `@pagerduty/pdjs`: its `event()` takes a host name and hard-codes `https://`
 * (no base URL with a scheme, port or path, so no local emulator or proxy), retries 429
 * on a fixed timer without reading `Retry-After`, does not retry 5xx, has no working
 * per-request timeout, and pulls in `cross-fetch`. The API is one JSON POST, so `fetch`
 * with our retry rules is smaller and fully testable.
 *
 * @example
 * ```ts
 * const client = createPagerDutyEventsClient({ baseUrl: "https://events.eu.pagerduty.com" });
 * const sent = await client.send(buildResolveEvent("shipgate/shop/production", routingKey), { signal });
 * ```
 */
export function createPagerDutyEventsClient(
  options: PagerDutyEventsClientOptions = {},
): PagerDutyEventsClient {
  const endpoint = `${(options.baseUrl ?? "https://events.pagerduty.com").replace(/\/+$/, "")}/v2/enqueue`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const clock = options.clock ?? systemClock;
  const doFetch = options.fetch ?? globalThis.fetch;
  const secretName = options.secretName ?? "PAGERDUTY_ROUTING_KEY";
  const retry = {
    maxRetries: Math.max(0, Math.floor(options.retry?.maxRetries ?? 3)),
    minBackoffMs: Math.max(0, options.retry?.minBackoffMs ?? 1000),
    maxBackoffMs: Math.max(0, options.retry?.maxBackoffMs ?? 8000),
    maxRetryAfterMs: Math.max(0, options.retry?.maxRetryAfterMs ?? 30_000),
  };

  async function attempt(
    event: PagerDutyEvent,
    signal: AbortSignal,
    request: string,
  ): Promise<Result<PagerDutyAccepted, ShipgateError>> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = AbortSignal.any([signal, timeout]);
    let response: Response;
    let text: string;
    try {
      response = await doFetch(endpoint, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(event),
        signal: combined,
      });
      text = await response.text();
    } catch (cause) {
      if (signal.aborted) return err(abortedError(signal));
      if (timeout.aborted) {
        return err(
          new ShipgateError("timeout", `PagerDuty did not answer within ${timeoutMs} ms`, {
            request,
          }),
        );
      }
      const code = (cause as { cause?: { code?: unknown } })?.cause?.code;
      return err(
        new ShipgateError(
          "unavailable",
          `Could not reach PagerDuty${typeof code === "string" ? ` (${code})` : ""}`,
          {
            request,
            hint: "Check base_url and the network",
          },
        ),
      );
    }
    return interpret(response, text, request);
  }

  function interpret(
    response: Response,
    text: string,
    request: string,
  ): Result<PagerDutyAccepted, ShipgateError> {
    const status = response.status;
    const body = parseJson(text);
    const vendorMessage = describeBody(body, text);
    if (status === 202 || status === 200) {
      if (isObject(body) && typeof body.dedup_key === "string" && body.dedup_key) {
        return ok({
          dedupKey: body.dedup_key,
          message: typeof body.message === "string" ? body.message : "",
        });
      }
      return err(
        new ShipgateError(
          "invalid_response",
          "PagerDuty accepted the event but its answer has no dedup_key",
          {
            status,
            request,
            vendorMessage,
          },
        ),
      );
    }
    const common = { status, request, vendorMessage };
    if (status === 400) {
      const errors = isObject(body) && Array.isArray(body.errors) ? body.errors.map(String) : [];
      const aboutKey = errors.some((e) => /routing.?key/i.test(e));
      return err(
        new ShipgateError(
          aboutKey ? "auth" : "bad_query",
          `PagerDuty refused the event: ${vendorMessage}`,
          {
            ...common,
            retryable: false,
            details: { errors },
            hint: aboutKey
              ? `Check ${secretName}: it must be the 32-character integration key of an Events API v2 integration`
              : "This is a bug in @shipgate/incident-pagerduty; please report it with the release report",
          },
        ),
      );
    }
    if (status === 401 || status === 403) {
      return err(
        new ShipgateError("auth", `PagerDuty refused the event (HTTP ${status})`, {
          ...common,
          hint: `Check ${secretName}`,
        }),
      );
    }
    if (status === 404) {
      return err(
        new ShipgateError(
          "not_found",
          "PagerDuty's Events API was not found at base_url (HTTP 404)",
          {
            ...common,
            hint: "base_url is the host only, e.g. https://events.pagerduty.com",
          },
        ),
      );
    }
    if (status === 429) {
      return err(
        new ShipgateError("rate_limited", "PagerDuty rate-limited the event (HTTP 429)", {
          ...common,
          retryAfterMs: parseRetryAfterMs(response.headers.get("retry-after"), clock.now()),
        }),
      );
    }
    if (status >= 500) {
      return err(
        new ShipgateError(
          "unavailable",
          `PagerDuty failed to accept the event (HTTP ${status})`,
          common,
        ),
      );
    }
    return err(
      new ShipgateError("bad_query", `PagerDuty refused the event (HTTP ${status})`, {
        ...common,
        retryable: false,
      }),
    );
  }

  async function sendWithRetry(
    event: PagerDutyEvent,
    signal: AbortSignal,
  ): Promise<Result<PagerDutyAccepted, ShipgateError>> {
    const request = `POST /v2/enqueue (${event.event_action} ${event.dedup_key})`;
    for (let retried = 0; ; retried++) {
      if (signal.aborted) return err(abortedError(signal));
      const result = await attempt(event, signal, request);
      if (result.isOk()) return result;
      const error = result.error;
      if (!error.retryable || error.kind === "aborted") return result;
      const backoffMs = Math.min(retry.maxBackoffMs, retry.minBackoffMs * 2 ** retried);
      const waitMs = error.kind === "rate_limited" ? (error.retryAfterMs ?? backoffMs) : backoffMs;
      if (error.kind === "rate_limited" && waitMs > retry.maxRetryAfterMs) {
        return err(
          new ShipgateError(
            "rate_limited",
            `PagerDuty rate-limited the event and asked to wait ${Math.ceil(waitMs / 1000)} s, more than we wait`,
            {
              status: error.status,
              request,
              vendorMessage: error.vendorMessage,
              retryAfterMs: waitMs,
            },
          ),
        );
      }
      if (retried >= retry.maxRetries) {
        return err(
          new ShipgateError(
            error.kind,
            `${error.message}; gave up after ${retried + 1} attempt${retried === 0 ? "" : "s"}`,
            {
              status: error.status,
              request,
              vendorMessage: error.vendorMessage,
              retryAfterMs: error.retryAfterMs,
              hint: error.hint,
            },
          ),
        );
      }
      const slept = await clock.sleep(waitMs, signal);
      if (slept.isErr()) return err(slept.error);
    }
  }

  return {
    send(event, { signal }) {
      return new ResultAsync(
        sendWithRetry(event, signal).catch((cause: unknown) =>
          err(
            new ShipgateError("internal", `PagerDuty event failed unexpectedly: ${String(cause)}`),
          ),
        ),
      );
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describeBody(body: unknown, text: string): string | undefined {
  if (isObject(body)) {
    const message =
      typeof body.message === "string"
        ? body.message
        : typeof body.status === "string"
          ? body.status
          : "";
    const errors = Array.isArray(body.errors) ? body.errors.map(String) : [];
    const joined = [message, errors.join("; ")].filter(Boolean).join(": ");
    return joined ? joined.slice(0, 500) : undefined;
  }
  return text.trim() ? text.trim().slice(0, 200) : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
