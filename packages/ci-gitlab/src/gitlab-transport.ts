import { AsyncLocalStorage } from "node:async_hooks";
import {
  createRequesterFn,
  type FormattedResponse,
  getMatchingRateLimiter,
  type RateLimiters,
  type RequesterType,
  type ResourceOptions,
  type ResponseBodyTypes,
} from "@gitbeaker/requester-utils";
import {
  abortedError,
  backoffDelayMs,
  type HttpTransportOptions,
  parseRetryAfterMs,
  pause,
  ShipgateError,
} from "@shipgate/core";
import type { GitLabErrorContext } from "./gitlab-error-context.js";
import { gitlabHttpError } from "./gitlab-errors.js";

/**
 * How the GitLab adapter talks HTTP: retries, waits, timeouts and the `fetch` it uses.
 * Defaults: 4 retries, 500 ms first backoff, 60 s longest `Retry-After` / `RateLimit-Reset`
 * wait, 30 s per attempt.
 */
export interface GitLabTransportOptions extends HttpTransportOptions {
  /** The `fetch` to use (tests and proxies inject one). Default: the global `fetch`. */
  fetch?: typeof fetch;
}

/** What is known about the call in flight: its signal, and words for error hints. */
interface CallContext {
  signal: AbortSignal;
}

export type { GitLabErrorContext } from "./gitlab-error-context.js";

const callContext = new AsyncLocalStorage<CallContext>();

/**
 * Runs `work` with the caller's `AbortSignal` attached to every request gitbeaker makes
 * inside it. gitbeaker's resource methods take no signal, so the requester below reads it
 * from this async context instead.
 */
export function withCallSignal<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  return callContext.run({ signal }, work);
}

/** The caller's signal of the current call, if any. */
export function currentCallSignal(): AbortSignal | undefined {
  return callContext.getStore()?.signal;
}

/**
 * A gitbeaker `requesterFn` that replaces gitbeaker's default request handler.
 *
 * Why not the default: it retries only 429 and 502, ignores `Retry-After` and
 * `RateLimit-Reset` (fixed 0.25 ms·2^n waits), does not retry other 5xx or network errors,
 * cannot be cancelled by the caller, and reports an abort as a timeout. This one keeps
 * gitbeaker's query/body formatting, auth headers, client-side rate limiters and pagination
 * (all of which live in gitbeaker's core and `createRequesterFn`) and only changes how one
 * HTTP exchange is carried out.
 */
export function createGitLabRequesterFn(
  transport: GitLabTransportOptions,
  context: GitLabErrorContext,
): (serviceOptions: ResourceOptions) => RequesterType {
  return createRequesterFn(
    async (_serviceOptions, requestOptions) => requestOptions,
    (endpoint, options) =>
      sendWithRetries(endpoint, (options ?? {}) as RequestInput, transport, context),
  );
}

/** The options gitbeaker's `createRequesterFn` hands to a request handler. */
export interface RequestInput {
  method?: string;
  headers?: Record<string, string>;
  body?: string | FormData;
  searchParams?: string;
  prefixUrl?: string;
  signal?: AbortSignal;
  rateLimiters?: RateLimiters;
}

/**
 * One logical request: attempts, waits between them, and the mapping of the final failure
 * onto a {@link ShipgateError}. Exported for the GraphQL endpoint, which gitbeaker has no
 * resource for but which must get the same retry and error behaviour.
 */
export async function sendWithRetries(
  endpoint: string,
  input: RequestInput,
  transport: GitLabTransportOptions,
  context: GitLabErrorContext,
): Promise<FormattedResponse> {
  const fetchImpl = transport.fetch ?? globalThis.fetch;
  const maxRetries = transport.maxRetries ?? 4;
  const baseDelay = transport.retryBaseDelayMs ?? 500;
  const maxWait = transport.maxRetryWaitMs ?? 60_000;
  const timeoutMs = transport.requestTimeoutMs ?? 30_000;
  const method = (input.method ?? "GET").toUpperCase();
  const callSignal = currentCallSignal();

  const base = input.prefixUrl
    ? input.prefixUrl.endsWith("/")
      ? input.prefixUrl
      : `${input.prefixUrl}/`
    : undefined;
  const url = new URL(endpoint, base);
  url.search = input.searchParams ?? "";
  // The request as it may appear in errors: path and query only. Tokens travel in headers.
  const described = `${method} ${url.pathname}${url.search}`;

  for (let attempt = 0; ; attempt += 1) {
    if (callSignal?.aborted) throw abortedError(callSignal);
    if (input.rateLimiters) await getMatchingRateLimiter(endpoint, input.rateLimiters, method)();
    transport.onRequest?.({ method, path: `${url.pathname}${url.search}` });

    const timeout = AbortSignal.timeout(timeoutMs);
    const signals = [
      timeout,
      ...(callSignal ? [callSignal] : []),
      ...(input.signal ? [input.signal] : []),
    ];
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method,
        headers: input.headers ?? {},
        ...(input.body !== undefined ? { body: input.body } : {}),
        signal: AbortSignal.any(signals),
      });
    } catch (cause) {
      if (callSignal?.aborted) throw abortedError(callSignal);
      const timedOut = timeout.aborted;
      if (attempt < maxRetries) {
        await pause(backoffDelayMs(baseDelay, attempt), callSignal);
        continue;
      }
      throw timedOut
        ? new ShipgateError(
            "timeout",
            `GitLab did not answer within ${timeoutMs} ms (${attempt + 1} attempts)`,
            {
              request: described,
              cause,
            },
          )
        : new ShipgateError(
            "unavailable",
            `Could not reach GitLab at ${url.origin} (${attempt + 1} attempts)`,
            {
              request: described,
              vendorMessage: cause instanceof Error ? cause.message : String(cause),
              cause,
            },
          );
    }

    if (response.ok) return await readResponse(response, described, callSignal);

    const retryable = response.status === 429 || response.status >= 500;
    const waitAsked = retryAfterMs(response.headers);
    if (retryable && attempt < maxRetries && (waitAsked === undefined || waitAsked <= maxWait)) {
      await response.body?.cancel().catch(() => undefined);
      await pause(waitAsked ?? backoffDelayMs(baseDelay, attempt), callSignal);
      continue;
    }
    const text = await response.text().catch(() => "");
    throw gitlabHttpError({
      status: response.status,
      request: described,
      body: text,
      retryAfterMs: waitAsked,
      attempts: attempt + 1,
      context,
    });
  }
}

async function readResponse(
  response: Response,
  described: string,
  callSignal: AbortSignal | undefined,
): Promise<FormattedResponse> {
  const headers = Object.fromEntries(response.headers.entries());
  if (response.status === 204) return { body: null, headers, status: response.status };
  let text: string;
  try {
    text = await response.text();
  } catch (cause) {
    if (callSignal?.aborted) throw abortedError(callSignal);
    throw new ShipgateError(
      "unavailable",
      "GitLab closed the connection while sending its answer",
      {
        request: described,
        cause,
      },
    );
  }
  const type = (response.headers.get("content-type") ?? "").split(";")[0]!.trim();
  if (type !== "application/json") return { body: text, headers, status: response.status };
  try {
    // gitbeaker's own handler turns an empty JSON body into `{}`; keep that.
    const body = (text.length === 0 ? {} : JSON.parse(text)) as ResponseBodyTypes;
    return { body, headers, status: response.status };
  } catch (cause) {
    throw new ShipgateError("invalid_response", "GitLab answered with malformed JSON", {
      request: described,
      status: response.status,
      cause,
    });
  }
}

/**
 * How long the server asked us to wait: `Retry-After` (seconds or an HTTP date) first,
 * then GitLab's `RateLimit-Reset` (Unix seconds). Undefined when it said nothing.
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const asked = parseRetryAfterMs(headers.get("retry-after") ?? undefined, now);
  if (asked !== undefined) return asked;
  const reset = headers.get("ratelimit-reset");
  if (reset !== null && /^\d+$/.test(reset.trim())) return Math.max(0, Number(reset) * 1000 - now);
  return undefined;
}
