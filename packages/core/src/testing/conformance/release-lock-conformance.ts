import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LockHolder, ReleaseLock } from "../../contracts/release-lock.js";
import { abortedSignal, expectOk, liveSignal, settle } from "./run-safely.js";

/** What a ReleaseLock adapter's test provides. */
export interface ReleaseLockConformanceSetup {
  /** A fresh lock client on the same backend (two clients stand for two CI runners). */
  makeLock: () => ReleaseLock;
  /** Make the current holder of `service`'s lock dead or expired. */
  makeStale?: (service: string) => Promise<void>;
  cleanup?: () => Promise<void> | void;
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
export function describeReleaseLockConformance(
  name: string,
  setup: () => Promise<ReleaseLockConformanceSetup> | ReleaseLockConformanceSetup,
): void {
  describe(`ReleaseLock conformance: ${name}`, () => {
    let s: ReleaseLockConformanceSetup;
    const o = () => ({ signal: liveSignal() });
    const service = () => `svc-${Math.random().toString(36).slice(2, 8)}`;
    beforeAll(async () => {
      s = await setup();
    });
    afterAll(async () => {
      await s?.cleanup?.();
    });

    it("lets one holder in and tells the second who holds it", async () => {
      const svc = service();
      const a = s.makeLock();
      const b = s.makeLock();
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
      const svc = service();
      const a = s.makeLock();
      const b = s.makeLock();
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
      const lock = s.makeLock();
      const h1 = expectOk(
        await settle(() => lock.acquire({ service: service(), holder: holder("v1") }, o())),
      );
      const h2 = expectOk(
        await settle(() => lock.acquire({ service: service(), holder: holder("v1") }, o())),
      );
      expectOk(await settle(() => lock.release(h1, o())));
      expectOk(await settle(() => lock.release(h2, o())));
    });

    it("does not let a holder release someone else's lock", async () => {
      const svc = service();
      const a = s.makeLock();
      const b = s.makeLock();
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
      const lock = s.makeLock();
      if (!lock.inspect) return;
      const svc = service();
      expect(expectOk(await settle(() => lock.inspect!(svc, o())))).toBeNull();
      const first = holder("v1");
      const handle = expectOk(
        await settle(() => s.makeLock().acquire({ service: svc, holder: first }, o())),
      );
      const seen = expectOk(await settle(() => lock.inspect!(svc, o())));
      expect(seen?.holder?.id).toBe(first.id);
      expect(seen?.stale).toBe(false);
      // Looking did not take it: another holder is still refused.
      const other = await settle(() =>
        s.makeLock().acquire({ service: svc, holder: holder("v2") }, o()),
      );
      expect(other.ok).toBe(false);
      expectOk(await settle(() => s.makeLock().release(handle, o())));
      expect(expectOk(await settle(() => lock.inspect!(svc, o())))).toBeNull();
    });

    it("takes over a stale lock and says from whom", async () => {
      if (!s.makeStale) return;
      const svc = service();
      const dead = holder("v1");
      expectOk(await settle(() => s.makeLock().acquire({ service: svc, holder: dead }, o())));
      await s.makeStale(svc);
      const taken = expectOk(
        await settle(() => s.makeLock().acquire({ service: svc, holder: holder("v2") }, o())),
      );
      expect(taken.tookOverFrom?.id).toBe(dead.id);
      expectOk(await settle(() => s.makeLock().release(taken, o())));
    });

    it("lets exactly one of two runners racing for the same stale lock take it over", async () => {
      if (!s.makeStale) return;
      const svc = service();
      const dead = holder("v1");
      expectOk(await settle(() => s.makeLock().acquire({ service: svc, holder: dead }, o())));
      await s.makeStale(svc);
      const [a, b] = await Promise.all([
        settle(() => s.makeLock().acquire({ service: svc, holder: holder("recovery-a") }, o())),
        settle(() => s.makeLock().acquire({ service: svc, holder: holder("recovery-b") }, o())),
      ]);
      const winners = [a, b].filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      const loser = [a, b].find((r) => !r.ok);
      if (loser && !loser.ok) expect(loser.error.kind).toBe("lock_held");
      const won = winners[0]!;
      if (won.ok) expectOk(await settle(() => s.makeLock().release(won.value, o())));
    });

    it("resolves to an aborted error, without throwing, when the signal has fired", async () => {
      const settled = await settle(() =>
        s
          .makeLock()
          .acquire({ service: service(), holder: holder("v1") }, { signal: abortedSignal() }),
      );
      expect(settled.ok).toBe(false);
      if (!settled.ok) expect(settled.error.kind).toBe("aborted");
    });
  });
}
