import type { ResultAsync } from "neverthrow";
import type { ShipgateError } from "../errors/shipgate-error.js";
import type { CallOptions } from "./call-options.js";

/** What is being deployed, and where. */
export interface DeployTarget {
  service: string;
  environment: string;
  /** The release version (the tag), e.g. `v1.4.0`. */
  version: string;
  sha: string;
  /**
   * The weights core will set, in order (the release's `canary_steps`), for platforms that
   * must plan their steps when the canary starts (Argo Rollouts). Absent outside a release.
   */
  canarySteps?: readonly number[];
}

/** The result of a deployer's read-only preflight. */
export interface PreflightReport {
  /** True when nothing below is a problem. */
  ok: boolean;
  /** Each failed precondition, in words a user can act on. */
  problems: string[];
  /** The version serving now, if known. */
  stableVersion: string | null;
  /** Facts worth putting in the report (`namespace`, `strategy`, …). */
  facts: Record<string, string>;
}

/** Where a deployment stands. */
export type DeploymentPhase =
  | "progressing"
  | "paused"
  | "healthy"
  | "degraded"
  | "aborted"
  | "unknown";

/** A deployer's view of the rollout. */
export interface DeploymentStatus {
  phase: DeploymentPhase;
  /** Share of traffic (0–100) on the canary. */
  canaryWeight: number;
  stableVersion: string | null;
  canaryVersion: string | null;
  /** The controller's own message, if any. */
  message: string | null;
}

/** Whether the stable version is serving all traffic again after a rollback. */
export interface StableVerification {
  serving: boolean;
  stableVersion: string | null;
  message: string | null;
}

/** One revision of the deployment as the platform records it (e.g. a helm history row). */
export interface DeploymentRevision {
  /** The platform's id of the revision (`7`). */
  id: string;
  /** Its status there (`deployed`, `superseded`, `failed`). */
  status: string;
  /** What it is, in the platform's words (`shop-0.1.0, app 1.0: Rollback to 5`). */
  detail: string;
}

/** Errors a {@link Deployer} may return. */
export type DeployerError = ShipgateError;

/**
 * Moves traffic between the stable version and a canary. Core owns the step sequence and
 * the decision to promote or roll back; a deployer only carries out each action and
 * resolves once the platform has applied it (or fails).
 */
export interface Deployer {
  readonly name: string;
  /** Read-only checks: target found, canary strategy supported, nothing else in flight. */
  preflight(
    target: DeployTarget,
    options: CallOptions,
  ): ResultAsync<PreflightReport, DeployerError>;
  /** Start the new version as a canary at weight 0. */
  start(target: DeployTarget, options: CallOptions): ResultAsync<void, DeployerError>;
  /** Set the canary's share of traffic (1–100) and wait until it is applied. */
  setWeight(
    target: DeployTarget,
    weight: number,
    options: CallOptions,
  ): ResultAsync<void, DeployerError>;
  status(target: DeployTarget, options: CallOptions): ResultAsync<DeploymentStatus, DeployerError>;
  /** Make the canary the new stable version, fully. */
  promote(target: DeployTarget, options: CallOptions): ResultAsync<void, DeployerError>;
  /** Stop the canary: all traffic back to stable. */
  abort(target: DeployTarget, options: CallOptions): ResultAsync<void, DeployerError>;
  /** Revert the deployment's desired state to the previous stable version. */
  rollback(target: DeployTarget, options: CallOptions): ResultAsync<void, DeployerError>;
  /** Is the previous stable version serving all traffic again? */
  verifyStable(
    target: DeployTarget,
    options: CallOptions,
  ): ResultAsync<StableVerification, DeployerError>;
  /**
   * Optional: the platform's own list of revisions, newest last, for the report's deploy
   * section (read once when the report is written, after a deploy started).
   */
  history?(
    target: DeployTarget,
    options: CallOptions,
  ): ResultAsync<DeploymentRevision[], DeployerError>;
}
