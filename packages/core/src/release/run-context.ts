import type { DeployTarget } from "../contracts/deployer.js";
import type { ShipgateError } from "../errors/shipgate-error.js";
import type { Judge, PollObservation } from "../judge/judge.js";
import type { ReleaseEvent } from "./release-events.js";
import type { ReleaseReason, ReleaseStatus } from "./release-outcome.js";
import type { ReleaseSpec } from "./release-spec.js";
import type { ReleaseStack } from "./release-stack.js";
import type { RunRecord } from "./run-record.js";

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
