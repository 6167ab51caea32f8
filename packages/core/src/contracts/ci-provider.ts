import type { ResultAsync } from "neverthrow";
import type { ShipgateError } from "../errors/shipgate-error.js";
import type { CallOptions } from "./call-options.js";

/** Every lifecycle state of a check. */
export const CI_CHECK_STATUSES = ["queued", "in_progress", "completed"] as const;
/** Lifecycle of a check. */
export type CiCheckStatus = (typeof CI_CHECK_STATUSES)[number];

/** Every way a completed check can end (the GitHub vocabulary; other platforms map onto it). */
export const CI_CHECK_CONCLUSIONS = [
  "success",
  "failure",
  "neutral",
  "cancelled",
  "skipped",
  "timed_out",
  "action_required",
  "stale",
] as const;
/** How a completed check ended. */
export type CiCheckConclusion = (typeof CI_CHECK_CONCLUSIONS)[number];

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
