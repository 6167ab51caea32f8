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

/** A dashboard link: the name the release gave it (`Grafana`), or null for a bare URL. */
export interface DashboardLink {
  name: string | null;
  url: string;
}

/** One release event in an incident's timeline, in UTC. */
export interface IncidentTimelineEntry {
  /** ISO 8601, UTC. */
  at: string;
  /** The event type (`canary.step.started`, `rollback.finished`, …). */
  event: string;
  /** The event in words. */
  detail: string;
}

/** How the problem was detected: what was measured, against what, and why it stopped the release. */
export interface IncidentDetection {
  /** What tripped: `error rate`, `p95 latency`, `no data`, `SLO query`, `smoke check`, `deployer`, … */
  metric: string;
  /** The SLO source (or smoke check, or deployer) that reported it. */
  source: string;
  /** The queries or monitor names the SLO source reported, secret-free (empty when it reported none). */
  queries: string[];
  /** Each objective at detection: the observed value against its threshold, in words. */
  readings: { metric: string; value: string; threshold: string; breached: boolean }[];
  /** The canary weight at detection. */
  weight: number | null;
  /** When the breach was seen (ISO 8601), when known. */
  detectedAt: string | null;
  /** The configured SLO window, minutes. */
  windowMinutes: number;
  /** How long the step had been watched when it was stopped, ms. */
  observedMs: number | null;
  /** Requests in the last reading (the sample size), when the source counted them. */
  sampleCount: number | null;
  /** Failed requests in the last reading, when the source counted them. */
  errorCount: number | null;
  /** The judge's reasoning, in words, most specific first. */
  reasoning: string[];
}

/** The rollback as it ran. */
export interface IncidentRollbackFacts {
  /** In words: what was done, through which deployer, back to which version. */
  method: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  verified: boolean;
  /** What the verification saw: the deployer's answer, each smoke check after the rollback. */
  evidence: string[];
}

/** How much traffic met the bad version: canary weight × minutes, and counts where the source gave them. */
export interface IncidentImpact {
  /** One row per canary step that served traffic. */
  exposure: {
    weight: number;
    phase: "canary" | "stabilization";
    minutes: number;
    requests: number | null;
    failedRequests: number | null;
  }[];
  /** Σ weight/100 × minutes: the minutes of full traffic the canary served. */
  fullTrafficMinutes: number;
  /** Requests the canary served, when the SLO source counted them. */
  requests: number | null;
  /** Of which failed, when counted. */
  failedRequests: number | null;
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
  /** The same dashboards with the names the release gave them (absent: unnamed). */
  dashboardLinks?: DashboardLink[];
  /** Who ran the release. */
  captain?: string | null;
  /** Every release event from the lock to the rollback's verification, oldest first. */
  timeline?: IncidentTimelineEntry[];
  detection?: IncidentDetection;
  rollback?: IncidentRollbackFacts;
  impact?: IncidentImpact;
  /** A deduplication key stable per service and environment (`shipgate/<service>/<environment>`), so a second breach updates the same alert. */
  dedupKey: string;
  /**
   * The key of this one release's incident (`shipgate/<service>/<environment>/<version>/<run>`):
   * a sink that can look incidents up stores it, so that a recovery filing the incident again
   * after a crash finds the one already filed ({@link IncidentSink.findOpened}). Absent when
   * the release keeps no journal (nothing can recover it).
   */
  releaseKey?: string;
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
  /**
   * Optional: the incident this sink filed under `releaseKey`, or null when it filed none.
   * A crash can stop a release after a sink filed its incident and before the journal said
   * so; the recovery asks here first and files only where nothing was found, so a release
   * never files two incidents in one sink. A sink without it (or whose backend deduplicates
   * by `dedupKey` itself, as PagerDuty does) is asked to `open` again.
   */
  findOpened?(
    releaseKey: string,
    options: CallOptions,
  ): ResultAsync<IncidentRef | null, IncidentSinkError>;
}
