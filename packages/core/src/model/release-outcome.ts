import type { ShipgateError } from "../errors/shipgate-error.js";

/** How a release ended. */
export type ReleaseStatus = "SUCCESS" | "ABORTED" | "BLOCKED" | "FAILED";

/** Why, in one word, for machines. */
export type ReleaseReason =
  | "released"
  /** The deployer already serves this version as stable: nothing to deploy. */
  | "already_live"
  | "dry_run"
  | "invalid_input"
  | "lock_held"
  /** Another run took the lock over while this one stalled: it stopped, changing nothing more. */
  | "lock_lost"
  | "validation_failed"
  | "preparation_failed"
  | "ci_red"
  | "ci_timeout"
  | "sign_off_missing"
  | "preflight_failed"
  | "slo_breach"
  | "slo_inconclusive"
  | "smoke_failed"
  | "deploy_error"
  | "cancelled"
  | "recovered_after_crash"
  | "tool_error"
  | "internal_error";

/** Process exit codes, as the CLI uses them. */
export const EXIT_CODES = {
  SUCCESS: 0,
  FAILED: 1,
  BLOCKED: 2,
  ABORTED: 3,
  LOCK_HELD: 4,
  CANCELLED: 130,
} as const;

/** What a release resolved to. */
export interface ReleaseOutcome {
  status: ReleaseStatus;
  reason: ReleaseReason;
  /** 0 success, 1 failed, 2 blocked, 3 rolled back, 4 lock held, 130 cancelled. */
  exitCode: number;
  /** One line a person can act on. */
  summary: string;
  version: string | null;
  service: string | null;
  dryRun: boolean;
  /** Highest canary weight that was set (0 when none). */
  maxWeightReached: number;
  /** Whether a rollback happened, and whether it was verified. */
  rolledBack: boolean;
  rollbackVerified: boolean | null;
  /** Relative paths of every artifact written. */
  paths: { report: string | null; incident: string | null; all: string[] };
  /** The error that decided the outcome, if any. */
  error?: ShipgateError;
  /** Errors that did not decide the outcome (a failed notification, changelog). */
  warnings: string[];
  startedAt: string;
  endedAt: string;
  /** A release with waves: how each environment ended, in wave order (absent otherwise). */
  environments?: EnvironmentOutcome[];
}

/** How one environment of a release with waves ended. */
export interface EnvironmentOutcome {
  name: string;
  /** 1-based, as shown. */
  wave: number;
  /** `not_started`: a wave before it stopped; `held`: left promoted under `on_wave_failure: halt`. */
  state: "promoted" | "breached" | "failed" | "cancelled" | "not_started" | "held" | "rolled_back";
  maxWeightReached: number;
  rolledBack: boolean;
  rollbackVerified: boolean | null;
  summary: string | null;
}
