import {
  type ConfigurationOptions,
  Observable,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
} from "@kubernetes/client-node";
import { abortedError, type ShipgateError, toShipgateError } from "@shipgate/core";
import { ResultAsync } from "neverthrow";
import { isRetryableStatus, type KubeRequestContext, kubeThrownError } from "./kube-errors.js";

/** Retry and timeout settings for calls to the API server. */
export interface KubeRequestSettings {
  /** Per-attempt bound. */
  requestTimeoutMs: number;
  /** Attempts after the first for 429, 5xx, timeouts and network failures. */
  maxRetries: number;
  /** Exponential backoff base (attempt n waits base × 2^(n-1)). */
  retryBaseMs: number;
  /** Cap on a server-requested `Retry-After`. */
  maxRetryAfterMs: number;
}

/** Defaults for real clusters. */
export const defaultKubeRequestSettings: KubeRequestSettings = {
  requestTimeoutMs: 30_000,
  maxRetries: 3,
  retryBaseMs: 250,
  maxRetryAfterMs: 10_000,
};

/** Waits `ms`, resolving early (to `false`) when `signal` fires. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Per-request options for the generated client: a middleware that attaches our abort
 * signal (the client's `RequestContext.setSignal`) and, for patches, the content type
 * (the generated client would otherwise pick `application/json-patch+json`).
 */
function requestOptions(signal: AbortSignal, contentType?: string): ConfigurationOptions {
  const middleware: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      context.setSignal(signal);
      if (contentType) context.setHeaderParam("Content-Type", contentType);
      return new Observable(Promise.resolve(context));
    },
    post: (response: ResponseContext) => new Observable(Promise.resolve(response)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: "append" };
}

/** Options of {@link kubeRequest}. */
export interface KubeRequestOptions {
  signal: AbortSignal;
  /** `application/merge-patch+json` or `application/json-patch+json` for patches. */
  contentType?: string;
}

/**
 * Runs one API call through the Kubernetes client with a per-attempt timeout, the
 * caller's abort signal, and bounded retries (honouring `Retry-After`), resolving to a
 * `Result` — it never throws.
 */
export function kubeRequest<T>(
  ctx: KubeRequestContext,
  settings: KubeRequestSettings,
  options: KubeRequestOptions,
  call: (configuration: ConfigurationOptions) => Promise<T>,
): ResultAsync<T, ShipgateError> {
  const run = async (): Promise<T> => {
    const { signal } = options;
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) throw abortedError(signal);
      const attemptController = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        attemptController.abort(new Error("request timeout"));
      }, settings.requestTimeoutMs);
      const onAbort = () => attemptController.abort(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      try {
        return await call(requestOptions(attemptController.signal, options.contentType));
      } catch (thrown) {
        const error = kubeThrownError(thrown, ctx, {
          aborted: signal.aborted,
          timedOut,
          timeoutMs: settings.requestTimeoutMs,
        });
        const retryable =
          error.kind === "timeout" ||
          (error.kind === "unavailable" && error.status === undefined) ||
          (error.status !== undefined && isRetryableStatus(error.status));
        if (!retryable || attempt >= settings.maxRetries) throw error;
        const backoff = settings.retryBaseMs * 2 ** attempt;
        const wait = Math.min(error.retryAfterMs ?? backoff, settings.maxRetryAfterMs);
        if (!(await sleepUnlessAborted(wait, signal))) throw abortedError(signal);
      } finally {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
      }
    }
  };
  return ResultAsync.fromPromise(run(), (thrown) => toShipgateError(thrown));
}
