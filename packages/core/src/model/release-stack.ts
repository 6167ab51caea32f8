import type { ResultAsync } from "neverthrow";
import type { ApprovalGate } from "../contracts/approval-gate.js";
import type { ArtifactStore } from "../contracts/artifact-store.js";
import type { ChangelogRenderer } from "../contracts/changelog-renderer.js";
import type { CiProvider } from "../contracts/ci-provider.js";
import type { Clock } from "../contracts/clock.js";
import type { Deployer } from "../contracts/deployer.js";
import type { IncidentSink } from "../contracts/incident-sink.js";
import type { Notifier } from "../contracts/notifier.js";
import type { ReleaseJournal } from "../contracts/release-journal.js";
import type { ReleaseLock } from "../contracts/release-lock.js";
import type { SloSource } from "../contracts/slo-source.js";
import type { SmokeCheck } from "../contracts/smoke-check.js";
import type { SourceControl } from "../contracts/source-control.js";
import type { ShipgateError } from "../errors/shipgate-error.js";
import type { Judge } from "../judge/judge.js";
import type { PreparationReport } from "./preparation-report.js";
import type { PreparationSpec } from "./release-spec.js";

/**
 * Everything a release talks to. The orchestrator always files the incident in the
 * artifact store first (a file under `incidents/`), then in each of `incidents`.
 */
export interface ReleaseStack {
  sourceControl: SourceControl;
  ci: CiProvider;
  deployer: Deployer;
  slo: SloSource;
  changelog: ChangelogRenderer;
  lock: ReleaseLock;
  /**
   * The write-ahead journal next to the lock: one record per state change, so a crashed
   * run can be recovered (by the next release, or `recover`). Without it, a `kill -9`
   * leaves nothing to recover from.
   */
  journal?: ReleaseJournal;
  clock: Clock;
  artifacts: ArtifactStore;
  /** Extra incident sinks (PagerDuty, an issue tracker), after the file incident. */
  incidents?: IncidentSink[];
  /** Needed when the release lists approvers. */
  approvals?: ApprovalGate;
  /** Best effort; failures are recorded, never change the outcome. */
  notifiers?: Notifier[];
  /** Probes run after each weight change, after the last step and after a rollback. */
  smokeChecks?: SmokeCheck[];
  /** Runs the release's `preparation` checks; without it, a spec with `preparation` fails. */
  prepare?: PreparationRunner;
  /** Decides each canary step; default: the one `policy.judge` names (see `judgeFor`). */
  judge?: Judge;
  /** Identifies this run in the lock (defaults: this host and pid). */
  holder?: { host: string; pid: number };
  /**
   * The environments a release with `waves` runs in, by name. Each has its own deployer,
   * SLO source and smoke checks; `deployer` and `slo` above serve single-environment
   * releases only.
   */
  environments?: Readonly<Record<string, EnvironmentStack>>;
}

/** What one environment of a release wave talks to. */
export interface EnvironmentStack {
  deployer: Deployer;
  slo: SloSource;
  /** Probes of this environment, run after the stack's own (which every environment shares). */
  smokeChecks?: SmokeCheck[];
  /**
   * The environment's own lock (a Lease in its cluster, say), taken after the service's
   * release lock and held until the release ends, so nothing else deploys there meanwhile.
   */
  lock?: ReleaseLock;
}

/** Runs preparation checks (see `verification/`). */
export type PreparationRunner = (
  spec: PreparationSpec,
  signal: AbortSignal,
) => ResultAsync<PreparationReport, ShipgateError>;
