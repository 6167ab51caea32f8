import type { DeploymentStatus, DeployTarget, ShipgateError } from "@shipgate/core";
import type { ResultAsync } from "neverthrow";

/** Whether the workload of a release serves, in words. */
export interface WorkloadReading {
  ready: boolean;
  message: string;
}

/** What a preflight learns from a mode's own checks. */
export interface ModePreflight {
  problems: string[];
  facts: Record<string, string>;
}

/** How one canary mode carries out the deployer's actions on a release. */
export interface CanaryMode {
  readonly label: string;
  start(
    release: string,
    target: DeployTarget,
    signal: AbortSignal,
  ): ResultAsync<void, ShipgateError>;
  setWeight(
    release: string,
    target: DeployTarget,
    weight: number,
    signal: AbortSignal,
  ): ResultAsync<void, ShipgateError>;
  promote(
    release: string,
    target: DeployTarget,
    signal: AbortSignal,
  ): ResultAsync<void, ShipgateError>;
  abort(
    release: string,
    target: DeployTarget,
    signal: AbortSignal,
  ): ResultAsync<void, ShipgateError>;
  status(
    release: string,
    target: DeployTarget,
    signal: AbortSignal,
  ): ResultAsync<DeploymentStatus, ShipgateError>;
  /** After `helm rollback`: wait until the workload runs the restored revision. */
  settle(
    release: string,
    target: DeployTarget,
    signal: AbortSignal,
  ): ResultAsync<void, ShipgateError>;
  /** Is the workload serving (all traffic on the stable version)? */
  workload(
    release: string,
    target: DeployTarget,
    signal: AbortSignal,
  ): ResultAsync<WorkloadReading, ShipgateError>;
  /** The mode's checks of the rendered chart and the live release. */
  preflight(
    release: string,
    target: DeployTarget,
    rendered: string,
    signal: AbortSignal,
  ): ResultAsync<ModePreflight, ShipgateError>;
}
