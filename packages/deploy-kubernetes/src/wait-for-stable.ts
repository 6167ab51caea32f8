import { abortedError, ShipgateError } from "@shipgate/core";
import { errAsync, ResultAsync } from "neverthrow";
import type { KubeClients } from "./kube-clients.js";
import { isRetryableStatus, kubeStatusError } from "./kube-errors.js";
import { sleepUnlessAborted } from "./kube-request.js";

/** What a predicate says about the object's current state. */
export type WaitDecision =
  /** Not yet; `progress` is the latest state in words (the controller's message). */
  | { kind: "wait"; progress: string }
  | { kind: "done" }
  /** A terminal state that will not resolve by itself (Degraded, deleted, …). */
  | { kind: "fail"; error: ShipgateError };

/** Options of {@link waitForStable}. */
export interface WaitForStableOptions<T extends { metadata?: { resourceVersion?: string } }> {
  clients: KubeClients;
  /** The collection, e.g. `/apis/argoproj.io/v1alpha1/namespaces/shop/rollouts`. */
  collectionPath: string;
  name: string;
  /** Reads the object now (`null` when it does not exist). */
  read: (signal: AbortSignal) => ResultAsync<T | null, ShipgateError>;
  /** Judges a state; `null` means the object is gone. */
  evaluate: (object: T | null) => WaitDecision;
  /** The bound on the whole wait. */
  timeoutMs: number;
  signal: AbortSignal;
  /** What we wait for, in words: `Rollout "api" to pause at 25%`. */
  what: string;
}

type WatchOutcome =
  | { type: "done" }
  | { type: "fail"; error: ShipgateError }
  | { type: "closed" }
  | { type: "timeout" }
  | { type: "aborted" };

/**
 * Waits until `evaluate` says done or fail: reads the object once, then follows it with a
 * Kubernetes watch (`?watch=true&fieldSelector=metadata.name=NAME&resourceVersion=…`),
 * re-reading and re-watching when the server closes the stream. Never polls in a loop;
 * bounded by `timeoutMs`; resolves to `aborted` as soon as `signal` fires.
 */
export function waitForStable<T extends { metadata?: { resourceVersion?: string } }>(
  options: WaitForStableOptions<T>,
): ResultAsync<void, ShipgateError> {
  const { signal } = options;
  if (signal.aborted) return errAsync(abortedError(signal));
  const deadline = Date.now() + options.timeoutMs;
  let lastProgress = "no state read yet";

  const timeoutError = () =>
    new ShipgateError(
      "timeout",
      `Timed out after ${Math.round(options.timeoutMs / 100) / 10}s waiting for ${options.what}; last state: ${lastProgress}`,
      { hint: "Raise timeouts.step_seconds, or look at the controller's events for the object" },
    );

  const judge = (object: T | null): WatchOutcome | null => {
    const decision = options.evaluate(object);
    if (decision.kind === "done") return { type: "done" };
    if (decision.kind === "fail") return { type: "fail", error: decision.error };
    lastProgress = decision.progress;
    return null;
  };

  const watchOnce = (resourceVersion: string | undefined): Promise<WatchOutcome> =>
    new Promise((resolve) => {
      let finished = false;
      let controller: AbortController | null = null;
      const remaining = deadline - Date.now();
      const finish = (outcome: WatchOutcome) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        controller?.abort();
        resolve(outcome);
      };
      const onAbort = () => finish({ type: "aborted" });
      const timer = setTimeout(() => finish({ type: "timeout" }), Math.max(0, remaining));
      signal.addEventListener("abort", onAbort, { once: true });
      options.clients.watch
        .watch(
          options.collectionPath,
          {
            fieldSelector: `metadata.name=${options.name}`,
            resourceVersion,
            allowWatchBookmarks: true,
            // The server ends the stream a little after our own bound.
            timeoutSeconds: Math.max(1, Math.ceil(remaining / 1000) + 1),
          },
          (type: string, object: unknown) => {
            if (finished) return;
            if (type === "BOOKMARK") return;
            if (type === "ERROR") {
              const status = object as { code?: number };
              // 410 Gone: our resourceVersion is too old; re-read and watch again.
              if (status.code === 410 || (status.code && isRetryableStatus(status.code))) {
                finish({ type: "closed" });
              } else {
                finish({
                  type: "fail",
                  error: kubeStatusError(status.code ?? 500, object, {
                    request: `WATCH ${options.collectionPath}`,
                    context: options.clients.context,
                    namespace: options.clients.namespace,
                  }),
                });
              }
              return;
            }
            const outcome = judge(type === "DELETED" ? null : (object as T));
            if (outcome) finish(outcome);
          },
          (error: unknown) => {
            if (finished) return;
            const code = (error as { statusCode?: number } | null)?.statusCode;
            if (code !== undefined && !isRetryableStatus(code) && code !== 410) {
              finish({
                type: "fail",
                error: kubeStatusError(code, undefined, {
                  request: `WATCH ${options.collectionPath}`,
                  context: options.clients.context,
                  namespace: options.clients.namespace,
                }),
              });
            } else {
              finish({ type: "closed" });
            }
          },
        )
        .then((c) => {
          controller = c;
          if (finished) c.abort();
        })
        .catch(() => finish({ type: "closed" }));
    });

  const run = async (): Promise<void> => {
    for (let round = 0; ; round++) {
      if (signal.aborted) throw abortedError(signal);
      if (Date.now() >= deadline) throw timeoutError();
      const readSignal = AbortSignal.any([
        signal,
        AbortSignal.timeout(Math.max(1, deadline - Date.now())),
      ]);
      const read = await options.read(readSignal);
      if (read.isErr()) {
        if (signal.aborted) throw abortedError(signal);
        if (read.error.kind === "aborted" || read.error.kind === "timeout") throw timeoutError();
        throw read.error;
      }
      const first = judge(read.value);
      if (first?.type === "done") return;
      if (first?.type === "fail") throw first.error;
      const outcome = await watchOnce(read.value?.metadata?.resourceVersion);
      if (outcome.type === "done") return;
      if (outcome.type === "fail") throw outcome.error;
      if (outcome.type === "aborted") throw abortedError(signal);
      if (outcome.type === "timeout") throw timeoutError();
      // The stream closed (server timeout, 410, transient failure): back off a little, re-read.
      const backoff = Math.min(
        25 * 2 ** Math.min(round, 6),
        1000,
        Math.max(0, deadline - Date.now()),
      );
      if (!(await sleepUnlessAborted(backoff, signal))) throw abortedError(signal);
    }
  };

  return ResultAsync.fromPromise(run(), (thrown) =>
    ShipgateError.isInstance(thrown)
      ? thrown
      : new ShipgateError("internal", `Waiting for ${options.what} failed: ${String(thrown)}`, {
          cause: thrown,
        }),
  );
}
