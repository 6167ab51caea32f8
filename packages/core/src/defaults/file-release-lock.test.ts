import { spawn } from "node:child_process";
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { LockHolder } from "../contracts/release-lock.js";
import { useFreshTempDir } from "../testing/temp-dir.js";
import { createFileReleaseLock, type LockTakeOver } from "./file-release-lock.js";

const live = () => ({ signal: new AbortController().signal });
let n = 0;
const holder = (overrides: Partial<LockHolder> = {}): LockHolder => {
  n += 1;
  return {
    id: `run-${n}`,
    host: hostname(),
    pid: process.pid,
    startedAt: new Date().toISOString(),
    version: `v1.0.${n}`,
    ...overrides,
  };
};

/** The pid of a process that has exited (and been reaped), so it no longer exists. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  const pid = child.pid!;
  await new Promise<void>((resolve) => child.on("exit", () => resolve()));
  await new Promise((resolve) => setTimeout(resolve, 20));
  return pid;
}

describe("createFileReleaseLock", () => {
  const root = useFreshTempDir("shipgate-lock-");
  const lockFile = (service: string) => join(root(), "devops/status", `release-${service}.lock`);

  it("writes the holder as JSON and tells a second holder who has it and what to do", async () => {
    const lock = createFileReleaseLock({ rootDir: root() });
    const first = holder({ version: "v2.0.0" });
    const handle = (await lock.acquire({ service: "shop", holder: first }, live()))._unsafeUnwrap();
    expect(handle).toEqual({
      service: "shop",
      holder: first,
      ref: "devops/status/release-shop.lock",
      lost: expect.any(AbortSignal),
    });
    expect(JSON.parse(readFileSync(lockFile("shop"), "utf8"))).toEqual(first);

    const error = (
      await lock.acquire({ service: "shop", holder: holder() }, live())
    )._unsafeUnwrapErr();
    expect(error.kind).toBe("lock_held");
    expect(error.details?.holder).toEqual(first);
    expect(error.message).toContain("v2.0.0");
    expect(error.message).toContain(`pid ${process.pid}`);
    expect(error.message).toContain(hostname());
    expect(error.message).toContain(first.startedAt);
    expect(error.hint).toContain("devops/status/release-shop.lock");
    expect(error.message).not.toContain(root());
  });

  it("releases only its own lock; a release of someone else's is a no-op", async () => {
    const lock = createFileReleaseLock({ rootDir: root() });
    const handle = (
      await lock.acquire({ service: "shop", holder: holder() }, live())
    )._unsafeUnwrap();
    const forged = { ...handle, holder: holder() };
    expect((await lock.release(forged, live())).isOk()).toBe(true);
    expect(readdirSync(join(root(), "devops/status"))).toEqual(["release-shop.lock"]);
    expect((await lock.release(handle, live())).isOk()).toBe(true);
    expect(readdirSync(join(root(), "devops/status"))).toEqual([]);
    expect((await lock.release(handle, live())).isOk()).toBe(true);
  });

  it("lets exactly one of many concurrent acquirers in", async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        createFileReleaseLock({ rootDir: root() }).acquire(
          { service: "shop", holder: holder() },
          live(),
        ),
      ),
    );
    expect(results.filter((r) => r.isOk())).toHaveLength(1);
    expect(results.filter((r) => r.isErr() && r.error.kind === "lock_held")).toHaveLength(11);
    // The lock is written whole, from a temporary file that is gone afterwards.
    expect(readdirSync(join(root(), "devops/status"))).toEqual(["release-shop.lock"]);
    const winner = results.find((r) => r.isOk())!._unsafeUnwrap();
    expect(JSON.parse(readFileSync(lockFile("shop"), "utf8"))).toEqual(winner.holder);
  });

  it("takes over the lock of a dead process on this host, atomically, and says from whom", async () => {
    const events: LockTakeOver[] = [];
    const lock = createFileReleaseLock({ rootDir: root(), onTakeOver: (e) => events.push(e) });
    const dead = holder({ pid: await deadPid() });
    (await lock.acquire({ service: "shop", holder: dead }, live()))._unsafeUnwrap();
    const next = holder();
    const handle = (await lock.acquire({ service: "shop", holder: next }, live()))._unsafeUnwrap();
    expect(handle.tookOverFrom).toEqual(dead);
    expect(JSON.parse(readFileSync(lockFile("shop"), "utf8"))).toEqual(next);
    expect(events).toEqual([
      {
        service: "shop",
        from: dead,
        reason: `process ${dead.pid} on ${hostname()} is no longer running`,
      },
    ]);
    // no temp or guard files left behind
    expect(readdirSync(join(root(), "devops/status"))).toEqual(["release-shop.lock"]);
  });

  it("lets only one of several concurrent takers take over a dead holder's lock", async () => {
    const dead = holder({ pid: await deadPid() });
    (
      await createFileReleaseLock({ rootDir: root() }).acquire(
        { service: "shop", holder: dead },
        live(),
      )
    )._unsafeUnwrap();
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        createFileReleaseLock({ rootDir: root() }).acquire(
          { service: "shop", holder: holder() },
          live(),
        ),
      ),
    );
    const winners = results.filter((r) => r.isOk());
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.isErr() && r.error.kind === "lock_held")).toHaveLength(7);
    const winner = winners[0]!._unsafeUnwrap();
    expect(JSON.parse(readFileSync(lockFile("shop"), "utf8")).id).toBe(winner.holder.id);
  });

  it("treats another host's lock as live until staleAfterMs, then takes it over", async () => {
    let clock = Date.parse("2026-01-05T10:00:00Z");
    const options = { rootDir: root(), now: () => clock, staleAfterMs: 60 * 60 * 1000 };
    const remote = holder({
      host: "runner-7",
      pid: 999_999,
      startedAt: "2026-01-05T09:30:00.000Z",
    });
    mkdirSync(join(root(), "devops/status"), { recursive: true });
    writeFileSync(lockFile("shop"), JSON.stringify(remote));
    const old = new Date("2026-01-05T09:30:00Z");
    utimesSync(lockFile("shop"), old, old);

    const held = (
      await createFileReleaseLock(options).acquire({ service: "shop", holder: holder() }, live())
    )._unsafeUnwrapErr();
    expect(held.kind).toBe("lock_held");
    expect(held.message).toContain("runner-7");
    expect(held.hint).toContain("1 h");

    clock = Date.parse("2026-01-05T10:31:00Z");
    const taken = (
      await createFileReleaseLock(options).acquire({ service: "shop", holder: holder() }, live())
    )._unsafeUnwrap();
    expect(taken.tookOverFrom).toEqual(remote);
  });

  it("expires a lock whose heartbeat is older than staleAfterMs (default 5 min), even on this host with a live pid", async () => {
    let clock = Date.parse("2026-01-05T10:00:00Z");
    // A holder on this host whose pid is alive (our own) but which stopped renewing: a
    // frozen or suspended run, or a pid reused by another process.
    const frozen = holder({
      startedAt: "2026-01-05T09:00:00.000Z",
      heartbeatAt: "2026-01-05T09:56:00.000Z",
    });
    mkdirSync(join(root(), "devops/status"), { recursive: true });
    writeFileSync(lockFile("shop"), JSON.stringify(frozen));
    const old = new Date("2026-01-05T09:56:00Z");
    utimesSync(lockFile("shop"), old, old);
    const lock = () => createFileReleaseLock({ rootDir: root(), now: () => clock });

    const held = (
      await lock().acquire({ service: "shop", holder: holder() }, live())
    )._unsafeUnwrapErr();
    expect(held.kind).toBe("lock_held"); // 4 min since the last heartbeat
    expect(held.hint).toContain("5 min");
    const seen = (await lock().inspect!("shop", live()))._unsafeUnwrap();
    expect(seen?.stale).toBe(false);

    clock = Date.parse("2026-01-05T10:01:01Z"); // 5 min 1 s
    const stale = (await lock().inspect!("shop", live()))._unsafeUnwrap();
    expect(stale?.stale).toBe(true);
    expect(stale?.why).toContain("has not renewed it for more than 5 min");
    const taken = (
      await lock().acquire({ service: "shop", holder: holder() }, live())
    )._unsafeUnwrap();
    expect(taken.tookOverFrom?.id).toBe(frozen.id);
    await lock().release(taken, live());
  });

  it("renews the holder's heartbeat while held, and stops when released", async () => {
    const lock = createFileReleaseLock({ rootDir: root(), renewEveryMs: 20 });
    const mine = holder();
    const handle = (await lock.acquire({ service: "shop", holder: mine }, live()))._unsafeUnwrap();
    expect(JSON.parse(readFileSync(lockFile("shop"), "utf8")).heartbeatAt).toBeUndefined();
    await new Promise((r) => setTimeout(r, 120));
    const beat = JSON.parse(readFileSync(lockFile("shop"), "utf8"));
    expect(beat).toMatchObject({
      id: mine.id,
      host: mine.host,
      pid: mine.pid,
      startedAt: mine.startedAt,
    });
    expect(Date.parse(beat.heartbeatAt)).toBeGreaterThan(Date.parse(mine.startedAt));
    (await lock.release(handle, live()))._unsafeUnwrap();
    await new Promise((r) => setTimeout(r, 60));
    expect(readdirSync(join(root(), "devops/status")).filter((f) => f.includes("shop"))).toEqual(
      [],
    );
  });

  it("tells a holder whose lock was taken over while it stalled (its lost signal), and leaves the new holder's lock alone", async () => {
    const lock = createFileReleaseLock({ rootDir: root(), renewEveryMs: 20 });
    const handle = (
      await lock.acquire({ service: "shop", holder: holder() }, live())
    )._unsafeUnwrap();
    expect(handle.lost?.aborted).toBe(false);
    await new Promise((r) => setTimeout(r, 60));
    expect(handle.lost?.aborted).toBe(false); // its own renewals do not fire it
    // A run on another host found the heartbeat expired and took the lock over, under the
    // takeover guard (as acquire does), so no beat in flight can overwrite it.
    const taker = holder({ host: "runner-9", pid: 4242 });
    const guard = `${lockFile("shop")}.takeover`;
    for (;;) {
      try {
        writeFileSync(guard, "runner-9\n", { flag: "wx" });
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 1));
      }
    }
    writeFileSync(lockFile("shop"), JSON.stringify(taker));
    unlinkSync(guard);
    await new Promise<void>((resolve) => handle.lost!.addEventListener("abort", () => resolve()));
    const reason = handle.lost!.reason as { kind: string; message: string };
    expect(reason.kind).toBe("conflict");
    expect(reason.message).toContain("is now held by runner-9:4242");
    (await lock.release(handle, live()))._unsafeUnwrap();
    expect(JSON.parse(readFileSync(lockFile("shop"), "utf8")).id).toBe(taker.id);
  });

  it("treats a corrupt lock file as stale once past the grace period, and as held before", async () => {
    mkdirSync(join(root(), "devops/status"), { recursive: true });
    writeFileSync(lockFile("shop"), "{ not json");
    const lock = createFileReleaseLock({ rootDir: root() });
    const young = (
      await lock.acquire({ service: "shop", holder: holder() }, live())
    )._unsafeUnwrapErr();
    expect(young.kind).toBe("lock_held");
    expect(young.message).toContain("being written");

    const old = new Date(Date.now() - 60_000);
    utimesSync(lockFile("shop"), old, old);
    const events: LockTakeOver[] = [];
    const taken = (
      await createFileReleaseLock({ rootDir: root(), onTakeOver: (e) => events.push(e) }).acquire(
        { service: "shop", holder: holder() },
        live(),
      )
    )._unsafeUnwrap();
    expect(taken.tookOverFrom?.id).toMatch(/unreadable/);
    expect(events[0]?.from).toBeNull();
    expect(events[0]?.reason).toMatch(/unreadable/);
  });

  it("keeps services apart and validates the service name", async () => {
    const lock = createFileReleaseLock({ rootDir: root(), dir: "locks" });
    expect((await lock.acquire({ service: "a", holder: holder() }, live())).isOk()).toBe(true);
    expect((await lock.acquire({ service: "b", holder: holder() }, live())).isOk()).toBe(true);
    expect(readdirSync(join(root(), "locks")).sort()).toEqual(["release-a.lock", "release-b.lock"]);
    for (const bad of ["../x", "a/b", "", ".hidden"]) {
      const error = (
        await lock.acquire({ service: bad, holder: holder() }, live())
      )._unsafeUnwrapErr();
      expect(error.kind).toBe("invalid_input");
      expect(error.field).toBe("service");
    }
  });

  it("resolves to aborted for an already-aborted signal and takes nothing", async () => {
    const controller = new AbortController();
    controller.abort();
    const lock = createFileReleaseLock({ rootDir: root() });
    expect(
      (
        await lock.acquire({ service: "shop", holder: holder() }, { signal: controller.signal })
      )._unsafeUnwrapErr().kind,
    ).toBe("aborted");
    expect(readdirSync(root())).toEqual([]);
    const handle = { service: "shop", holder: holder(), ref: "devops/status/release-shop.lock" };
    expect(
      (await lock.release(handle, { signal: controller.signal }))._unsafeUnwrapErr().kind,
    ).toBe("aborted");
  });
});
