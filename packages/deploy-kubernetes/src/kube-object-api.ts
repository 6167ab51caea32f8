import { type ShipgateError, toShipgateError } from "@shipgate/core";
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import type { KubeClients } from "./kube-clients.js";

/** A namespaced resource type, as the REST path names it. */
export interface ResourceKind {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

/** `argoproj.io/v1alpha1` Rollouts. */
export const ROLLOUTS: ResourceKind = {
  group: "argoproj.io",
  version: "v1alpha1",
  plural: "rollouts",
  kind: "Rollout",
};
/** `apps/v1` Deployments. */
export const DEPLOYMENTS: ResourceKind = {
  group: "apps",
  version: "v1",
  plural: "deployments",
  kind: "Deployment",
};
/** `apps/v1` ReplicaSets. */
export const REPLICA_SETS: ResourceKind = {
  group: "apps",
  version: "v1",
  plural: "replicasets",
  kind: "ReplicaSet",
};

/** Plain-JSON access to one resource type in the clients' namespace. */
export interface ObjectApi<T> {
  readonly kind: ResourceKind;
  /** `/apis/{group}/{version}/namespaces/{ns}/{plural}` — for watches. */
  readonly collectionPath: string;
  get(name: string, signal: AbortSignal): ResultAsync<T, ShipgateError>;
  /** Like `get`, but a missing object is `null`, not an error. */
  find(name: string, signal: AbortSignal): ResultAsync<T | null, ShipgateError>;
  /** All objects matching a label selector, following `continue` tokens. */
  list(labelSelector: string, signal: AbortSignal): ResultAsync<T[], ShipgateError>;
  create(body: unknown, signal: AbortSignal): ResultAsync<T, ShipgateError>;
  replace(name: string, body: unknown, signal: AbortSignal): ResultAsync<T, ShipgateError>;
  patch(
    name: string,
    body: unknown,
    contentType: string,
    signal: AbortSignal,
  ): ResultAsync<T, ShipgateError>;
  patchStatus(
    name: string,
    body: unknown,
    contentType: string,
    signal: AbortSignal,
  ): ResultAsync<T, ShipgateError>;
  /** Deletes with optional preconditions; a missing object is fine. */
  delete(
    name: string,
    signal: AbortSignal,
    preconditions?: { resourceVersion?: string },
  ): ResultAsync<void, ShipgateError>;
}

const PAGE_SIZE = 250;

/**
 * Access through the client's generic object API (`CustomObjectsApi`, which serves any
 * `/apis/{group}/{version}` path — built-in groups included). Objects stay plain JSON, so
 * a read-modify-write never drops fields the client's generated models do not know
 * (the same reason the Argo Rollouts plugin uses the dynamic client).
 */
export function objectApi<T>(clients: KubeClients, kind: ResourceKind): ObjectApi<T> {
  const ns = clients.namespace;
  const base = { group: kind.group, version: kind.version, namespace: ns, plural: kind.plural };
  const collectionPath = `/apis/${kind.group}/${kind.version}/namespaces/${ns}/${kind.plural}`;
  const co = clients.customObjects;
  const get = (name: string, signal: AbortSignal) =>
    clients.request<T>(`GET ${collectionPath}/${name}`, signal, (o) =>
      co.getNamespacedCustomObject({ ...base, name }, o),
    );
  return {
    kind,
    collectionPath,
    get,
    find(name, signal) {
      return get(name, signal)
        .map((v): T | null => v)
        .orElse((e) => (e.kind === "not_found" ? okAsync(null) : errAsync(e)));
    },
    list(labelSelector, signal) {
      const all: T[] = [];
      const page = (token: string | undefined): ResultAsync<T[], ShipgateError> =>
        clients
          .request<{ items?: T[]; metadata?: { continue?: string } }>(
            `GET ${collectionPath}?labelSelector=${labelSelector}`,
            signal,
            (o) =>
              co.listNamespacedCustomObject(
                {
                  ...base,
                  labelSelector: labelSelector || undefined,
                  limit: PAGE_SIZE,
                  _continue: token,
                },
                o,
              ),
          )
          .andThen((list) => {
            all.push(...(list.items ?? []));
            const next = list.metadata?.continue;
            return next ? page(next) : okAsync(all);
          });
      return page(undefined);
    },
    create(body, signal) {
      return clients.request<T>(`POST ${collectionPath}`, signal, (o) =>
        co.createNamespacedCustomObject({ ...base, body: body as object }, o),
      );
    },
    replace(name, body, signal) {
      return clients.request<T>(`PUT ${collectionPath}/${name}`, signal, (o) =>
        co.replaceNamespacedCustomObject({ ...base, name, body: body as object }, o),
      );
    },
    patch(name, body, contentType, signal) {
      return clients.request<T>(
        `PATCH ${collectionPath}/${name}`,
        signal,
        (o) => co.patchNamespacedCustomObject({ ...base, name, body: body as object }, o),
        contentType,
      );
    },
    patchStatus(name, body, contentType, signal) {
      return clients.request<T>(
        `PATCH ${collectionPath}/${name}/status`,
        signal,
        (o) => co.patchNamespacedCustomObjectStatus({ ...base, name, body: body as object }, o),
        contentType,
      );
    },
    delete(name, signal, preconditions) {
      return clients
        .request<unknown>(`DELETE ${collectionPath}/${name}`, signal, (o) =>
          co.deleteNamespacedCustomObject(
            { ...base, name, body: preconditions ? { preconditions } : undefined },
            o,
          ),
        )
        .map(() => undefined)
        .orElse((e) => (e.kind === "not_found" ? okAsync(undefined) : errAsync(e)));
    },
  };
}

/** Wraps a value-or-error producing function so a thrown bug becomes an `internal` error. */
export function safely<T>(run: () => ResultAsync<T, ShipgateError>): ResultAsync<T, ShipgateError> {
  try {
    return run();
  } catch (thrown) {
    return errAsync(toShipgateError(thrown, "Kubernetes deployer bug"));
  }
}
