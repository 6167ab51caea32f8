import type { SignOff } from "../contracts/approval-gate.js";
import type { RenderedChangelog } from "../contracts/changelog-renderer.js";
import type { CiCheck } from "../contracts/ci-provider.js";
import type { DeploymentRevision, PreflightReport } from "../contracts/deployer.js";
import type { IncidentRef, SuspectChange } from "../contracts/incident-sink.js";
import type { SmokeCheckResult } from "../contracts/smoke-check.js";
import type { ChangeRecord, TagSignature } from "../contracts/source-control.js";
import type { ShipgateError } from "../errors/shipgate-error.js";
import type { JudgeEvidence, JudgeVerdict } from "../judge/judge.js";
import type { PreparationFinding } from "./preparation-report.js";
import type { ReleaseEvent } from "./release-events.js";
import type { ReleaseOutcome } from "./release-outcome.js";
import type { ReleaseSpec } from "./release-spec.js";

/** One row of evidence: an SLO reading or a smoke check, with its time and result. */
export interface EvidenceEntry {
  at: string;
  kind: "slo" | "smoke";
  phase: string;
  weight: number;
  result: "pass" | "fail" | "no_data" | "error" | "hold" | "inconclusive";
  detail: string;
  /** What the judge saw and decided on this poll (SLO rows). */
  judge?: {
    name: string;
    verdict: JudgeVerdict;
    evidence: JudgeEvidence;
    /** What this poll measured (its interval, or the step so far for a cumulative judge). */
    poll?: { canary: PollNumbers; stable: PollNumbers | null };
  };
}

/** One track's numbers on one poll. */
export interface PollNumbers {
  requests: number | null;
  errorRate: number | null;
  p95LatencyMs: number | null;
}

/** One canary step (or the stabilization window) as it happened. */
export interface StepRecord {
  weight: number;
  phase: "canary" | "stabilization";
  startedAt: string;
  endedAt: string | null;
  polls: number;
  errorRate: number | null;
  p95LatencyMs: number | null;
  sampleCount: number | null;
  result: "passed" | "breached" | "inconclusive" | "error" | "cancelled" | "running";
  reason: string | null;
  /** True when the step ended before its window on strong evidence. */
  early?: boolean;
}

/**
 * A step (or stabilization window) that has just opened at `startedAt`: nothing measured
 * and nothing decided yet.
 */
export function openStepRecord(
  weight: number,
  phase: StepRecord["phase"],
  startedAt: string,
): StepRecord {
  return {
    weight,
    phase,
    startedAt,
    endedAt: null,
    polls: 0,
    errorRate: null,
    p95LatencyMs: null,
    sampleCount: null,
    result: "running",
    reason: null,
  };
}

/** What happened during a rollback. */
export interface RollbackRecord {
  reason: string;
  startedAt: string;
  endedAt: string | null;
  aborted: boolean;
  rolledBack: boolean;
  verified: boolean;
  message: string;
  smoke: SmokeCheckResult[];
}

/** One SLO measurement as the source reported it: what it queried and what it counted. */
export interface SloReadingRecord {
  at: string;
  /** The SLO source's name. */
  source: string;
  track: "canary" | "stable";
  version: string;
  /** The canary weight while it was measured (null before the first step). */
  weight: number | null;
  windowStart: string;
  windowEnd: string;
  /** The queries or monitor names the source reported, secret-free. */
  queries: string[];
  requestCount: number | null;
  errorCount: number | null;
}

/** How one environment of a release with waves ended. */
export type EnvironmentState =
  | "pending"
  | "running"
  | "promoted"
  | "breached"
  | "failed"
  | "cancelled"
  | "not_started";

/**
 * One environment of a release with waves: its own steps, evidence and rollback live in
 * `record` (a run record of its own; tag, CI, incidents and warnings are the release's).
 */
export interface EnvironmentRecord {
  name: string;
  /** The wave it belongs to (0-based). */
  wave: number;
  state: EnvironmentState;
  /** Why it stopped, when it did. */
  summary: string | null;
  deployer: string;
  sloSource: string;
  /** When its canary completed (promoted and stabilized); the newest is rolled back first. */
  promotedAt: string | null;
  /** The ref of its own lock, when it has one. */
  lockRef: string | null;
  /** After a breach elsewhere under `halt`: left on the new version on purpose. */
  held: boolean;
  record: RunRecord;
}

/** One wave of a release with waves. */
export interface WaveRecord {
  /** 0-based. */
  index: number;
  environments: string[];
  startedAt: string | null;
  endedAt: string | null;
  result: "pending" | "running" | "promoted" | "stopped";
  /** The bake after this wave, in minutes (0 after the last). */
  bakeMinutes: number;
}

/** Everything a run learns, from which the report, status files and outcome are written. */
export interface RunRecord {
  spec: ReleaseSpec;
  dryRun: boolean;
  /** Who ran the release (see `resolveCaptain`), or null when nobody could be named. */
  captain?: string | null;
  startedAt: string;
  endedAt: string | null;
  lockRef: string | null;
  lockTookOverFrom: string | null;
  tag: {
    name: string;
    sha: string;
    reused: boolean;
    created: boolean;
    /** The remote the created tag was pushed to (`origin`); null or absent: local only. */
    pushedTo?: string | null;
    /** The created tag's signature; null or absent: unsigned. */
    signature?: TagSignature | null;
  } | null;
  preparation: { ok: boolean; findings: PreparationFinding[] } | null;
  ci: {
    verdict: "green" | "red" | "pending" | "error";
    checks: CiCheck[];
    reason: string | null;
    waitedMs: number;
  } | null;
  signOffs: SignOff[];
  missingSignOffs: string[];
  preflight: PreflightReport | null;
  /** The deployer's revisions when the report was written (deployers with `history`). */
  deployHistory: DeploymentRevision[] | null;
  deployStarted: boolean;
  promoted: boolean;
  steps: StepRecord[];
  rollback: RollbackRecord | null;
  suspects: SuspectChange[];
  changes: ChangeRecord[] | null;
  changelog: RenderedChangelog | null;
  incidents: IncidentRef[];
  /** Incidents of earlier releases resolved by this successful one. */
  resolvedIncidents: IncidentRef[];
  evidence: EvidenceEntry[];
  /** The canary chart beside the report, once written. */
  chartPath: string | null;
  /** Every event of the run, in order, as emitted (the incident's timeline). */
  timeline?: ReleaseEvent[];
  /** Every SLO measurement that answered, in order (the incident's detection and impact). */
  sloReadings?: SloReadingRecord[];
  errors: { step: string; error: ShipgateError }[];
  warnings: string[];
  paths: string[];
  outcome: ReleaseOutcome | null;
  /** A release with waves: its waves and environments (absent for one environment). */
  waves?: WaveRecord[];
  environments?: EnvironmentRecord[];
  /** The environment where a release with waves stopped (its breach, its error). */
  stoppedIn?: string | null;
  /** The on_wave_failure policy in force (a release with waves). */
  onWaveFailure?: "rollback_all" | "halt";
}

/** A fresh record. */
export function newRunRecord(spec: ReleaseSpec, dryRun: boolean, startedAt: string): RunRecord {
  return {
    spec,
    dryRun,
    captain: null,
    startedAt,
    endedAt: null,
    lockRef: null,
    lockTookOverFrom: null,
    tag: null,
    preparation: null,
    ci: null,
    signOffs: [],
    missingSignOffs: [],
    preflight: null,
    deployHistory: null,
    deployStarted: false,
    promoted: false,
    steps: [],
    rollback: null,
    suspects: [],
    changes: null,
    changelog: null,
    incidents: [],
    resolvedIncidents: [],
    evidence: [],
    chartPath: null,
    timeline: [],
    sloReadings: [],
    errors: [],
    warnings: [],
    paths: [],
    outcome: null,
  };
}
