import {
  type ConfigurationOptions,
  CoordinationV1Api,
  CustomObjectsApi,
  KubeConfig,
  Watch,
} from "@kubernetes/client-node";
import { ShipgateError } from "@shipgate/core";
import { err, ok, type Result, type ResultAsync } from "neverthrow";
import type { KubeRequestContext } from "./kube-errors.js";
import {
  defaultKubeRequestSettings,
  type KubeRequestSettings,
  kubeRequest,
} from "./kube-request.js";

/** JSON merge patch content type (RFC 7386), what the Argo Rollouts plugin sends. */
export const MERGE_PATCH = "application/merge-patch+json";
/** JSON patch content type (RFC 6902), what `undo` sends. */
export const JSON_PATCH = "application/json-patch+json";

/** The API clients of one kube context and namespace, with request settings. */
export interface KubeClients {
  readonly kubeConfig: KubeConfig;
  readonly context: string;
  readonly namespace: string;
  readonly customObjects: CustomObjectsApi;
  readonly coordination: CoordinationV1Api;
  readonly watch: Watch;
  readonly settings: KubeRequestSettings;
  /** Runs one call with retries, timeout and the caller's signal; never throws. */
  request<T>(
    request: string,
    signal: AbortSignal,
    call: (configuration: ConfigurationOptions) => Promise<T>,
    contentType?: string,
  ): ResultAsync<T, ShipgateError>;
}

/**
 * Copies a kubeconfig with `context` as the current context, so the caller's object is
 * never mutated and every client (including `Watch`) talks to that context's cluster.
 */
export function kubeConfigForContext(
  source: KubeConfig,
  context: string,
): Result<KubeConfig, ShipgateError> {
  if (!source.getContextObject(context)) {
    const known = source.getContexts().map((c) => c.name);
    return err(
      new ShipgateError("invalid_input", `The kubeconfig has no context named "${context}"`, {
        field: "with.context",
        hint: known.length
          ? `Known contexts: ${known.join(", ")}`
          : "The kubeconfig lists no contexts",
      }),
    );
  }
  const copy = new KubeConfig();
  copy.loadFromOptions({
    clusters: source.clusters,
    users: source.users,
    contexts: source.contexts,
    currentContext: context,
  });
  if (!copy.getCurrentCluster()) {
    return err(
      new ShipgateError(
        "invalid_input",
        `Context "${context}" names a cluster the kubeconfig lacks`,
        {
          field: "with.context",
        },
      ),
    );
  }
  return ok(copy);
}

/** Builds the clients for a context and namespace. */
export function makeKubeClients(
  kubeConfig: KubeConfig,
  context: string,
  namespace: string,
  settings: Partial<KubeRequestSettings> = {},
): Result<KubeClients, ShipgateError> {
  return kubeConfigForContext(kubeConfig, context).map((kc) => {
    const merged = { ...defaultKubeRequestSettings, ...settings };
    return {
      kubeConfig: kc,
      context,
      namespace,
      customObjects: kc.makeApiClient(CustomObjectsApi),
      coordination: kc.makeApiClient(CoordinationV1Api),
      watch: new Watch(kc),
      settings: merged,
      request(request, signal, call, contentType) {
        const ctx: KubeRequestContext = { request, context, namespace };
        return kubeRequest(ctx, merged, { signal, contentType }, call);
      },
    };
  });
}
