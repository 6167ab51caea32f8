import { expect, it } from "vitest";
import type { LockHolder, ReleaseLock } from "../../contracts/release-lock.js";
import {
  type ConformanceCleanup,
  defineConformanceSuite,
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

    it("lets one holder in and tells the second who holds it", async () => {
      const svc = uniqueServiceName();
      const a = newLock();
      const b = newLock();
      const first = holder("v1.0.0");
      const handle = expectOk(await settle(() => a.acquire({ service: svc, holder: first }, o())));
      expect(handle.service).toBe(svc);
      const second = await settle(() => b.acquire({ service: svc, holder: holder("v1.0.1") }, o()));
      expect(second.ok).toBe(false);
      if (!second.ok) {
        expect(second.error.kind).toBe("lock_held");
        expect((second.error.details?.holder as LockHolder | undefined)?.id).toBe(first.id);
      }
      expectOk(await settle(() => a.release(handle, o())));
    });

    it("lets the next holder in once released, and release is idempotent", async () => {
      const svc = uniqueServiceName();
      const a = newLock();
      const b = newLock();
      const handle = expectOk(
        await settle(() => a.acquire({ service: svc, holder: holder("v1") }, o())),
      );
      expectOk(await settle(() => a.release(handle, o())));
      expectOk(await settle(() => a.release(handle, o())));
      const next = expectOk(
        await settle(() => b.acquire({ service: svc, holder: holder("v2") }, o())),
      );
      expectOk(await settle(() => b.release(next, o())));
    });

    it("keeps services independent", async () => {
      const lock = newLock();
      const h1 = expectOk(
        await settle(() =>
          lock.acquire({ service: uniqueServiceName(), holder: holder("v1") }, o()),
        ),
      );
      const h2 = expectOk(
        await settle(() =>
          lock.acquire({ service: uniqueServiceName(), holder: holder("v1") }, o()),
        ),
      );
      expectOk(await settle(() => lock.release(h1, o())));
      expectOk(await settle(() => lock.release(h2, o())));
    });

    it("does not let a holder release someone else's lock", async () => {
      const svc = uniqueServiceName();
      const a = newLock();
      const b = newLock();
      const handle = expectOk(
        await settle(() => a.acquire({ service: svc, holder: holder("v1") }, o())),
      );
      const forged = { ...handle, holder: holder("v9") };
      expectOk(await settle(() => b.release(forged, o())));
      const still = await settle(() => b.acquire({ service: svc, holder: holder("v2") }, o()));
      expect(still.ok).toBe(false);
      expectOk(await settle(() => a.release(handle, o())));
    });

    it("shows who holds a lock without taking it, when it can inspect", async () => {
      const lock = newLock();
      if (!lock.inspect) return;
      const svc = uniqueServiceName();
      expect(expectOk(await settle(() => lock.inspect!(svc, o())))).toBeNull();
      const first = holder("v1");
      const handle = expectOk(
        await settle(() => newLock().acquire({ service: svc, holder: first }, o())),
      );
      const seen = expectOk(await settle(() => lock.inspect!(svc, o())));
      expect(seen?.holder?.id).toBe(first.id);
      expect(seen?.stale).toBe(false);
      // Looking did not take it: another holder is still refused.
      const other = await settle(() =>
        newLock().acquire({ service: svc, holder: holder("v2") }, o()),
      );
      expect(other.ok).toBe(false);
      expectOk(await settle(() => newLock().release(handle, o())));
      expect(expectOk(await settle(() => lock.inspect!(svc, o())))).toBeNull();
    });

    it("takes over a stale lock and says from whom", async () => {
      const { makeStale } = s();
      if (!makeStale) return;
      const svc = uniqueServiceName();
      const dead = holder("v1");
      expectOk(await settle(() => newLock().acquire({ service: svc, holder: dead }, o())));
      await makeStale(svc);
      const taken = expectOk(
        await settle(() => newLock().acquire({ service: svc, holder: holder("v2") }, o())),
      );
      expect(taken.tookOverFrom?.id).toBe(dead.id);
      expectOk(await settle(() => newLock().release(taken, o())));
    });

    it("lets exactly one of two runners racing for the same stale lock take it over", async () => {
      const { makeStale } = s();
      if (!makeStale) return;
      const svc = uniqueServiceName();
      const dead = holder("v1");
      expectOk(await settle(() => newLock().acquire({ service: svc, holder: dead }, o())));
      await makeStale(svc);
      const [a, b] = await Promise.all([
        settle(() => newLock().acquire({ service: svc, holder: holder("recovery-a") }, o())),
        settle(() => newLock().acquire({ service: svc, holder: holder("recovery-b") }, o())),
      ]);
      const winners = [a, b].filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      const loser = [a, b].find((r) => !r.ok);
      if (loser && !loser.ok) expect(loser.error.kind).toBe("lock_held");
      const won = winners[0]!;
      if (won.ok) expectOk(await settle(() => newLock().release(won.value, o())));
    });

    itResolvesAbortedWhenSignalFired((signal) => [
      () => newLock().acquire({ service: uniqueServiceName(), holder: holder("v1") }, { signal }),
    ]);
  },
);
