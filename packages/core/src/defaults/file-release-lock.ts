import { randomBytes } from "node:crypto";
import { link, mkdir, open, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { hostname as osHostname } from "node:os";
import { join } from "node:path";
import { errAsync, ResultAsync } from "neverthrow";
import { z } from "zod";
import type { CallOptions } from "../contracts/call-options.js";
import type {
  LockHandle,
  LockHolder,
  LockState,
  ReleaseLock,
  ReleaseLockError,
} from "../contracts/release-lock.js";
import { abortedError, ShipgateError } from "../errors/shipgate-error.js";
import { fsError } from "./fs-error.js";
import { checkArtifactPath } from "./relative-artifact-path.js";

/** What {@link FileReleaseLockOptions.onTakeOver} is told. */
export interface LockTakeOver {
  service: string;
  /** The previous holder, or null when the lock file was unreadable. */
  from: LockHolder | null;
  /** Why the lock was judged stale, in words. */
  reason: string;
}

/** Options of {@link createFileReleaseLock}. */
export interface FileReleaseLockOptions {
  /** The directory lock paths are relative to (usually the repository root). */
  rootDir: string;
  /** Where lock files live, relative to `rootDir`. */
  dir?: string;
  /**
   * The heartbeat expiry: a holder renews its lock every `renewEveryMs` while its release
   * runs, and a lock whose last heartbeat is older than this is taken over, whatever host
   * wrote it (a holder on this host whose process is gone is taken over at once).
   * Default 5 min: a crashed run blocks the next release for minutes, not hours.
   */
  staleAfterMs?: number;
  /** How often a holder renews its heartbeat (default a fifth of `staleAfterMs`). */
  renewEveryMs?: number;
  /**
   * An unreadable lock file younger than this may be one being written right now, so it
   * still counts as held. Default 5 s.
   */
  corruptGraceMs?: number;
  /** This machine's name, compared with the holder's to decide whether its pid can be checked. */
  hostname?: string;
  /** Milliseconds since the epoch (injectable for tests). */
  now?: () => number;
  /** Called when a stale lock is taken over, so the caller can log or report it. */
  onTakeOver?: (event: LockTakeOver) => void;
}

const SERVICE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const TAKEOVER_GUARD_STALE_MS = 30_000;
const MAX_ATTEMPTS = 5;

const lockHolderSchema = z.object({
  id: z.string().min(1),
  host: z.string(),
  pid: z.number().int().positive(),
  startedAt: z.string(),
  version: z.string(),
  heartbeatAt: z.string().optional(),
});

/** The verdict on a lock file found in place. */
type Verdict =
  | { state: "live"; holder: LockHolder | null; why: string }
  | { state: "stale"; holder: LockHolder | null; reason: string };

/**
 * A {@link ReleaseLock} backed by a file, `devops/status/release-<service>.lock`, created
 * exclusively and whole (a temporary file hard-linked into place, so a run killed while
 * taking the lock never leaves half a file) and holding the {@link LockHolder} as JSON. It serialises
 * runs that share a file system (one machine, or a shared volume); keep `*.lock` out of git.
 *
 * The holder (host, pid, start time, run id) renews a heartbeat in the file while it holds
 * the lock (an unref'd timer, every `renewEveryMs`). A lock whose holder is provably gone
 * is taken over: on the same host as soon as its pid no longer exists; on any host once
 * its last heartbeat is older than `staleAfterMs` (5 min by default); an unreadable lock
 * file after a short grace period. The taker recovers the dead run from its journal.
 *
 * @example
 * ```ts
 * const lock = createFileReleaseLock({ rootDir: process.cwd() });
 * const handle = await lock.acquire({ service: "shop", holder }, { signal });
 * // … release …
 * if (handle.isOk()) await lock.release(handle.value, { signal });
 * ```
 */
export function createFileReleaseLock(options: FileReleaseLockOptions): ReleaseLock {
  const dir = (options.dir ?? "devops/status").replace(/\/+$/, "");
  const staleAfterMs = options.staleAfterMs ?? 5 * 60 * 1000;
  const renewEveryMs = options.renewEveryMs ?? Math.max(1000, Math.floor(staleAfterMs / 5));
  /** Each held lock's renewal, and its `lost` signal, fired when a renewal finds the lock in other hands. */
  const renewals = new Map<string, { timer: NodeJS.Timeout; lost: AbortController }>();
  /** Renewals in flight, so a release waits for them and no renewal outlives its lock. */
  const inFlight = new Map<string, Promise<void>>();
  const corruptGraceMs = options.corruptGraceMs ?? 5000;
  const host = options.hostname ?? osHostname();
  const now = options.now ?? Date.now;
  const relativeLockPath = (service: string) => `${dir}/release-${service}.lock`;
  const absolute = (relative: string) => join(options.rootDir, ...relative.split("/"));

  const checkService = (service: string): ShipgateError | null =>
    typeof service === "string" && SERVICE.test(service)
      ? null
      : new ShipgateError(
          "invalid_input",
          `Invalid service name ${JSON.stringify(service)} for a lock file`,
          {
            field: "service",
            hint: "Use letters, digits, `.`, `_` and `-`",
          },
        );

  const judge = (raw: string, modifiedMs: number): Verdict => {
    const holder = parseHolder(raw);
    const ageMs = now() - modifiedMs;
    if (!holder) {
      if (ageMs < corruptGraceMs) {
        return { state: "live", holder: null, why: "its lock file is being written right now" };
      }
      return {
        state: "stale",
        holder: null,
        reason: `the lock file is unreadable (not a JSON lock holder: ${JSON.stringify(raw.slice(0, 60))})`,
      };
    }
    if (holder.host === host && !isProcessAlive(holder.pid)) {
      return {
        state: "stale",
        holder,
        reason: `process ${holder.pid} on ${host} is no longer running`,
      };
    }
    // The last sign of life: the later of the holder's start, its last heartbeat and the
    // file's write (a renewal rewrites the file).
    const since = Math.max(
      modifiedMs,
      ...[holder.startedAt, holder.heartbeatAt ?? ""].map(Date.parse).filter(Number.isFinite),
    );
    if (now() - since > staleAfterMs) {
      return {
        state: "stale",
        holder,
        reason: `its holder (host ${holder.host}, pid ${holder.pid}) has not renewed it for more than ${formatDuration(staleAfterMs)} (last heartbeat ${new Date(since).toISOString()})`,
      };
    }
    return holder.host === host
      ? { state: "live", holder, why: "its process is running" }
      : {
          state: "live",
          holder,
          why: `it runs on another host (${holder.host}) and renewed it at ${new Date(since).toISOString()}`,
        };
  };

  const heldError = (
    service: string,
    verdict: Extract<Verdict, { state: "live" }>,
    ref: string,
  ) => {
    const h = verdict.holder;
    const who = h
      ? `release ${h.version} (host ${h.host}, pid ${h.pid}) since ${h.startedAt}`
      : "a release";
    return new ShipgateError(
      "lock_held",
      `The release lock for ${service} is held by ${who}; ${verdict.why}`,
      {
        details: { holder: h, ref },
        hint: `Wait for that release to finish. If its runner died, ${ref} is taken over (and the release recovered) once its heartbeat is ${formatDuration(staleAfterMs)} old; \`shipgate status\` shows it.`,
      },
    );
  };

  const acquireOnce = async (
    service: string,
    holder: LockHolder,
    signal: AbortSignal,
  ): Promise<LockHandle | "retry"> => {
    const ref = relativeLockPath(service);
    const path = absolute(ref);
    await mkdir(absolute(dir), { recursive: true });
    if (signal.aborted) throw abortedError(signal);
    const json = `${JSON.stringify(holder, null, 2)}\n`;
    if (await createExclusive(path, json)) return { service, holder, ref };

    const found = await readWithTime(path);
    if (!found) return "retry"; // released between our create and our read
    const verdict = judge(found.raw, found.modifiedMs);
    if (verdict.state === "live") throw heldError(service, verdict, ref);

    // Only one taker at a time: an exclusive guard file, so two runners cannot both see
    // the same stale lock and both believe they took it over.
    const guard = `${path}.takeover`;
    if (!(await createExclusive(guard, `${holder.id}\n`))) {
      const guardInfo = await stat(guard).catch(() => null);
      if (guardInfo && now() - guardInfo.mtimeMs > TAKEOVER_GUARD_STALE_MS) {
        await unlink(guard).catch(() => undefined);
        return "retry";
      }
      throw new ShipgateError(
        "lock_held",
        `The release lock for ${service} is being taken over by another run`,
        {
          details: { holder: verdict.holder, ref },
          hint: "Another shipgate run found the same stale lock a moment ago; try again shortly",
        },
      );
    }
    try {
      const again = await readWithTime(path);
      if (!again || again.raw !== found.raw) return "retry";
      if (signal.aborted) throw abortedError(signal);
      const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
      await writeFile(temp, json, { encoding: "utf8", flag: "wx" });
      try {
        await rename(temp, path);
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        throw error;
      }
      options.onTakeOver?.({ service, from: verdict.holder, reason: verdict.reason });
      const previous: LockHolder = verdict.holder ?? {
        id: "unknown (unreadable lock file)",
        host: "unknown",
        pid: 0,
        startedAt: new Date(found.modifiedMs).toISOString(),
        version: "unknown",
      };
      return { service, holder, ref, tookOverFrom: previous };
    } finally {
      await unlink(guard).catch(() => undefined);
    }
  };

  /** Rewrites the lock with a fresh heartbeat, atomically, if it is still ours. */
  const renew = async (service: string, holder: LockHolder): Promise<void> => {
    const path = absolute(relativeLockPath(service));
    // Under the takeover guard, so a takeover between this check and the rename below is
    // not overwritten by the beat; while a takeover holds it, this tick is skipped.
    const guard = `${path}.takeover`;
    if (!(await createExclusive(guard, `${holder.id}\n`))) {
      // One left by a killed run would block every beat: cleared once old, retried next tick.
      const guardInfo = await stat(guard).catch(() => null);
      if (guardInfo && now() - guardInfo.mtimeMs > TAKEOVER_GUARD_STALE_MS)
        await unlink(guard).catch(() => undefined);
      return;
    }
    try {
      await renewGuarded(service, holder, path);
    } finally {
      await unlink(guard).catch(() => undefined);
    }
  };
  const renewGuarded = async (service: string, holder: LockHolder, path: string) => {
    const found = await readWithTime(path);
    if (!found || parseHolder(found.raw)?.id !== holder.id) {
      // Taken over while this holder stalled past the expiry (or removed by hand): the run
      // must stop at once, changing nothing more.
      const other = found ? parseHolder(found.raw) : null;
      renewals
        .get(`${service}|${holder.id}`)
        ?.lost.abort(
          new ShipgateError(
            "conflict",
            other
              ? `The release lock ${relativeLockPath(service)} is now held by ${other.host}:${other.pid} (${other.version}): this run was presumed dead and taken over`
              : `The release lock ${relativeLockPath(service)} was removed while this run held it`,
          ),
        );
      stopRenewal(service, holder.id);
      return;
    }
    const beat = { ...holder, heartbeatAt: new Date(now()).toISOString() };
    const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
    await writeFile(temp, `${JSON.stringify(beat, null, 2)}\n`, { encoding: "utf8", flag: "wx" });
    // Released meanwhile: the rename would bring a released lock back. Drop the beat.
    if (!renewals.has(`${service}|${holder.id}`)) {
      await unlink(temp).catch(() => undefined);
      return;
    }
    await rename(temp, path).catch(async (error: unknown) => {
      await unlink(temp).catch(() => undefined);
      throw error;
    });
  };
  const stopRenewal = (service: string, holderId: string) => {
    const key = `${service}|${holderId}`;
    clearInterval(renewals.get(key)?.timer);
    renewals.delete(key);
  };
  /** Renews the lock while held; the signal fires when a renewal finds it in other hands. */
  const startRenewal = (service: string, holder: LockHolder): AbortSignal => {
    const key = `${service}|${holder.id}`;
    const running = renewals.get(key);
    if (running) return running.lost.signal;
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      // A failed renewal is retried on the next tick; the expiry outlives several misses.
      const running = renew(service, holder)
        .catch(() => undefined)
        .finally(() => {
          busy = false;
          inFlight.delete(key);
        });
      inFlight.set(key, running);
    }, renewEveryMs);
    timer.unref();
    const lost = new AbortController();
    renewals.set(key, { timer, lost });
    return lost.signal;
  };

  return {
    name: "file",

    acquire(
      request: { service: string; holder: LockHolder },
      { signal }: CallOptions,
    ): ResultAsync<LockHandle, ReleaseLockError> {
      if (signal.aborted) return errAsync(abortedError(signal));
      const invalid = checkService(request.service);
      if (invalid) return errAsync(invalid);
      const holder = lockHolderSchema.safeParse(request.holder);
      if (!holder.success) {
        return errAsync(
          new ShipgateError(
            "invalid_input",
            "The lock holder needs an id, host, pid, startedAt and version",
            {
              field: "holder",
            },
          ),
        );
      }
      const dirCheck = checkArtifactPath(dir, "dir");
      if (dirCheck.isErr()) return errAsync(dirCheck.error);
      const ref = relativeLockPath(request.service);
      return ResultAsync.fromPromise(
        (async () => {
          for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
            if (signal.aborted) throw abortedError(signal);
            const outcome = await acquireOnce(request.service, request.holder, signal);
            if (outcome !== "retry")
              return { ...outcome, lost: startRenewal(request.service, request.holder) };
          }
          throw new ShipgateError(
            "conflict",
            `The release lock ${ref} kept changing while shipgate tried to take it`,
            {
              retryable: true,
              hint: "Several runs are racing for this service; try again",
            },
          );
        })(),
        (error) => fsError(error, "lock", ref),
      );
    },

    inspect(
      service: string,
      { signal }: CallOptions,
    ): ResultAsync<LockState | null, ReleaseLockError> {
      if (signal.aborted) return errAsync(abortedError(signal));
      const invalid = checkService(service);
      if (invalid) return errAsync(invalid);
      const ref = relativeLockPath(service);
      return ResultAsync.fromPromise(
        (async (): Promise<LockState | null> => {
          const found = await readWithTime(absolute(ref));
          if (!found) return null;
          const verdict = judge(found.raw, found.modifiedMs);
          return verdict.state === "live"
            ? { holder: verdict.holder, stale: false, why: verdict.why }
            : { holder: verdict.holder, stale: true, why: verdict.reason };
        })(),
        (error) => fsError(error, "inspect", ref),
      );
    },

    release(handle: LockHandle, { signal }: CallOptions): ResultAsync<void, ReleaseLockError> {
      if (signal.aborted) return errAsync(abortedError(signal));
      const invalid = checkService(handle.service);
      if (invalid) return errAsync(invalid);
      const ref = relativeLockPath(handle.service);
      const path = absolute(ref);
      stopRenewal(handle.service, handle.holder.id);
      const renewing = inFlight.get(`${handle.service}|${handle.holder.id}`);
      return ResultAsync.fromPromise(
        (async () => {
          // A renewal already past its check finishes first, so it cannot rewrite the file
          // after it is removed.
          await renewing;
          const found = await readWithTime(path);
          // Someone else's lock (or none): not ours to remove, and not an error.
          if (!found || parseHolder(found.raw)?.id !== handle.holder.id) return;
          await unlink(path).catch((error: unknown) => {
            if (!isCode(error, "ENOENT")) throw error;
          });
        })(),
        (error) => fsError(error, "release", ref),
      );
    },
  };
}

/**
 * Creates `path` with `content` only if it does not exist; false when it does. The content
 * is written to a temporary file first and hard-linked into place (`link` fails when the
 * path exists), so a process killed at any instant never leaves a half-written lock: at
 * worst an orphan `*.tmp` beside it. Where the file system has no hard links, an exclusive
 * create then write.
 */
async function createExclusive(path: string, content: string): Promise<boolean> {
  const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(temp, content, { encoding: "utf8", flag: "wx" });
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if (isCode(error, "EEXIST")) return false;
    if (isCode(error, "EPERM") || isCode(error, "ENOTSUP") || isCode(error, "ENOSYS"))
      return createByOpening(path, content);
    throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** {@link createExclusive} without hard links: open exclusively, then write. */
async function createByOpening(path: string, content: string): Promise<boolean> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, "wx");
  } catch (error) {
    if (isCode(error, "EEXIST")) return false;
    throw error;
  }
  try {
    await file.writeFile(content, "utf8");
    await file.close();
    return true;
  } catch (error) {
    // Never leave a half-written lock behind: it would block the next run.
    await file.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw error;
  }
}

async function readWithTime(path: string): Promise<{ raw: string; modifiedMs: number } | null> {
  try {
    const [raw, info] = await Promise.all([readFile(path, "utf8"), stat(path)]);
    return { raw, modifiedMs: info.mtimeMs };
  } catch (error) {
    if (isCode(error, "ENOENT")) return null;
    throw error;
  }
}

function parseHolder(raw: string): LockHolder | null {
  try {
    const parsed = lockHolderSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Signal 0 checks existence; EPERM means it exists under another user. */
function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return !isCode(error, "ESRCH");
  }
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === code;
}

function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms} ms`;
}
