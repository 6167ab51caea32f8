import type { ResultAsync } from "neverthrow";
import type { ShipgateError } from "../errors/shipgate-error.js";
import type { CallOptions } from "./call-options.js";

/** Who holds (or wants) a lock. */
export interface LockHolder {
  /** Unique per release run. */
  id: string;
  host: string;
  pid: number;
  /** ISO 8601. */
  startedAt: string;
  version: string;
  /** ISO 8601: the holder's last heartbeat, where the lock records one. */
  heartbeatAt?: string;
}

/** A held lock. Pass it back to `release`. */
export interface LockHandle {
  service: string;
  holder: LockHolder;
  /** Where the lock lives (a relative path, a Lease name). */
  ref: string;
  /** Set when a stale lock of a dead holder was taken over. */
  tookOverFrom?: LockHolder;
  /**
   * Optional: fires when the lock turns out to be in another holder's hands — this holder
   * stalled (a paused VM, a suspended job) past the expiry, was presumed dead, and a recovery
   * took the release over. Core then stops the run at once and changes nothing more: no
   * rollback, journal record, report, incident or notification (the new holder owns them).
   * Locks that renew a heartbeat set it; the reason is a `conflict` error naming the holder.
   */
  lost?: AbortSignal;
}

/** What a read-only look at a lock found. */
export interface LockState {
  holder: LockHolder | null;
  /** True when the holder is dead or expired: the next `acquire` would take the lock over. */
  stale: boolean;
  /** Why the lock counts as live or stale, in words. */
  why: string;
}

/** Errors a {@link ReleaseLock} may return; `lock_held` carries the holder in `details.holder`. */
export type ReleaseLockError = ShipgateError;

/** One release per service at a time. */
export interface ReleaseLock {
  readonly name: string;
  /** Take the lock, or fail with `lock_held` when a live holder has it. A dead holder's lock is taken over. */
  acquire(
    request: { service: string; holder: LockHolder },
    options: CallOptions,
  ): ResultAsync<LockHandle, ReleaseLockError>;
  /** Give the lock up. Releasing a lock no longer held by this holder is not an error. */
  release(handle: LockHandle, options: CallOptions): ResultAsync<void, ReleaseLockError>;
  /**
   * Optional, read-only: who holds the lock of `service` now (null when nobody does), without
   * taking or changing it. Lets a plan say whether a release would be refused.
   */
  inspect?(service: string, options: CallOptions): ResultAsync<LockState | null, ReleaseLockError>;
}
