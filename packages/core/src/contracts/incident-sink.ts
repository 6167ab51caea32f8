import type { ResultAsync } from "neverthrow";
import type { ShipgateError } from "../errors/shipgate-error.js";
import type { CallOptions } from "./call-options.js";
import type { ChangeRecord } from "./source-control.js";

/** How bad an incident is. */
export type IncidentSeverity = "critical" | "error" | "warning" | "info";

/** A change suspected of causing a breach. */
export interface SuspectChange {
  change: ChangeRecord;
  /** Higher is more suspicious. */
  score: number;
  likelyCulprit: boolean;
  /** Why it is suspected, in words. */
  reason: string;
}

/** Everything an incident needs to say. Paths are relative to the artifact root. */
export interface IncidentDetails {
  service: string;
  environment: string;
  version: string;
  sha: string;
  title: string;
  severity: IncidentSeverity;
  /** ISO 8601. */
  openedAt: string;
  /** Why the release was stopped, e.g. `error rate 4.1% > 1% at 25%`. */
  breachReason: string;
  /** The weight at which the breach was seen. */
  breachWeight: number | null;
  rollbackVerified: boolean;
  /** What the rollback verification said (or why it could not be verified). */
  rollbackMessage: string;
  suspects: SuspectChange[];
  /** Relative path of the release report. */
  reportPath: string;
  /** Relative path of the canary chart (SVG) beside the report, when one was drawn. */
  chartPath?: string;
  dashboards: string[];
  /** A deduplication key stable per service and environment (`shipgate/<service>/<environment>`), so a second breach updates the same alert. */
  dedupKey: string;
}

/** Where an incident was filed. At least one of `path` and `url` is set. */
export interface IncidentRef {
  sink: string;
  id: string;
  path?: string;
  url?: string;
}

/** Errors an {@link IncidentSink} may return. */
export type IncidentSinkError = ShipgateError;

/** Files an incident when a release is rolled back. */
export interface IncidentSink {
  readonly name: string;
  open(
    incident: IncidentDetails,
    options: CallOptions,
  ): ResultAsync<IncidentRef, IncidentSinkError>;
  /**
   * Optional: resolve what this sink opened for the service, called when a later release
   * of the same service and environment succeeds.
   */
  resolveOpen?(
    scope: { service: string; environment: string; version: string },
    options: CallOptions,
  ): ResultAsync<IncidentRef[], IncidentSinkError>;
}
