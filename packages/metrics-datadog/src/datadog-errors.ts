import { client } from "@datadog/datadog-api-client";
import { abortedError, isAbortError, ShipgateError } from "@shipgate/core";
import type { DatadogTransportStats } from "./datadog-retry-transport.js";

/** Everything needed to explain one failed call. */
export interface DatadogFailureContext {
  /** The caller's signal. */
  signal: AbortSignal;
  /** The per-call timeout signal. */
  timeoutSignal: AbortSignal;
  timeoutMs: number;
  stats: DatadogTransportStats;
  /** The rendered queries with the config field each came from, for `bad_query`. */
  queries: { field: string; query: string }[];
  /** Where the credentials come from, for `auth` hints (never the credentials themselves). */
  authHint: string;
  /** The base URL called (no secrets in it). */
  baseUrl: string;
}

const REQUEST = "POST /api/v2/query/timeseries";

/** The client's `ApiException`, also when it comes from another copy of the client. */
function apiException(value: unknown): { code: number; body: unknown } | null {
  if (value instanceof client.ApiException) return { code: value.code, body: value.body };
  if (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "number" &&
    "body" in value
  ) {
    const { code, body } = value as unknown as { code: number; body: unknown };
    return { code, body };
  }
  return null;
}

/**
 * Datadog's error text from an error body: `{"errors": ["…"]}` (APIErrorResponse),
 * JSON:API `{"errors": [{"title", "detail"}]}`, or the raw text the client kept.
 */
export function datadogVendorMessage(body: unknown): string | undefined {
  if (typeof body === "string") return body.slice(0, 500) || undefined;
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return undefined;
  const texts = errors.map((e) => {
    if (typeof e === "string") return e;
    const o = e as { title?: unknown; detail?: unknown };
    return [o.title, o.detail].filter((x) => typeof x === "string").join(": ");
  });
  return texts.filter(Boolean).join("; ").slice(0, 500) || undefined;
}

const DESERIALISER_FAILURE =
  /mismatch types|missing required property|unknown type|found extra attributes/;

/**
 * Maps whatever the Datadog call threw onto one {@link ShipgateError}: 400/422 →
 * `bad_query` naming the query, 401/403 → `auth`, 404 → `not_found`, 429 after retries →
 * `rate_limited` (with `retryAfterMs` from `X-RateLimit-Reset`), 5xx/network after retries →
 * `unavailable`, undecodable bodies → `invalid_response`, the caller's abort → `aborted`,
 * the call's own deadline → `timeout`.
 */
export function datadogFailure(thrown: unknown, ctx: DatadogFailureContext): ShipgateError {
  if (ShipgateError.isInstance(thrown)) return thrown;
  if (ctx.signal.aborted) return abortedError(ctx.signal);
  if (ctx.timeoutSignal.aborted) {
    return new ShipgateError("timeout", `Datadog did not answer within ${ctx.timeoutMs} ms`, {
      request: REQUEST,
      cause: thrown,
      details: { requests: ctx.stats.requests },
      hint: "Raise timeout_ms, or check Datadog's status page",
    });
  }
  const api = apiException(thrown);
  if (api) {
    const status = api.code;
    const vendorMessage = datadogVendorMessage(api.body);
    const common = { status, request: REQUEST, vendorMessage, cause: thrown };
    if (status === 400 || status === 422) {
      const named = ctx.queries.find((q) => vendorMessage?.includes(q.query));
      const culprits = named ? [named] : ctx.queries;
      return new ShipgateError(
        "bad_query",
        `Datadog rejected the query (HTTP ${status}): ${vendorMessage ?? "no reason given"} — ${culprits
          .map((q) => `${q.field} = ${q.query}`)
          .join("; ")}`,
        {
          ...common,
          field: culprits[0]?.field,
          hint: "Fix the query template; try it in Datadog's Metrics Explorer first",
        },
      );
    }
    if (status === 401 || status === 403) {
      return new ShipgateError(
        "auth",
        `Datadog refused the credentials (HTTP ${status}): the API key must be valid and the application key needs the \`timeseries_query\` permission`,
        { ...common, hint: ctx.authHint },
      );
    }
    if (status === 404) {
      return new ShipgateError(
        "not_found",
        `Datadog answered 404 for ${REQUEST} at ${ctx.baseUrl}`,
        {
          ...common,
          hint: "Check `site` (e.g. datadoghq.eu, us3.datadoghq.com) or `base_url`",
        },
      );
    }
    if (status === 429) {
      const reset = ctx.stats.lastRateLimit?.resetSeconds;
      return new ShipgateError(
        "rate_limited",
        `Datadog rate limit hit after ${ctx.stats.requests} request(s)${
          ctx.stats.lastRateLimit?.name ? ` (limit "${ctx.stats.lastRateLimit.name}")` : ""
        }`,
        {
          ...common,
          retryAfterMs: reset === null || reset === undefined ? undefined : reset * 1000,
          details: { rateLimit: ctx.stats.lastRateLimit, requests: ctx.stats.requests },
          hint: "Wait for the rate-limit period to reset, or ask Datadog support to raise it",
        },
      );
    }
    if (status >= 500) {
      return new ShipgateError(
        "unavailable",
        `Datadog failed with HTTP ${status} after ${ctx.stats.requests} request(s)`,
        { ...common, details: { requests: ctx.stats.requests } },
      );
    }
    if (status === 408) {
      return new ShipgateError("timeout", "Datadog timed out the query (HTTP 408)", common);
    }
    return new ShipgateError("internal", `Datadog answered HTTP ${status} unexpectedly`, common);
  }
  if (isAbortError(thrown)) return abortedError(ctx.signal);
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  if ((thrown as { name?: unknown } | null)?.name === "FetchError") {
    return new ShipgateError(
      "unavailable",
      `Could not reach Datadog at ${ctx.baseUrl} after ${ctx.stats.requests} attempt(s): ${message}`,
      { request: REQUEST, cause: thrown, details: { requests: ctx.stats.requests } },
    );
  }
  if (thrown instanceof SyntaxError || DESERIALISER_FAILURE.test(message)) {
    return new ShipgateError(
      "invalid_response",
      `Datadog's response does not match its API contract: ${message}`,
      { request: REQUEST, cause: thrown, status: ctx.stats.lastStatus ?? undefined },
    );
  }
  return new ShipgateError("internal", `Datadog query failed unexpectedly: ${message}`, {
    request: REQUEST,
    cause: thrown,
  });
}
