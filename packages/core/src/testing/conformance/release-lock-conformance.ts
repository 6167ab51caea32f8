import { expect, it } from "vitest";
import type { LockHandle, LockHolder, ReleaseLock } from "../../contracts/release-lock.js";
import {
  type ConformanceCleanup,
  defineConformanceSuite,
  expectErrorKind,
  itResolvesAbortedWhenSignalFired,
  uniqueServiceName,
} from "./conformance-suite.js";
import { expectOk, liveSignal, settle } from "./run-safely.js";

/** What a ReleaseLock adapter's test provides. */
export interface ReleaseLockConformanceSetup extends ConformanceCleanup {
  /** A fresh lock client on the same backend (two clients stand for two CI runners). */
  makeLock: () => ReleaseLock;
  /** Make the current holder of `service`'s lock dead or expired. */
  makeStale?: (service: string) => Promise<void>;
}

let counter = 0;
function holder(version: string): LockHolder {
  counter += 1;
  return {
    id: `conformance-${process.pid}-${counter}`,
    host: "conformance-host",
    pid: process.pid,
    startedAt: new Date().toISOString(),
    version,
  };
}

/** The shared suite every {@link ReleaseLock} runs against itself. */
export const describeReleaseLockConformance = defineConformanceSuite<ReleaseLockConformanceSetup>(
  "ReleaseLock",
  (s) => {
    const o = () => ({ signal: liveSignal() });
    /** A fresh client on the backend. */
    const newLock = () => s().makeLock();
    /** A service whose lock a dead holder left behind, or null when the backend cannot stage one. */
    const leftByDeadHolder = async () => {
      const { makeStale } = s();
      if (!makeStale) return null;
      const svc = uniqueServiceName();
      const dead = holder("v1");
      expectOk(await acquire(newLock(), svc, dead));
      await makeStale(svc);
      return { svc, dead };
    };
    /** A service no case used before, and two clients on it standing for two CI runners. */
    const twoRunners = () => ({ svc: uniqueServiceName(), a: newLock(), b: newLock() });
    /** Tries to take `service`'s lock for `who` through `lock`. */
    const acquire = (lock: ReleaseLock, service: string, who: LockHolder) =>
      settle(() => lock.acquire({ service, holder: who }, o()));
    /** Gives a lock back through `lock`, which must succeed. */
    const release = async (lock: ReleaseLock, handle: LockHandle) => {
      expectOk(await settle(() => lock.release(handle, o())));
    };

    it("lets one holder in and tells the second who holds it", async () => {
      const { svc, a, b } = twoRunners();
      const first = holder("v1.0.0");
      const handle = expectOk(await acquire(a, svc, first));
      expect(handle.service).toBe(svc);
      const second = await acquire(b, svc, holder("v1.0.1"));
      expectErrorKind(second, "lock_held");
      if (!second.ok)
        expect((second.error.details?.holder as LockHolder | undefined)?.id).toBe(first.id);
      await release(a, handle);
    });

    it("lets the next holder in once released, and release is idempotent", async () => {
      const { svc, a, b } = twoRunners();
      const handle = expectOk(await acquire(a, svc, holder("v1")));
      await release(a, handle);
      await release(a, handle);
      const next = expectOk(await acquire(b, svc, holder("v2")));
      await release(b, next);
    });

    it("keeps services independent", async () => {
      const lock = newLock();
      const h1 = expectOk(await acquire(lock, uniqueServiceName(), holder("v1")));
      const h2 = expectOk(await acquire(lock, uniqueServiceName(), holder("v1")));
      await release(lock, h1);
      await release(lock, h2);
    });

    it("does not let a holder release someone else's lock", async () => {
      const { svc, a, b } = twoRunners();
      const handle = expectOk(await acquire(a, svc, holder("v1")));
      const forged = { ...handle, holder: holder("v9") };
      await release(b, forged);
      const still = await acquire(b, svc, holder("v2"));
      expect(still.ok).toBe(false);
      await release(a, handle);
    });

    it("shows who holds a lock without taking it, when it can inspect", async () => {
      const lock = newLock();
      if (!lock.inspect) return;
      const svc = uniqueServiceName();
      expect(expectOk(await settle(() => lock.inspect!(svc, o())))).toBeNull();
      const first = holder("v1");
      const handle = expectOk(await acquire(newLock(), svc, first));
      const seen = expectOk(await settle(() => lock.inspect!(svc, o())));
      expect(seen?.holder?.id).toBe(first.id);
      expect(seen?.stale).toBe(false);
      // Looking did not take it: another holder is still refused.
      const other = await acquire(newLock(), svc, holder("v2"));
      expect(other.ok).toBe(false);
      await release(newLock(), handle);
      expect(expectOk(await settle(() => lock.inspect!(svc, o())))).toBeNull();
    });

    it("takes over a stale lock and says from whom", async () => {
      const stale = await leftByDeadHolder();
      if (!stale) return;
      const { svc, dead } = stale;
      const taken = expectOk(await acquire(newLock(), svc, holder("v2")));
      expect(taken.tookOverFrom?.id).toBe(dead.id);
      await release(newLock(), taken);
    });

    it("lets exactly one of two runners racing for the same stale lock take it over", async () => {
      const stale = await leftByDeadHolder();
      if (!stale) return;
      const { svc } = stale;
      const [a, b] = await Promise.all([
        acquire(newLock(), svc, holder("recovery-a")),
        acquire(newLock(), svc, holder("recovery-b")),
      ]);
      const winners = [a, b].filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      const loser = [a, b].find((r) => !r.ok);
      if (loser && !loser.ok) expect(loser.error.kind).toBe("lock_held");
      const won = winners[0]!;
      if (won.ok) await release(newLock(), won.value);
    });

    itResolvesAbortedWhenSignalFired((signal) => [
      () => newLock().acquire({ service: uniqueServiceName(), holder: holder("v1") }, { signal }),
    ]);
  },
);
