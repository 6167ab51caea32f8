import { AsyncLocalStorage } from "node:async_hooks";
import type { RequestOptions } from "node:http";
import {
  abortedError,
  backoffDelayMs,
  type HttpTransportOptions,
  parseRetryAfterMs,
  pause,
  ShipgateError,
} from "@shipgate/core";
import type {
  IRequestHandler,
  IRequestOptions,
} from "azure-devops-node-api/interfaces/common/VsoBaseInterfaces.js";
import { type AzureErrorContext, azureHttpError } from "./azure-errors.js";

/**
 * Retries, waits and timeouts of the Azure DevOps adapter. Defaults: 4 retries, 500 ms first
 * backoff, 60 s longest `Retry-After` / `X-RateLimit-Reset` wait, 30 s per request.
 */
export type AzureTransportOptions = HttpTransportOptions;

/** What the transport knows about the call in flight. */
interface CallContext {
  signal: AbortSignal;
  /** `METHOD /path?query` of the last request sent, for error messages. */
  lastRequest?: string;
}

const callContext = new AsyncLocalStorage<CallContext>();

/** Runs `work` with the caller's signal attached to every request the client sends inside it. */
export function withAzureCallSignal<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  return callContext.run({ signal }, work);
}

/** The caller's signal of the current call, if any. */
export function currentAzureSignal(): AbortSignal | undefined {
  return callContext.getStore()?.signal;
}

/** The last request sent in the current call, as `METHOD /path?query`. */
export function lastAzureRequest(): string | undefined {
  return callContext.getStore()?.lastRequest;
}

/**
 * The request handler given to azure-devops-node-api. It wraps the PAT handler and adds what
 * typed-rest-client lacks: the caller's `AbortSignal` and a per-request timeout (as the
 * `signal` option of `http.request`, so an abort really closes the socket), and a hook for
 * counting requests. It is installed as the WebApi's auth handler so that the client's own
 * location lookups (`OPTIONS /_apis/<area>`, `GET /_apis/ResourceAreas`) go through it too.
 */
export function createAzureRequestHandler(
  auth: IRequestHandler,
  transport: AzureTransportOptions,
): IRequestHandler {
  const timeoutMs = transport.requestTimeoutMs ?? 30_000;
  return {
    prepareRequest(options: RequestOptions) {
      auth.prepareRequest(options);
      const context = callContext.getStore();
      const signals = [AbortSignal.timeout(timeoutMs)];
      if (context) signals.push(context.signal);
      options.signal = AbortSignal.any(signals);
      const method = String(options.method ?? "GET");
      const path = String(options.path ?? "");
      if (context) context.lastRequest = `${method} ${path}`;
      transport.onRequest?.({ method, path });
    },
    canHandleAuthentication: () => false,
    handleAuthentication: async () => {
      throw new Error("not supported");
    },
  };
}

/** The options azure-devops-node-api passes to typed-rest-client: its own retries stay off. */
export function azureClientOptions(): IRequestOptions {
  // typed-rest-client retries only GET on 502/503/504 and a few socket errors, with 10–320 ms
  // waits, never on 429 and never honouring Retry-After; we retry ourselves (see below).
  return { allowRetries: false, socketTimeout: 120_000 };
}

/** What a typed-rest-client failure carries. */
interface RestError {
  statusCode?: number;
  result?: unknown;
  responseHeaders?: Record<string, string | string[] | undefined>;
  message?: string;
  code?: string;
  name?: string;
}

/**
 * Soft throttling: Azure DevOps answers a delayed (not yet refused) request with a `Retry-After`
 * header on a *successful* response, and announces `X-RateLimit-Remaining: 0` before refusing.
 * The client is instrumented to pass those headers here; the next request waits.
 */
export class AzureThrottle {
  private resumeAt = 0;
  constructor(private readonly maxWaitMs: number) {}

  /** Records the rate-limit headers of any response. */
  observe(headers: Record<string, string | string[] | undefined>, now: number = Date.now()): void {
    const wait = retryAfterMs(headers, now);
    if (wait !== undefined && wait > 0)
      this.resumeAt = Math.max(this.resumeAt, now + Math.min(wait, this.maxWaitMs));
  }

  /** Waits until the server's last request to slow down has passed. */
  async ready(signal: AbortSignal | undefined): Promise<void> {
    const wait = this.resumeAt - Date.now();
    if (wait > 0) await pause(wait, signal);
  }
}

/**
 * Runs one client call with retries: 429 (after `Retry-After` / `X-RateLimit-Reset`), 5xx and
 * network errors and timeouts (with exponential backoff and jitter, bounded). Writes
 * (`idempotent: false`) are retried only on 429 and 503, which Azure DevOps answers before
 * doing anything. 401/403/404/409/400 stop at once.
 */
export async function withAzureRetries<T>(
  work: () => Promise<T>,
  options: {
    idempotent: boolean;
    transport: AzureTransportOptions;
    context: AzureErrorContext;
    throttle?: AzureThrottle;
  },
): Promise<T> {
  const { transport, context } = options;
  const maxRetries = transport.maxRetries ?? 4;
  const baseDelay = transport.retryBaseDelayMs ?? 500;
  const maxWait = transport.maxRetryWaitMs ?? 60_000;
  const signal = currentAzureSignal();
  for (let attempt = 0; ; attempt += 1) {
    if (signal?.aborted) throw abortedError(signal);
    await options.throttle?.ready(signal);
    try {
      return await work();
    } catch (thrown) {
      if (signal?.aborted) throw abortedError(signal);
      if (ShipgateError.isInstance(thrown)) throw thrown;
      const error = (thrown ?? {}) as RestError;
      const request = lastAzureRequest();
      const status = typeof error.statusCode === "number" ? error.statusCode : undefined;
      if (status !== undefined) {
        const headers = error.responseHeaders ?? {};
        const asked = retryAfterMs(headers);
        const retryable = status === 429 || status === 503 || (status >= 500 && options.idempotent);
        if (retryable && attempt < maxRetries && (asked === undefined || asked <= maxWait)) {
          await pause(asked ?? backoffDelayMs(baseDelay, attempt), signal);
          continue;
        }
        throw azureHttpError({
          status,
          request,
          body: error.result,
          message: error.message,
          retryAfterMs: asked,
          attempts: attempt + 1,
          context,
        });
      }
      // The client could not negotiate the API location: the URL is not an organization.
      if (
        /Failed to find api location|Could not find information for resource area|Failed to retrieve resource areas/.test(
          error.message ?? "",
        )
      ) {
        throw new ShipgateError(
          "not_found",
          `${context.orgUrl} does not answer like an Azure DevOps organization or collection`,
          {
            field: "with.org_url",
            ...(request ? { request } : {}),
            vendorMessage: String(error.message).slice(0, 300),
            hint: "Use https://dev.azure.com/<organization> (or https://<server>/<collection> for Azure DevOps Server)",
            cause: thrown,
          },
        );
      }
      // No status: the request never got an answer (socket error, our timeout, bad JSON).
      const timedOut =
        error.name === "AbortError" ||
        error.code === "ABORT_ERR" ||
        /timeout/i.test(error.message ?? "");
      if (error instanceof SyntaxError) {
        throw new ShipgateError("invalid_response", "Azure DevOps answered with malformed JSON", {
          ...(request ? { request } : {}),
          cause: thrown,
        });
      }
      if (options.idempotent && attempt < maxRetries) {
        await pause(backoffDelayMs(baseDelay, attempt), signal);
        continue;
      }
      throw timedOut
        ? new ShipgateError(
            "timeout",
            `Azure DevOps did not answer in time (${attempt + 1} attempts)`,
            {
              ...(request ? { request } : {}),
              cause: thrown,
            },
          )
        : new ShipgateError(
            "unavailable",
            `Could not reach Azure DevOps (${attempt + 1} attempts)`,
            {
              ...(request ? { request } : {}),
              vendorMessage: String(error.message ?? thrown).slice(0, 300),
              cause: thrown,
            },
          );
    }
  }
}

function header(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * How long Azure DevOps asked us to wait: `Retry-After` (seconds or an HTTP date), else
 * `X-RateLimit-Reset` (Unix seconds) when `X-RateLimit-Remaining` is 0 or on a 429.
 */
export function retryAfterMs(
  headers: Record<string, string | string[] | undefined>,
  now: number = Date.now(),
): number | undefined {
  const asked = parseRetryAfterMs(header(headers, "retry-after"), now);
  if (asked !== undefined) return asked;
  const remaining = header(headers, "x-ratelimit-remaining");
  const reset = header(headers, "x-ratelimit-reset");
  if (
    reset !== undefined &&
    /^\d+$/.test(reset.trim()) &&
    (remaining === undefined || Number(remaining) <= 0)
  ) {
    return Math.max(0, Number(reset) * 1000 - now);
  }
  return undefined;
}
