import type { Clock } from "../contracts/clock.js";
import type { EnvironmentStack } from "../model/release-stack.js";
import { type EnvironmentRecord, newRunRecord, type RunRecord } from "../model/run-record.js";
import { judgeFor } from "./choose-judge.js";
import { recordingSloSource } from "./recording-slo-source.js";
import type { Emit, RunContext } from "./run-context.js";

/**
 * A fresh record for one environment of a release with waves. Its steps, evidence, SLO
 * readings, preflight and rollback are its own; the tag, CI, captain, incidents, errors,
 * warnings, paths and timeline are the release's (the same arrays), so whatever the
 * environment's canary records lands in the one report.
 */
export function newEnvironmentRecord(
  parent: RunRecord,
  name: string,
  wave: number,
  environment: EnvironmentStack,
): EnvironmentRecord {
  const record = newRunRecord(
    { ...parent.spec, environment: name },
    parent.dryRun,
    parent.startedAt,
  );
  record.captain = parent.captain ?? null;
  record.tag = parent.tag;
  record.ci = parent.ci;
  record.lockRef = parent.lockRef;
  record.incidents = parent.incidents;
  record.errors = parent.errors;
  record.warnings = parent.warnings;
  record.paths = parent.paths;
  record.timeline = parent.timeline;
  return {
    name,
    wave,
    state: "pending",
    summary: null,
    deployer: environment.deployer.name,
    sloSource: environment.slo.name,
    promotedAt: null,
    lockRef: null,
    held: false,
    record,
  };
}

/**
 * The run context of one environment: the release's, with the environment's deployer, SLO
 * source (recorded into the environment's record), smoke checks (the release's, then its
 * own), target and record. Its events and journal records name the environment; `signal`
 * stops it (a wave's own, so a breach next door stops it too). Environments that run side
 * by side each pass their own `clock` lane (see `Clock.fork`); others use the release's.
 */
export function environmentContext(
  parent: RunContext,
  env: EnvironmentRecord,
  environment: EnvironmentStack,
  signal: AbortSignal,
  clock: Clock = parent.stack.clock,
): RunContext {
  const now = () => new Date(clock.now()).toISOString();
  const record = env.record;
  // Refreshed each time: the tag is known only after the environments were set up.
  record.tag = parent.record.tag;
  record.captain = parent.record.captain ?? null;
  const emit: Emit = (event) =>
    parent.emit({ at: now(), ...event, environment: env.name } as unknown as Parameters<Emit>[0]);
  const smokeChecks = [...(parent.stack.smokeChecks ?? []), ...(environment.smokeChecks ?? [])];
  return {
    spec: record.spec,
    stack: {
      ...parent.stack,
      clock,
      deployer: environment.deployer,
      slo: recordingSloSource(environment.slo, record, now),
      smokeChecks: smokeChecks.length ? smokeChecks : undefined,
    },
    dryRun: parent.dryRun,
    signal,
    cleanupSignal: parent.cleanupSignal,
    record,
    target: { ...parent.target, environment: env.name },
    judge: parent.stack.judge ?? judgeFor(record.spec),
    observations: [],
    emit,
    now,
    journal: parent.journal,
    environment: { name: env.name, parent },
  };
}
