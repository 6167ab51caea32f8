import type { ResultAsync } from "neverthrow";
import type { ShipgateError } from "../errors/shipgate-error.js";
import type { CallOptions } from "./call-options.js";

/** One sign-off. */
export interface SignOff {
  approver: string;
  /** ISO 8601. */
  signedAt: string;
  /** Where it was given (a URL, a channel), for the audit trail. */
  where: string;
  comment?: string;
}

/** Errors an {@link ApprovalGate} may return. */
export type ApprovalGateError = ShipgateError;

/** Reports who has signed off a release. Core decides whether that is enough. */
export interface ApprovalGate {
  readonly name: string;
  listSignOffs(
    request: { service: string; environment: string; version: string; sha: string },
    options: CallOptions,
  ): ResultAsync<SignOff[], ApprovalGateError>;
}
