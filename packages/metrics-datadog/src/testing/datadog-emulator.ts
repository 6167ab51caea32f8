import {
  createSeededEmulatorState,
  type EmulatorExchange,
  parseJsonText,
  type SeededEmulatorControls,
  seededEmulatorControls,
  startEmulatorServer,
} from "@shipgate/core/testing/emulator";
import {
  type DatadogSeededSeries,
  evaluateTimeseriesQueries,
} from "./datadog-timeseries-evaluation.js";
import { deserializeWithClient } from "./datadog-wire-contract.js";

export type { DatadogSeededSeries } from "./datadog-timeseries-evaluation.js";

/** A scripted answer that replaces (or delays) the next request's normal answer. */
export interface DatadogFault {
  /** HTTP status to answer with; omit to only delay. */
  status?: number;
  /** Raw body; defaults to `{"errors":["…"]}` for the status. */
  body?: string;
  /** `X-RateLimit-Reset` seconds on this answer (default 0 for a 429). */
  resetSeconds?: number;
  /** Wait before answering. */
  delayMs?: number;
}

/** One request as the emulator received it (keys redacted to a presence flag). */
export interface DatadogRecordedRequest {
  method: string;
  path: string;
  hasApiKey: boolean;
  hasAppKey: boolean;
  contentType: string | undefined;
  body: unknown;
}

/** One answer as the emulator sent it, for contract checks. */
export interface DatadogRecordedResponse {
  status: number;
  contentType: string;
  body: string;
}

/** Options of {@link startDatadogEmulator}. */
export interface DatadogEmulatorOptions {
  apiKey?: string;
  appKey?: string;
  /** Largest number of buckets per series before the interval is raised (Datadog coarsens too). */
  maxPoints?: number;
  /** Requests allowed per period before 429s start (off by default). */
  rateLimit?: { limit: number; periodSeconds: number };
}

/** A running emulator. */
export interface DatadogEmulator
  extends SeededEmulatorControls<
    DatadogSeededSeries,
    DatadogFault,
    DatadogRecordedRequest,
    DatadogRecordedResponse
  > {
  /** `http://127.0.0.1:PORT` — pass as `baseUrl`. */
  readonly url: string;
}

const PATH = "/api/v2/query/timeseries";
const ROUTE = `POST ${PATH}`;

const errorBody = (...messages: string[]) => JSON.stringify({ errors: messages });

/**
 * A local Datadog API emulator speaking the v2 timeseries wire format
 * (`POST /api/v2/query/timeseries`, JSON:API-style `timeseries_request` in,
 * `timeseries_response` out with parallel `times`/`values`). It checks `DD-API-KEY` /
 * `DD-APPLICATION-KEY` (403 `{"errors":["Forbidden"]}`), validates the body with the
 * client's own model (400 `API input validation failed: …`, the wording recorded from the
 * real API), parses queries strictly (400 `Error parsing query: …`), buckets seeded points
 * on `interval`-aligned boundaries (raising the interval above `maxPoints` buckets), lists
 * only non-empty buckets in `times` (as real answers do) and sends `X-RateLimit-*` headers.
 *
 * @example
 * ```ts
 * const dd = await startDatadogEmulator();
 * dd.seed({ metric: "trace.http.request.hits", type: "count", tags: { service: "api" }, points });
 * const source = createDatadogSloSource({ apiKey: "test-api-key-not-real", appKey: "test-app-key-not-real", baseUrl: dd.url });
 * ```
 */
export async function startDatadogEmulator(
  options: DatadogEmulatorOptions = {},
): Promise<DatadogEmulator> {
  const apiKey = options.apiKey ?? "test-api-key-not-real";
  const appKey = options.appKey ?? "test-app-key-not-real";
  const maxPoints = options.maxPoints ?? 1500;
  const state = createSeededEmulatorState<
    DatadogSeededSeries,
    DatadogFault,
    DatadogRecordedRequest,
    DatadogRecordedResponse
  >();
  const { data, faults, requests, responses } = state;
  let windowStartedAt = Date.now();
  let usedInWindow = 0;

  function rateLimitHeaders(): Record<string, string> {
    const period = options.rateLimit?.periodSeconds ?? 10;
    const limit = options.rateLimit?.limit ?? 1000;
    const now = Date.now();
    if (now - windowStartedAt >= period * 1000) {
      windowStartedAt = now;
      usedInWindow = 0;
    }
    const reset = Math.max(0, Math.ceil((windowStartedAt + period * 1000 - now) / 1000));
    return {
      "x-ratelimit-limit": String(limit),
      "x-ratelimit-period": String(period),
      "x-ratelimit-remaining": String(Math.max(0, limit - usedInWindow)),
      "x-ratelimit-reset": String(reset),
      "x-ratelimit-name": "timeseries_query",
    };
  }

  function send(
    x: EmulatorExchange,
    status: number,
    body: string,
    headers: Record<string, string>,
    contentType = "application/json",
  ): void {
    responses.push({ status, contentType, body });
    x.replyText(status, body, { "content-type": contentType, ...headers });
  }

  async function handle(x: EmulatorExchange): Promise<void> {
    const path = x.url.pathname;
    const text = x.text;
    // A body that is not JSON is kept as text, so tests can see what was sent.
    const body = text === "" ? undefined : (parseJsonText(text) ?? text);
    requests.push({
      method: x.method,
      path,
      hasApiKey: x.headers["dd-api-key"] !== undefined,
      hasAppKey: x.headers["dd-application-key"] !== undefined,
      contentType: x.headers["content-type"],
      body,
    });
    if (x.method !== "POST" || path !== PATH) return send(x, 404, errorBody("Not found"), {});
    x.route(ROUTE);
    usedInWindow++;
    const fault = faults.shift();
    if (fault?.delayMs) await x.delay(fault.delayMs);
    if (x.closed) return;
    const headers = rateLimitHeaders();
    if (fault?.status !== undefined) {
      if (fault.status === 429) {
        headers["x-ratelimit-remaining"] = "0";
        headers["x-ratelimit-reset"] = String(fault.resetSeconds ?? 0);
      } else if (fault.resetSeconds !== undefined) {
        headers["x-ratelimit-reset"] = String(fault.resetSeconds);
      }
      const text =
        fault.body ??
        (fault.status === 429
          ? errorBody("Too many requests")
          : errorBody(`Internal Server Error (${fault.status})`));
      return send(x, fault.status, text, headers);
    }
    if (options.rateLimit && usedInWindow > options.rateLimit.limit) {
      headers["x-ratelimit-remaining"] = "0";
      return send(x, 429, errorBody("Too many requests"), headers);
    }
    if (x.headers["dd-api-key"] !== apiKey || x.headers["dd-application-key"] !== appKey)
      return send(x, 403, errorBody("Forbidden"), headers);
    const invalid = (why: string) =>
      send(x, 400, errorBody(`API input validation failed: ${why}`), headers);
    if (typeof body !== "object" || body === null) return invalid("body is not a JSON object");
    const request = (body as { data?: { type?: unknown; attributes?: Record<string, unknown> } })
      .data;
    if (request?.type !== "timeseries_request")
      return invalid('Invalid type. Expected "timeseries_request".');
    const checked = deserializeWithClient(body, "TimeseriesFormulaQueryRequest");
    if (!checked.ok) return invalid(checked.reason);
    const attributes = request.attributes as {
      from: unknown;
      to: unknown;
      interval?: unknown;
      queries: unknown;
      formulas?: unknown;
    };
    const { from, to, interval, queries } = attributes;
    if (!Number.isInteger(from) || !Number.isInteger(to) || (from as number) >= (to as number))
      return invalid("from and to must be integer milliseconds with from < to");
    if (interval !== undefined && (!Number.isInteger(interval) || (interval as number) <= 0))
      return invalid("interval must be a positive integer (ms)");
    if (!Array.isArray(queries) || queries.length === 0)
      return invalid("queries must be a non-empty array");
    for (const q of queries as { data_source?: unknown; query?: unknown }[]) {
      if (q.data_source !== "metrics") return invalid("the emulator serves data_source metrics");
      if (typeof q.query !== "string") return invalid("query must be a string");
    }
    if (attributes.formulas !== undefined)
      return invalid("the emulator does not evaluate formulas; send queries only");
    const result = evaluateTimeseriesQueries(
      data,
      { from: from as number, to: to as number, interval: interval as number | undefined },
      queries as { query: string }[],
      maxPoints,
    );
    if (!result.ok) return send(x, 400, errorBody(result.message), headers);
    send(x, 200, result.body, headers, "application/vnd.api+json");
  }

  const server = await startEmulatorServer({ readsBody: () => true, handle });
  return seededEmulatorControls(server, state);
}
