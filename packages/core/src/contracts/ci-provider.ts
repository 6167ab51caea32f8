import type { ResultAsync } from "neverthrow";
import type { ShipgateError } from "../errors/shipgate-error.js";
import type { CallOptions } from "./call-options.js";

/** Lifecycle of a check. */
export type CiCheckStatus = "queued" | "in_progress" | "completed";

/** How a completed check ended (the GitHub vocabulary; other platforms map onto it). */
export type CiCheckConclusion =
  | "success"
  | "failure"
  | "neutral"
  | "cancelled"
  | "skipped"
  | "timed_out"
  | "action_required"
  | "stale";

/** One check, status or pipeline job reported for a commit. */
export interface CiCheck {
  name: string;
  status: CiCheckStatus;
  /** Null until the check has completed. */
  conclusion: CiCheckConclusion | null;
  url: string | null;
  /** ISO 8601 or null. */
  startedAt: string | null;
  completedAt: string | null;
  /**
   * Whether the platform marks the check as required (branch protection, allow_failure).
   * `undefined` when the platform does not say: core then treats the check as required.
   */
  required?: boolean;
}

/** Errors a {@link CiProvider} may return. */
export type CiProviderError = ShipgateError;

/** Reports the checks of a commit. Core decides what "green" means. */
export interface CiProvider {
  readonly name: string;
  /** Every check for `sha`, all pages. An unknown sha yields `[]`, not an error. */
  listChecks(sha: string, options: CallOptions): ResultAsync<CiCheck[], CiProviderError>;
}
