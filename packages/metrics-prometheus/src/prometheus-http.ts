import { abortedError, parseRetryAfterMs, ShipgateError } from "@shipgate/core";
import { err, ok, type Result, ResultAsync } from "neverthrow";
import {
  type PrometheusErrorEnvelope,
  type PrometheusSuccess,
  prometheusErrorSchema,
  prometheusSuccessSchema,
} from "./prometheus-envelope.js";

/** How the adapter talks to one Prometheus-compatible HTTP API. */
export interface PrometheusHttpConfig {
  /** Base URL without a trailing slash, e.g. `http://prometheus:9090` or `https://host/prometheus`. */
  baseUrl: string;
  fetch: typeof globalThis.fetch;
  /** Sent with every request; may hold `Authorization`, so never logged or copied into errors. */
  headers: Readonly<Record<string, string>>;
  /** Bound on one HTTP request (connect + answer). A timed-out request is not retried. */
  timeoutMs: number;
  /** Extra attempts after a 429, a 5xx or a network failure. */
  maxRetries: number;
  /** First backoff delay; doubles per retry unless the server sends `Retry-After`. */
  retryBaseMs: number;
  /** A `Retry-After` longer than this ends the retries at once (the error carries the wait). */
  maxRetryWaitMs: number;
}

/** One instant query: a PromQL expression evaluated at one instant. */
export interface InstantQuery {
  promql: string;
  time: Date;
  /** What the query is for, named in errors (`error_rate`). */
  label: string;
}

type Attempt =
  | { kind: "response"; status: number; headers: Headers; body: string }
  | { kind: "network"; cause: unknown }
  | { kind: "timeout" }
  | { kind: "aborted" };

const QUERY_PATH = "/api/v1/query";

/** Unix seconds with millisecond precision, as the API accepts them. */
export function toPrometheusTime(time: Date): string {
  return (time.getTime() / 1000).toFixed(3);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

async function attemptOnce(
  config: PrometheusHttpConfig,
  body: URLSearchParams,
  signal: AbortSignal,
): Promise<Attempt> {
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`timed out after ${config.timeoutMs} ms`));
  }, config.timeoutMs);
  try {
    const response = await config.fetch(`${config.baseUrl}${QUERY_PATH}`, {
      method: "POST",
      headers: {
        ...config.headers,
        accept: "application/json",
        "content-type": "application/x-www-form-urlencoded",
      },
      body,
      signal: controller.signal,
    });
    // Reading the body is part of the request: the timeout and the signal cover it too.
    const text = await response.text();
    return { kind: "response", status: response.status, headers: response.headers, body: text };
  } catch (cause) {
    if (signal.aborted) return { kind: "aborted" };
    if (timedOut) return { kind: "timeout" };
    return { kind: "network", cause };
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", onAbort);
  }
}

function parseErrorEnvelope(body: string): PrometheusErrorEnvelope | undefined {
  try {
    const parsed = prometheusErrorSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The vendor's words: its `error` field, or the start of a non-JSON body (e.g. from a proxy). */
function vendorMessageOf(envelope: PrometheusErrorEnvelope | undefined, body: string) {
  if (envelope) return `${envelope.errorType}: ${envelope.error}`;
  const text = body.trim().slice(0, 300);
  return text || undefined;
}

interface Failure {
  error: ShipgateError;
  retry: boolean;
}

function classify(
  attempt: Exclude<Attempt, { kind: "aborted" }>,
  config: PrometheusHttpConfig,
  query: InstantQuery,
  request: string,
): Result<PrometheusSuccess, Failure> {
  const details = { query: query.promql, label: query.label };
  if (attempt.kind === "timeout") {
    return err({
      retry: false,
      error: new ShipgateError(
        "timeout",
        `Prometheus did not answer the ${query.label} query within ${config.timeoutMs} ms`,
        { request, details, hint: "Raise timeout_ms, or make the query cheaper" },
      ),
    });
  }
  if (attempt.kind === "network") {
    const reason = attempt.cause instanceof Error ? attempt.cause.message : String(attempt.cause);
    return err({
      retry: true,
      error: new ShipgateError("unavailable", `Could not reach Prometheus: ${reason}`, {
        request,
        details,
        cause: attempt.cause,
        hint: "Check the url option and that Prometheus is up",
      }),
    });
  }
  const { status, body } = attempt;
  const envelope = parseErrorEnvelope(body);
  const vendorMessage = vendorMessageOf(envelope, body);
  const base = { request, status, vendorMessage, details };

  if (status >= 200 && status < 300) {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch (cause) {
      return err({
        retry: false,
        error: new ShipgateError("invalid_response", "Prometheus answered with invalid JSON", {
          ...base,
          cause,
        }),
      });
    }
    const parsed = prometheusSuccessSchema.safeParse(json);
    if (parsed.success) return ok(parsed.data);
    if (envelope?.errorType === "bad_data" || envelope?.errorType === "execution") {
      return err({ retry: false, error: badQuery(query, base) });
    }
    return err({
      retry: false,
      error: new ShipgateError(
        "invalid_response",
        `Prometheus' answer to the ${query.label} query does not match its API envelope: ${parsed.error.issues[0]?.message ?? "unknown shape"}`,
        base,
      ),
    });
  }
  if (status === 400 || status === 422) {
    return err({ retry: false, error: badQuery(query, base) });
  }
  if (status === 401 || status === 403) {
    return err({
      retry: false,
      error: new ShipgateError(
        "auth",
        `Prometheus refused the credentials (HTTP ${status}) for ${request}`,
        {
          ...base,
          hint: "Check bearer_token_env / basic_auth: the variable they name must hold a credential this Prometheus (or its proxy) accepts",
        },
      ),
    });
  }
  if (status === 404) {
    return err({
      retry: false,
      error: new ShipgateError("not_found", `No Prometheus query API at ${request}`, {
        ...base,
        hint: "url must be the Prometheus base URL (e.g. http://prometheus:9090, plus any path prefix); the adapter appends /api/v1/query",
      }),
    });
  }
  const retryAfterMs = parseRetryAfterMs(attempt.headers.get("retry-after"));
  if (status === 429) {
    return err({
      retry: true,
      error: new ShipgateError("rate_limited", `Prometheus rate-limited the ${query.label} query`, {
        ...base,
        retryAfterMs,
      }),
    });
  }
  if (status >= 500) {
    const what =
      envelope?.errorType === "timeout"
        ? `Prometheus timed out evaluating the ${query.label} query`
        : `Prometheus failed (HTTP ${status}) on the ${query.label} query`;
    return err({
      retry: true,
      error: new ShipgateError("unavailable", what, { ...base, retryAfterMs }),
    });
  }
  return err({
    retry: false,
    error: new ShipgateError(
      "unavailable",
      `Prometheus answered HTTP ${status} to the ${query.label} query`,
      { ...base, retryable: false },
    ),
  });
}

function badQuery(
  query: InstantQuery,
  base: { request: string; status: number; vendorMessage: string | undefined },
): ShipgateError<"bad_query"> {
  return new ShipgateError(
    "bad_query",
    `Prometheus rejected the ${query.label} query \`${query.promql}\`${base.vendorMessage ? `: ${base.vendorMessage}` : ""}`,
    {
      ...base,
      field: `queries.${query.label}`,
      details: { query: query.promql, label: query.label },
      hint: `Fix the ${query.label} query template (queries.${query.label}); test it in the Prometheus UI first`,
    },
  );
}

async function runInstantQuery(
  config: PrometheusHttpConfig,
  query: InstantQuery,
  signal: AbortSignal,
): Promise<Result<PrometheusSuccess, ShipgateError>> {
  const request = `POST ${config.baseUrl}${QUERY_PATH} (${query.label})`;
  const body = new URLSearchParams({ query: query.promql, time: toPrometheusTime(query.time) });
  let attempts = 0;
  for (;;) {
    if (signal.aborted) return err(abortedError(signal));
    attempts += 1;
    const attempt = await attemptOnce(config, body, signal);
    if (attempt.kind === "aborted") return err(abortedError(signal));
    const outcome = classify(attempt, config, query, request);
    if (outcome.isOk()) return ok(outcome.value);
    const { error, retry } = outcome.error;
    const retriesLeft = attempts <= config.maxRetries;
    const backoffMs = config.retryBaseMs * 2 ** (attempts - 1);
    const waitMs = error.retryAfterMs ?? backoffMs;
    if (!retry || !retriesLeft || waitMs > config.maxRetryWaitMs) {
      if (!retry || attempts === 1) return err(error);
      return err(
        new ShipgateError(error.kind, `${error.message} (after ${attempts} attempts)`, {
          request: error.request,
          status: error.status,
          vendorMessage: error.vendorMessage,
          retryAfterMs: error.retryAfterMs,
          details: { ...error.details, attempts },
          hint: error.hint,
          cause: error.cause,
        }),
      );
    }
    await sleep(waitMs, signal);
  }
}

/**
 * Runs an instant query (`POST /api/v1/query`, form-encoded, `time` set) with bounded
 * retries on 429, 5xx and network failures, honouring `Retry-After`. Never rejects.
 *
 * Failures map to: 400/422 → `bad_query` naming the query; 401/403 → `auth`; 404 →
 * `not_found`; 429 → `rate_limited` and 5xx/network → `unavailable` once retries run out;
 * a slow answer → `timeout`; the caller's signal → `aborted`; a malformed body →
 * `invalid_response`.
 */
export function queryInstant(
  config: PrometheusHttpConfig,
  query: InstantQuery,
  signal: AbortSignal,
): ResultAsync<PrometheusSuccess, ShipgateError> {
  return new ResultAsync(
    runInstantQuery(config, query, signal).catch((cause: unknown) =>
      err(
        new ShipgateError("internal", `Unexpected failure querying Prometheus: ${String(cause)}`, {
          cause,
        }),
      ),
    ),
  );
}
