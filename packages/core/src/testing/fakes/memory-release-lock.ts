import type { LockHolder, ReleaseLock } from "../../contracts/release-lock.js";
import { ShipgateError } from "../../errors/shipgate-error.js";
import { guarded } from "./guard.js";

/** Shared state of memory locks: several lock clients on one "backend". */
export interface MemoryLockBackend {
  holders: Map<string, LockHolder & { stale?: boolean }>;
  /** Each holder's `lost` signal, by holder id: a takeover fires the previous holder's. */
  lost: Map<string, AbortController>;
}

/** Creates a backend shared by {@link createMemoryReleaseLock} clients. */
export function createMemoryLockBackend(): MemoryLockBackend {
  return { holders: new Map(), lost: new Map() };
}

/** A {@link ReleaseLock} in memory. Mark a holder `stale` in the backend to simulate a dead process. */
export function createMemoryReleaseLock(
  backend: MemoryLockBackend = createMemoryLockBackend(),
): ReleaseLock & { backend: MemoryLockBackend } {
  return {
    name: "memory",
    backend,
    acquire({ service, holder }, { signal }) {
      return guarded(signal, () => {
        const current = backend.holders.get(service);
        if (current && !current.stale) {
          return new ShipgateError(
            "lock_held",
            `release lock for ${service} is held by ${current.host}:${current.pid} (${current.version}) since ${current.startedAt}`,
            {
              details: { holder: { ...current } },
              hint: "Wait for that release to finish",
            },
          );
        }
        backend.holders.set(service, { ...holder });
        const { stale: _stale, ...previous } = current ?? ({} as LockHolder & { stale?: boolean });
        // The holder presumed dead learns it lost the lock (as a renewing lock's next beat would).
        if (current) {
          backend.lost
            .get(current.id)
            ?.abort(
              new ShipgateError(
                "conflict",
                `the release lock of ${service} was taken over by ${holder.host}:${holder.pid}`,
              ),
            );
          backend.lost.delete(current.id);
        }
        const lost = new AbortController();
        backend.lost.set(holder.id, lost);
        return {
          service,
          holder,
          ref: `memory:${service}`,
          tookOverFrom: current ? (previous as LockHolder) : undefined,
          lost: lost.signal,
        };
      });
    },
    inspect(service, { signal }) {
      return guarded(signal, () => {
        const current = backend.holders.get(service);
        if (!current) return null;
        const { stale, ...holder } = current;
        return { holder, stale: stale === true, why: stale ? "marked stale" : "held" };
      });
    },
    release(handle, { signal }) {
      return guarded(signal, () => {
        if (backend.holders.get(handle.service)?.id === handle.holder.id) {
          backend.holders.delete(handle.service);
          backend.lost.delete(handle.holder.id);
        }
        return undefined;
      });
    },
  };
}
