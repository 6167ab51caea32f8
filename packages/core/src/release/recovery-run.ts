import { hostname } from "node:os";
import { okAsync } from "neverthrow";
import type { IncidentSink } from "../contracts/incident-sink.js";
import type { LockHolder } from "../contracts/release-lock.js";
import { type ShipgateError, toShipgateError } from "../errors/shipgate-error.js";
import type { ReleaseEvent } from "../model/release-events.js";
import { EXIT_CODES, type ReleaseOutcome } from "../model/release-outcome.js";
import type { ReleaseStack } from "../model/release-stack.js";
import { earlyOutcome } from "./early-outcome.js";
import { type RecoveryContext, recoverIfCrashed } from "./recovery.js";
import type { Emit } from "./run-context.js";
import { takeLock } from "./take-lock.js";

/** What to recover. */
export interface RecoveryRequest {
  /** The service whose last release is recovered. */
  service: string;
  /**
   * Continue the crashed release from its last passed canary step instead of rolling it
   * back — when its `policy.resume_after_crash` allows it and the deployer's actual state
   * is the one the journal left. Otherwise nothing is changed (exit 1) if the policy does
   * not allow it, or the release is rolled back if its state does not match.
   */
  resume?: boolean;
}

let recoveryCounter = 0;

/** A lock holder for a run that recovers (it has no version of its own yet). */
function recoveryHolder(stack: ReleaseStack, startedMs: number): LockHolder {
  recoveryCounter += 1;
  const host = stack.holder?.host ?? hostname();
  const pid = stack.holder?.pid ?? process.pid;
  return {
    id: `${host}-${pid}-${startedMs}-recover-${recoveryCounter}`,
    host,
    pid,
    startedAt: new Date(startedMs).toISOString(),
    version: "recovery",
  };
}

function failed(
  reason: ReleaseOutcome["reason"],
  exitCode: number,
  summary: string,
  error: ShipgateError,
  service: string,
  at: string,
): ReleaseOutcome {
  const end = { exitCode, summary, error, service, startedAt: at, endedAt: at };
  return earlyOutcome({ status: "FAILED", reason, version: null, dryRun: false, ...end });
}

/**
 * Called by a release right after it took the lock: recovers a crashed release of the
 * same service first. Resolves to the outcome that ends this run (the recovered attempt's
 * — exit 3 after a rollback — or a failure to read the journal), or null when the release
 * may go ahead (nothing to recover, or the crashed run never touched production).
 */
export async function recoveryStopsRelease(
  recovery: RecoveryContext,
  service: string,
): Promise<ReleaseOutcome | null> {
  const { stack, emit } = recovery;
  const found = await recoverIfCrashed(recovery, service);
  if (!found) return null;
  if ("unreadable" in found) {
    const at = new Date(stack.clock.now()).toISOString();
    return failed(
      "tool_error",
      EXIT_CODES.FAILED,
      `cannot read the journal of ${service}'s last release, so it cannot be recovered: ${found.unreadable.describe()}`,
      found.unreadable,
      service,
      at,
    );
  }
  if (found.productionUntouched) {
    emit({
      type: "warning",
      message: `recovered the crashed release ${found.outcome.version} (it never reached production): ${found.outcome.paths.report ?? "no report"}; going on with this release`,
    });
    return null;
  }
  return found.outcome;
}

/** `orchestrator.recover()`: take the lock, recover if the journal says so, release the lock. */
export async function recoverRun(
  stack: ReleaseStack,
  fileIncidents: IncidentSink,
  request: RecoveryRequest,
  options: { signal?: AbortSignal; onEvent?: (event: ReleaseEvent) => void },
): Promise<ReleaseOutcome | null> {
  const startedMs = stack.clock.now();
  const iso = () => new Date(stack.clock.now()).toISOString();
  const emit: Emit = (event) => {
    try {
      options.onEvent?.({ at: iso(), ...event } as ReleaseEvent);
    } catch {
      // A broken listener must not break a recovery.
    }
  };
  const signal = options.signal ?? new AbortController().signal;
  const holder = recoveryHolder(stack, startedMs);
  const locked = await takeLock(stack.lock, request.service, holder, signal);
  if (locked.isErr()) {
    const held = locked.error.kind === "lock_held";
    return failed(
      held ? "lock_held" : "tool_error",
      held ? EXIT_CODES.LOCK_HELD : EXIT_CODES.FAILED,
      held
        ? `a live release of ${request.service} holds the lock, so there is nothing to recover: ${locked.error.message}`
        : `could not take the release lock: ${locked.error.describe()}`,
      locked.error,
      request.service,
      iso(),
    );
  }
  const handle = locked.value;
  emit({
    type: "lock.acquired",
    ref: handle.ref,
    tookOverFrom: handle.tookOverFrom
      ? `${handle.tookOverFrom.host}:${handle.tookOverFrom.pid} (${handle.tookOverFrom.version})`
      : undefined,
  });
  let outcome: ReleaseOutcome | null = null;
  try {
    const found = await recoverIfCrashed(
      { stack, fileIncidents, handle, holder, emit },
      request.service,
      request.resume ? { signal } : undefined,
    );
    if (found && "unreadable" in found)
      outcome = failed(
        "tool_error",
        EXIT_CODES.FAILED,
        `cannot read the journal of ${request.service}'s last release: ${found.unreadable.describe()}`,
        found.unreadable,
        request.service,
        iso(),
      );
    else if (found) outcome = found.outcome;
  } catch (thrown) {
    const error = toShipgateError(thrown, "recovery crashed");
    outcome = failed(
      "internal_error",
      EXIT_CODES.FAILED,
      `internal error: ${error.message}`,
      error,
      request.service,
      iso(),
    );
  } finally {
    await stack.lock
      .release(handle, { signal: new AbortController().signal })
      .orElse(() => okAsync(undefined));
  }
  if (outcome) emit({ type: "release.finished", outcome });
  return outcome;
}
