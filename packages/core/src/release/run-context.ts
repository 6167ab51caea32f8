import type { PreviousReleaseTiming } from "../artifacts/release-report.js";
import type { DeployTarget } from "../contracts/deployer.js";
import type { ReleaseJournal } from "../contracts/release-journal.js";
import { ShipgateError } from "../errors/shipgate-error.js";
import type { Judge, PollObservation } from "../judge/judge.js";
import type { ReleaseEvent } from "../model/release-events.js";
import type { ReleaseReason, ReleaseStatus } from "../model/release-outcome.js";
import type { ReleaseSpec } from "../model/release-spec.js";
import type { ReleaseStack } from "../model/release-stack.js";
import type { RunRecord } from "../model/run-record.js";

/** Distributes an event without its `at`; the context stamps the clock's time. */
export type Emit = (event: DistributiveOmit<ReleaseEvent, "at">) => void;
type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

/** What every step of a run shares. */
export interface RunContext {
  spec: ReleaseSpec;
  stack: ReleaseStack;
  dryRun: boolean;
  /** The caller's signal: when it fires, the run stops and cleans up. */
  signal: AbortSignal;
  /** Never fires: for clean-up work that must finish after a cancellation (rollback, report, unlock). */
  cleanupSignal: AbortSignal;
  record: RunRecord;
  target: DeployTarget;
  /** The judge of every canary step, and every poll it has seen (oldest first). */
  judge: Judge;
  observations: PollObservation[];
  emit: Emit;
  /** ISO time on the release clock. */
  now(): string;
  /** The write-ahead journal of this run (absent in a dry run or without a journal). */
  journal?: JournalWriter;
  /** The report file this run rewrites at every state change (absent in a dry run). */
  report?: ReportSlot;
  /**
   * Set on the context of one environment of a release with waves: its name (journaled
   * with each record) and the release's own context (whose report is rewritten).
   */
  environment?: { name: string; parent: RunContext };
  /**
   * Aborted once the run is known to be taken over — the lock's `lost` signal (see
   * `LockHandle.lost`), or another run's records in the journal: from then on it changes
   * nothing. Its reason says why.
   */
  fence?: AbortController;
}

/** Why the lock was lost, as its `lost` signal said (a `conflict` naming the new holder). */
export function lockLostError(ctx: RunContext): ShipgateError {
  const reason = (ctx.environment?.parent ?? ctx).fence?.signal.reason;
  return reason instanceof ShipgateError
    ? reason
    : new ShipgateError("conflict", "The release lock was taken over by another run");
}

/** True once the run's lock is in another holder's hands: from then on it changes nothing. */
export function fenced(ctx: RunContext): boolean {
  return (ctx.environment?.parent ?? ctx).fence?.signal.aborted === true;
}

/**
 * Stops a run found taken over at a journal record: before the outcome (strict) it throws,
 * so the action the record announces does not run; during clean-up, true (write nothing).
 */
export function stopIfFenced(ctx: RunContext, strict: boolean): boolean {
  if (!fenced(ctx)) return false;
  if (strict) throw lockLostError(ctx);
  return true;
}

/** A step that ended the run early. */
export interface Stop {
  status: ReleaseStatus;
  reason: ReleaseReason;
  summary: string;
  error?: ShipgateError;
}

/** Records a tool error against a step. */
export function recordError(ctx: RunContext, step: string, error: ShipgateError): void {
  ctx.record.errors.push({ step, error });
}

/**
 * The stop of a rerun of a release that already went live in `environments` (a retried CI
 * job, say): a canary of the version against itself proves nothing, and could not be rolled
 * back to anything else, so nothing is tagged or deployed.
 */
export function alreadyLiveStop(spec: ReleaseSpec, environments: string[]): Stop {
  return {
    status: "SUCCESS",
    reason: "already_live",
    summary: `${spec.service} ${spec.version} is already live in ${environments.join(", ")}: nothing to deploy`,
  };
}

/** The stop for a tool error: cancelled if the caller aborted, otherwise FAILED with the tool's message. */
export function stopForError(ctx: RunContext, step: string, error: ShipgateError): Stop {
  recordError(ctx, step, error);
  if (error.kind === "aborted" || ctx.signal.aborted) {
    return { status: "FAILED", reason: "cancelled", summary: `cancelled during ${step}`, error };
  }
  return {
    status: "FAILED",
    reason: "tool_error",
    summary: `${step} failed: ${error.describe()}`,
    error,
  };
}

/** The journal a run writes, and where it stands. */
export interface JournalWriter {
  journal: ReleaseJournal;
  service: string;
  /** The lock holder id of the writing run. */
  run: string;
  /** The last record written (0 before `begin`). */
  seq: number;
  /**
   * Before the outcome is decided, a record that cannot be written stops the run before
   * its action (write-ahead). During clean-up (rollback, report) it only warns: a broken
   * journal must never stop a rollback.
   */
  strict: boolean;
  /** The write in flight: environments of a wave journal side by side, one record at a time. */
  tail?: Promise<void>;
}

/** The report file of one attempt, claimed (created exclusively) at the first state change. */
export interface ReportSlot {
  path: string;
  attempt: number;
  /** True once this run created the file: from then on it replaces its own file, atomically. */
  claimed: boolean;
  /** Set once the final report is written: no progress write may replace it. */
  final?: boolean;
  /** The previous release's timing, read once. */
  previous: PreviousReleaseTiming | null;
}
