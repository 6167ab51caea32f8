import { type V1Lease, V1MicroTime } from "@kubernetes/client-node";
import {
  abortedError,
  type CallOptions,
  type LockHandle,
  type LockHolder,
  type LockState,
  type ReleaseLock,
  ShipgateError,
} from "@shipgate/core";
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import type { KubeClients } from "./kube-clients.js";
import { safely } from "./kube-object-api.js";
import { shipgateLease } from "./shipgate-lease.js";

/** Annotation on the Lease holding the full {@link LockHolder} as JSON. */
export const LEASE_HOLDER_ANNOTATION = "shipgate.dev/holder";
/** Annotation on the Lease naming the service it locks. */
export const LEASE_SERVICE_ANNOTATION = "shipgate.dev/service";

/** Options of {@link createKubernetesLeaseLock}. */
export interface KubernetesLeaseLockOptions {
  /** Clients of the context and namespace the Leases live in. */
  clients: KubeClients;
  /** How long a holder that stops renewing keeps the lock (default 60). */
  leaseDurationSeconds?: number;
  /** Lease name prefix; the service name follows (default `shipgate-release-`). */
  namePrefix?: string;
  /** Renewal period (default a third of the lease duration). */
  renewEveryMs?: number;
  /** Clock, for tests (default `Date.now`). */
  now?: () => number;
}

/** A {@link ReleaseLock} on Kubernetes Leases; `close` stops every renewal timer. */
export interface KubernetesLeaseLock extends ReleaseLock {
  /** Stops renewing every lease this instance holds (they then expire on their own). */
  close(): void;
}

/** The Lease name for a service: `shipgate-release-<service>`, made a valid object name. */
export function leaseNameFor(service: string, prefix = "shipgate-release-"): string {
  const cleaned = `${prefix}${service}`
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "");
  return cleaned.slice(0, 253).replace(/[^a-z0-9]+$/, "");
}

function timeOf(value: unknown): number | null {
  if (value instanceof Date) return value.getTime();
  if (typeof value === "string") {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

/** The holder recorded on a Lease (from our annotation, or what `spec` alone says). */
export function leaseHolder(lease: V1Lease): LockHolder | null {
  const id = lease.spec?.holderIdentity;
  if (!id) return null;
  const raw = lease.metadata?.annotations?.[LEASE_HOLDER_ANNOTATION];
  if (raw) {
    try {
      const parsed = JSON.parse(raw) as LockHolder;
      if (parsed.id === id) return parsed;
    } catch {
      // fall through: another client wrote the Lease
    }
  }
  const acquired = timeOf(lease.spec?.acquireTime);
  return {
    id,
    host: "",
    pid: 0,
    startedAt: acquired ? new Date(acquired).toISOString() : "",
    version: "",
  };
}

/** When the Lease expires: `renewTime + leaseDurationSeconds` (ms since epoch), or null if never renewed. */
export function leaseExpiry(lease: V1Lease): number | null {
  const renewed = timeOf(lease.spec?.renewTime) ?? timeOf(lease.spec?.acquireTime);
  if (renewed === null) return null;
  return renewed + (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
}

/**
 * A {@link ReleaseLock} on `coordination.k8s.io/v1` Lease objects, one per service
 * (`shipgate-release-<service>`): the lock for teams whose releases run on many CI runners.
 * Acquire creates the Lease (409 AlreadyExists → someone holds it), or takes an expired one
 * over with an update carrying the `resourceVersion` it read (409 Conflict → someone else
 * won). While held, a timer (unref'd) renews `renewTime` every third of the duration;
 * release stops it and deletes the Lease with a resourceVersion precondition.
 *
 * @example
 * ```ts
 * const lock = createKubernetesLeaseLock({ clients, leaseDurationSeconds: 60 });
 * const handle = await lock.acquire({ service: "shop", holder }, { signal });
 * ```
 */
export function createKubernetesLeaseLock(
  options: KubernetesLeaseLockOptions,
): KubernetesLeaseLock {
  const { clients } = options;
  const namespace = clients.namespace;
  const duration = options.leaseDurationSeconds ?? 60;
  const renewEvery = options.renewEveryMs ?? Math.max(1, Math.floor((duration * 1000) / 3));
  const now = options.now ?? Date.now;
  const prefix = options.namePrefix ?? "shipgate-release-";
  const api = clients.coordination;
  const renewals = new Map<
    string,
    { timer: NodeJS.Timeout; stopped: boolean; lost: AbortController }
  >();
  const path = (name: string) =>
    `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}`;

  const read = (name: string, signal: AbortSignal): ResultAsync<V1Lease | null, ShipgateError> =>
    clients
      .request<V1Lease | null>(`GET ${path(name)}`, signal, (o) =>
        api.readNamespacedLease({ name, namespace }, o),
      )
      .orElse((e) => (e.kind === "not_found" ? okAsync(null) : errAsync(e)));

  const lockHeld = (service: string, name: string, lease: V1Lease) => {
    const holder = leaseHolder(lease);
    const expiry = leaseExpiry(lease);
    const expiresAt = expiry === null ? null : new Date(expiry).toISOString();
    const who = holder
      ? `${holder.id}${holder.host ? ` on ${holder.host}` : ""}${holder.version ? ` (releasing ${holder.version})` : ""}`
      : "another holder";
    return new ShipgateError("lock_held", `The release lock of "${service}" is held by ${who}`, {
      details: { holder, lease: `${namespace}/${name}`, expiresAt },
      hint: `Wait for that release to finish; if its runner died, the Lease ${namespace}/${name} is taken over after ${expiresAt ?? "it expires"}`,
    });
  };

  const stopRenewal = (name: string, holderId: string) => {
    const key = `${name}|${holderId}`;
    const renewal = renewals.get(key);
    if (renewal) {
      renewal.stopped = true; // a tick already in flight must not write after this
      clearInterval(renewal.timer);
    }
    renewals.delete(key);
  };

  /** Renews the Lease while held; the signal fires when a renewal finds it in other hands. */
  const startRenewal = (name: string, holderId: string): AbortSignal => {
    const key = `${name}|${holderId}`;
    const running = renewals.get(key);
    if (running) return running.lost.signal;
    let busy = false;
    const renewal = {
      timer: undefined as unknown as NodeJS.Timeout,
      stopped: false,
      lost: new AbortController(),
    };
    renewal.timer = setInterval(() => {
      if (busy || renewal.stopped) return;
      busy = true;
      const signal = AbortSignal.timeout(Math.max(renewEvery, 1000));
      read(name, signal)
        .andThen((lease) => {
          if (renewal.stopped) return okAsync(undefined);
          if (!lease || lease.spec?.holderIdentity !== holderId) {
            // Taken over while this holder stalled past the Lease's duration (or deleted):
            // the run must stop at once, changing nothing more.
            const other = lease ? leaseHolder(lease) : null;
            renewal.lost.abort(
              new ShipgateError(
                "conflict",
                other
                  ? `The Lease ${namespace}/${name} is now held by ${other.id}${other.host ? ` on ${other.host}` : ""}: this run was presumed dead and taken over`
                  : `The Lease ${namespace}/${name} was deleted while this run held it`,
              ),
            );
            stopRenewal(name, holderId);
            return okAsync(undefined);
          }
          const body: V1Lease = {
            ...lease,
            spec: { ...lease.spec, renewTime: new V1MicroTime(now()) },
          };
          return clients
            .request(`PUT ${path(name)}`, signal, (o) =>
              api.replaceNamespacedLease({ name, namespace, body }, o),
            )
            .map(() => undefined);
        })
        // A failed renewal is retried on the next tick; the lease outlives two misses.
        .match(
          () => {
            busy = false;
          },
          () => {
            busy = false;
          },
        );
    }, renewEvery);
    renewal.timer.unref();
    renewals.set(key, renewal);
    return renewal.lost.signal;
  };

  const newLease = (
    name: string,
    service: string,
    holder: LockHolder,
    transitions: number,
    base?: V1Lease,
  ): V1Lease => {
    const at = new V1MicroTime(now());
    return shipgateLease({
      name,
      namespace,
      base,
      annotations: {
        [LEASE_HOLDER_ANNOTATION]: JSON.stringify(holder),
        [LEASE_SERVICE_ANNOTATION]: service,
      },
      spec: {
        holderIdentity: holder.id,
        leaseDurationSeconds: duration,
        acquireTime: at,
        renewTime: at,
        leaseTransitions: transitions,
      },
    });
  };

  const acquire = (
    request: { service: string; holder: LockHolder },
    { signal }: CallOptions,
  ): ResultAsync<LockHandle, ShipgateError> => {
    if (signal.aborted) return errAsync(abortedError(signal));
    const { service, holder } = request;
    const name = leaseNameFor(service, prefix);
    const handle = (tookOverFrom?: LockHolder): LockHandle => ({
      service,
      holder,
      ref: `${namespace}/${name}`,
      ...(tookOverFrom ? { tookOverFrom } : {}),
      lost: startRenewal(name, holder.id),
    });
    const attempt = (left: number): ResultAsync<LockHandle, ShipgateError> =>
      read(name, signal).andThen((lease) => {
        const retry = (e: ShipgateError) =>
          e.kind === "conflict" && left > 0
            ? attempt(left - 1)
            : errAsync<LockHandle, ShipgateError>(e);
        if (!lease) {
          // 409 AlreadyExists: someone created it between our read and our create.
          return clients
            .request(
              `POST /apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`,
              signal,
              (o) =>
                api.createNamespacedLease(
                  { namespace, body: newLease(name, service, holder, 0) },
                  o,
                ),
            )
            .map(() => handle())
            .orElse(retry);
        }
        const current = leaseHolder(lease);
        if (current?.id === holder.id) return okAsync(handle()); // ours already (e.g. a retried create)
        const expiry = leaseExpiry(lease);
        const free = current === null || expiry === null || expiry < now();
        if (!free) return errAsync(lockHeld(service, name, lease));
        // Take over: an update with the resourceVersion we read; 409 Conflict means another runner won.
        const body = newLease(
          name,
          service,
          holder,
          (lease.spec?.leaseTransitions ?? 0) + (current ? 1 : 0),
          lease,
        );
        body.metadata = { ...body.metadata, resourceVersion: lease.metadata?.resourceVersion };
        return clients
          .request(`PUT ${path(name)}`, signal, (o) =>
            api.replaceNamespacedLease({ name, namespace, body }, o),
          )
          .map(() => handle(current ?? undefined))
          .orElse(retry);
      });
    return safely(() => attempt(3)).orElse((e) =>
      e.kind === "conflict"
        ? errAsync(
            new ShipgateError("lock_held", `The release lock of "${service}" kept changing hands`, {
              cause: e,
              details: { holder: null },
            }),
          )
        : errAsync(e),
    );
  };

  const release = (
    handle: LockHandle,
    { signal }: CallOptions,
  ): ResultAsync<void, ShipgateError> => {
    if (signal.aborted) return errAsync(abortedError(signal));
    const name = leaseNameFor(handle.service, prefix);
    // Stop renewing first, so no renewal lands after the delete. Keyed by holder id: a
    // forged handle (another holder) cannot stop the real holder's renewals.
    stopRenewal(name, handle.holder.id);
    const attempt = (left: number): ResultAsync<void, ShipgateError> =>
      read(name, signal).andThen((lease) => {
        if (!lease || lease.spec?.holderIdentity !== handle.holder.id) return okAsync(undefined);
        return clients
          .request(`DELETE ${path(name)}`, signal, (o) =>
            api.deleteNamespacedLease(
              {
                name,
                namespace,
                body: { preconditions: { resourceVersion: lease.metadata?.resourceVersion } },
              },
              o,
            ),
          )
          .map(() => undefined)
          .orElse((e) =>
            e.kind === "not_found"
              ? okAsync(undefined)
              : e.kind === "conflict" && left > 0
                ? attempt(left - 1)
                : errAsync(e),
          );
      });
    return safely(() => attempt(3));
  };

  /** Read-only: who holds the Lease, and whether it has expired (the next acquire takes it over). */
  const inspect = (
    service: string,
    { signal }: CallOptions,
  ): ResultAsync<LockState | null, ShipgateError> => {
    if (signal.aborted) return errAsync(abortedError(signal));
    const name = leaseNameFor(service, prefix);
    return safely(() =>
      read(name, signal).map((lease): LockState | null => {
        const holder = lease ? leaseHolder(lease) : null;
        if (!lease || !holder) return null;
        const expiry = leaseExpiry(lease);
        const stale = expiry === null || expiry < now();
        const until = expiry === null ? "never renewed" : new Date(expiry).toISOString();
        return {
          holder,
          stale,
          why: stale
            ? `the Lease expired at ${until}`
            : `the Lease is held until ${until} and renewed while its release runs`,
        };
      }),
    );
  };

  return {
    name: "@shipgate/deploy-kubernetes (Lease)",
    acquire,
    release,
    inspect,
    close() {
      for (const renewal of renewals.values()) {
        renewal.stopped = true;
        clearInterval(renewal.timer);
      }
      renewals.clear();
    },
  };
}
