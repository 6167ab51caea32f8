import type { IncidentSink } from "../contracts/incident-sink.js";
import type { LockHandle, LockHolder, ReleaseLock } from "../contracts/release-lock.js";
import { type ShipgateError, toShipgateError } from "../errors/shipgate-error.js";
import { EXIT_CODES, type ReleaseOutcome } from "../model/release-outcome.js";
import type { ReleaseStack } from "../model/release-stack.js";
import {
  newRunRecord,
  openStepRecord,
  type RollbackRecord,
  type StepRecord,
} from "../model/run-record.js";
import { createSmokeChecks } from "../verification/smoke-checks-from-spec.js";
import { runCanary } from "./canary-step.js";
import { writeChangelog } from "./changelog-step.js";
import { judgeFor } from "./choose-judge.js";
import { type JournalFacts, journalFacts } from "./crashed-release.js";
import { environmentContext, newEnvironmentRecord } from "./environment-run.js";
import { openIncident, resolveOpenIncidents } from "./incident-step.js";
import { journal, relaxJournal } from "./journal-step.js";
import { notify } from "./notify-step.js";
import { previousTiming, writeReport } from "./report-step.js";
import { runRollback } from "./rollback-step.js";
import type { Emit, RunContext, Stop } from "./run-context.js";
import { giveBackLocks, takeEnvironmentLock, wavesOutcomeFacts } from "./waves-step.js";

/** Who recovers, under which lock, with which parts: what every recovery step needs. */
export interface RecoveryContext {
  stack: ReleaseStack;
  /** Where the incident goes when no incident sink is configured. */
  fileIncidents: IncidentSink;
  /** The service's release lock, already held by `holder`. */
  handle: LockHandle;
  holder: LockHolder;
  emit: Emit;
}

/** What {@link recoverFromJournal} did. */
export interface RecoveryResult {
  /** The crashed attempt's final outcome, as written to its report. */
  outcome: ReleaseOutcome;
  /**
   * True when production was never touched (the run died before its canary started):
   * the crashed attempt is closed and a new release may go ahead.
   */
  productionUntouched: boolean;
}

/**
 * Reads the service's journal under the lock `handle` (already held by `holder`) and,
 * when the last release there did not finish, recovers it. Resolves to null when there is
 * nothing to recover; to a `FAILED` outcome (no recovery done) when the journal cannot be
 * read — a new release must not start over a journal nobody understands.
 */
export async function recoverIfCrashed(
  recovery: RecoveryContext,
  service: string,
  resume?: { signal: AbortSignal },
): Promise<RecoveryResult | { unreadable: ShipgateError } | null> {
  const { stack } = recovery;
  if (!stack.journal) return null;
  const read = await stack.journal.read(service, { signal: new AbortController().signal });
  if (read.isErr()) return { unreadable: read.error };
  if (!read.value || read.value.records.length === 0) return null;
  const facts = journalFacts(read.value);
  if (facts.isErr()) return { unreadable: facts.error };
  if (facts.value.finished) return null;
  return recoverFromJournal(recovery, facts.value, resume);
}

/**
 * Recovers a release its journal says did not finish. A release whose success was decided
 * (promoted, stabilization passed) before the crash is live: its changelog and report are
 * finished (`SUCCESS`, exit 0, the report says it was recovered). Otherwise the default
 * (and only) mode is the safe one: if any canary weight may have been set, abort
 * and roll back — unless a journaled rollback already took effect (the deployer's actual
 * state is checked first, so nothing is rolled back twice) — verify, file the incident,
 * and write the crashed attempt's report as `ABORTED` / `recovered_after_crash` (exit 3).
 * A run that died before its canary started is closed as `FAILED` / `recovered_after_crash`
 * (its tag, if any, points at its sha and is reused by the next attempt). Every action is
 * journaled first, so killing a recovery and recovering again converges.
 */
export async function recoverFromJournal(
  recovery: RecoveryContext,
  facts: JournalFacts,
  resume?: { signal: AbortSignal },
): Promise<RecoveryResult> {
  const { stack, fileIncidents, handle, holder, emit } = recovery;
  const { spec } = facts;
  const cleanupSignal = new AbortController().signal;
  const withSmoke: ReleaseStack = spec.smoke_checks.length
    ? {
        ...stack,
        smokeChecks: [
          ...(stack.smokeChecks ?? []),
          ...createSmokeChecks(spec.smoke_checks, { clock: stack.clock }),
        ],
      }
    : stack;
  const record = newRunRecord(spec, false, facts.startedAt);
  record.lockRef = handle.ref;
  record.lockTookOverFrom = facts.holder
    ? `${facts.holder.host}:${facts.holder.pid} (${spec.version})`
    : facts.run;
  record.deployStarted = facts.deployAnnounced;
  record.promoted = facts.promoteAnnounced;
  if (facts.tagAnnounced)
    record.tag = { name: spec.version, sha: spec.sha, reused: false, created: true };
  record.steps = stepsFrom(facts);
  const gate = facts.records.find((r) => r.type === "ci.gate");
  if (gate && typeof gate.data.verdict === "string")
    record.ci = {
      verdict: gate.data.verdict as NonNullable<typeof record.ci>["verdict"],
      checks: Array.isArray(gate.data.checks)
        ? (gate.data.checks as NonNullable<typeof record.ci>["checks"])
        : [],
      reason: null,
      waitedMs: typeof gate.data.waitedMs === "number" ? gate.data.waitedMs : 0,
    };
  const ctx: RunContext = {
    spec,
    stack: withSmoke,
    dryRun: false,
    signal: cleanupSignal,
    cleanupSignal,
    record,
    target: {
      service: spec.service,
      environment: spec.environment,
      version: spec.version,
      sha: spec.sha,
      canarySteps: spec.canary_steps,
    },
    // A resumed canary is judged afresh: the polls seen before the crash are not journaled.
    judge: stack.judge ?? judgeFor(spec),
    observations: [],
    emit,
    now: () => new Date(stack.clock.now()).toISOString(),
    journal: stack.journal
      ? {
          journal: stack.journal,
          service: spec.service,
          run: holder.id,
          seq: facts.last.seq,
          strict: false,
        }
      : undefined,
  };
  const existing = facts.report.path ? await stack.artifacts.read(facts.report.path) : null;
  ctx.report = facts.report.path
    ? {
        path: facts.report.path,
        attempt: facts.report.attempt,
        // The crashed attempt's own report: replacing it is finishing it, not overwriting another attempt.
        claimed: existing?.isOk() === true && existing.value !== null,
        previous: await previousTiming(ctx),
      }
    : undefined;
  const who = facts.holder ? `pid ${facts.holder.pid} on ${facts.holder.host}` : facts.run;
  const stoppedAt = `${facts.last.type} (record ${facts.last.seq}, ${facts.last.at})`;
  const why = `the run ${who} stopped without finishing, after ${stoppedAt}`;
  record.warnings.push(
    `RECOVERED AFTER A CRASH: ${why}; recovered by ${holder.host} (pid ${holder.pid})${facts.recoveries ? ` after ${facts.recoveries} interrupted recover${facts.recoveries > 1 ? "ies" : "y"}` : ""}`,
  );
  if (facts.truncatedTail)
    record.warnings.push(
      "the journal's last record was cut short by the crash and was dropped (it never happened)",
    );
  let resumeAt: number | null = null;
  if (resume) {
    const decided = spec.waves
      ? "a release with waves is rolled back after a crash, never resumed"
      : await resumeDecision(ctx, facts);
    if (typeof decided === "number") resumeAt = decided;
    else if (!spec.policy.resume_after_crash) {
      // Not allowed: change nothing, so the operator can choose to roll back instead.
      const refused = recoveredOutcome(
        ctx,
        "FAILED",
        EXIT_CODES.FAILED,
        `cannot resume: ${decided}; run \`shipgate recover\` without --resume to roll the release back`,
      );
      refused.reason = "tool_error";
      return { outcome: refused, productionUntouched: false };
    } else record.warnings.push(`could not resume (${decided}): rolled back instead`);
  }
  await journal(ctx, "recovery.started", {
    mode: resumeAt === null ? "rollback" : "resume",
    ...(resumeAt === null ? {} : { resumeAt: spec.canary_steps[resumeAt] ?? 100 }),
    by: { host: holder.host, pid: holder.pid, id: holder.id },
    why,
  });

  let outcome: ReleaseOutcome;
  if (resumeAt !== null && resume) {
    outcome = await resumeCanary(ctx, fileIncidents, resumeAt, resume.signal, why);
  } else if (facts.outcome?.status === "SUCCESS" && facts.deployAnnounced) {
    // Promoted and stabilized before the crash: the release is live; finish its paperwork.
    await journal(ctx, "changelog");
    await writeChangelog(ctx, cleanupSignal);
    const summary = `${spec.service} ${spec.version} is live in ${spec.environment} (the run ${who} stopped after the release succeeded; recovery finished its changelog and report)`;
    outcome = recoveredOutcome(ctx, "SUCCESS", EXIT_CODES.SUCCESS, summary);
    outcome.reason = "released";
  } else if (!facts.deployAnnounced) {
    await journal(ctx, "outcome", {
      status: "FAILED",
      reason: "recovered_after_crash",
      summary: why,
    });
    outcome = recoveredOutcome(
      ctx,
      "FAILED",
      EXIT_CODES.FAILED,
      `recovered after a crash: ${why}; nothing had been deployed`,
    );
  } else {
    const summary = `recovered after a crash: ${why}; the canary was rolled back`;
    await journal(ctx, "outcome", { status: "ABORTED", reason: "recovered_after_crash", summary });
    if (spec.waves) await rollBackWavesOnce(ctx, facts, why, holder);
    else await rollBackOnce(ctx, facts, why);
    if (!facts.incidentFiled) {
      const weight = facts.weightsAnnounced.at(-1) ?? null;
      await openIncident(
        ctx,
        fileIncidents,
        `the release was interrupted (${why}) and rolled back`,
        weight,
        ctx.report?.path ?? "",
        facts.incidentKey ? { filedBefore: facts.incidentKey } : {},
      );
    }
    if (record.rollback && !record.rollback.verified)
      record.warnings.push(`ROLLBACK NOT VERIFIED: ${record.rollback.message}`);
    outcome = recoveredOutcome(ctx, "ABORTED", EXIT_CODES.ABORTED, summary);
    if (spec.waves) Object.assign(outcome, wavesOutcomeFacts(record));
    outcome.paths.incident ??= facts.incidentPath;
  }
  await journal(ctx, "report", {
    path: ctx.report?.path ?? null,
    attempt: ctx.report?.attempt ?? null,
    status: outcome.status,
  });
  const path = await writeReport(ctx, outcome, {
    path: facts.report.path,
    attempt: facts.report.attempt,
  });
  if (path) {
    outcome.paths.report = path;
    outcome.paths.all.push(path);
  } else outcome.warnings.push("the report of the crashed attempt could not be written");
  await notify(
    ctx,
    outcome.status === "ABORTED"
      ? "release_aborted"
      : outcome.status === "SUCCESS"
        ? "release_succeeded"
        : "release_failed",
    `${spec.service} ${spec.version} → ${spec.environment}: ${outcome.status} — ${outcome.summary}`,
    {
      reportPath: outcome.paths.report ?? undefined,
    },
  );
  await journal(ctx, "finished", {
    status: outcome.status,
    reason: outcome.reason,
    exitCode: outcome.exitCode,
    report: outcome.paths.report,
  });
  record.outcome = outcome;
  return { outcome, productionUntouched: !facts.deployAnnounced };
}

/**
 * Rolls back unless a journaled rollback already took effect: the deployer's actual state
 * decides, so a rollback is never done twice (an "undo" run twice goes back two versions).
 */
async function rollBackOnce(ctx: RunContext, facts: JournalFacts, why: string): Promise<void> {
  if (facts.rollbackAnnounced) {
    const state = await ctx.stack.deployer.verifyStable(ctx.target, { signal: ctx.cleanupSignal });
    if (state.isOk() && state.value.serving) {
      const message = `already rolled back before the crash: stable version ${state.value.stableVersion ?? "(unknown)"} is serving${state.value.message ? ` (${state.value.message})` : ""}`;
      ctx.record.rollback = {
        reason: why,
        startedAt: ctx.now(),
        endedAt: ctx.now(),
        aborted: true,
        rolledBack: true,
        verified: true,
        message,
        smoke: [],
      };
      await journal(ctx, "verification", { verified: true, message });
      ctx.emit({ type: "rollback.finished", verified: true, message });
      return;
    }
  }
  await runRollback(ctx, `recovering an interrupted release: ${why}`);
}

/**
 * A release with waves: every environment whose canary may have started (a journaled
 * `deploy.start` naming it) is rolled back, newest first, each verified — unless a
 * journaled rollback of it already took effect (its deployer's actual state decides). A
 * crash voids `on_wave_failure: halt`: what moved goes back. An environment with its own
 * lock is rolled back under it, as the release moved it: the recovery takes the lock first
 * (a dead holder's is taken over) and gives it back after; while another live release holds
 * it, that environment is left alone — someone else is moving it — and its rollback is
 * not verified. So is an environment the stack no longer configures.
 */
async function rollBackWavesOnce(
  ctx: RunContext,
  facts: JournalFacts,
  why: string,
  holder: LockHolder,
) {
  const { spec, record, stack } = ctx;
  const waves = spec.waves ?? [];
  const ofEnvironment = (name: string) =>
    facts.records.filter((r) => r.type === "release.started" || r.data.environment === name);
  const moved = facts.records
    .filter((r) => r.type === "deploy.start" && typeof r.data.environment === "string")
    .map((r) => r.data.environment as string)
    .reverse();
  record.waves = waves.map((environments, index) => ({
    index,
    environments,
    startedAt: null,
    endedAt: null,
    result: environments.some((e) => moved.includes(e)) ? "stopped" : "pending",
    bakeMinutes: index < waves.length - 1 ? (spec.bake_minutes ?? 0) : 0,
  }));
  record.onWaveFailure = spec.on_wave_failure ?? "rollback_all";
  record.environments = [];
  for (const [index, environments] of waves.entries())
    for (const name of environments) {
      const configured = stack.environments?.[name];
      const env = newEnvironmentRecord(
        record,
        name,
        index,
        configured ?? { deployer: stack.deployer, slo: stack.slo },
      );
      env.record.steps = stepsFrom({ ...facts, records: ofEnvironment(name) });
      env.record.deployStarted = moved.includes(name);
      env.state = env.record.deployStarted ? "cancelled" : "not_started";
      if (env.record.deployStarted) env.summary = "interrupted by a crash";
      record.environments.push(env);
    }
  const held: { lock: ReleaseLock; handle: LockHandle }[] = [];
  try {
    for (const name of moved) {
      const env = record.environments.find((e) => e.name === name);
      const configured = stack.environments?.[name];
      if (!env || !configured) {
        record.warnings.push(
          `ROLLBACK NOT VERIFIED in ${name}: the environment is not configured any more; roll it back by hand`,
        );
        continue;
      }
      if (configured.lock) {
        const taken = await takeEnvironmentLock(
          ctx,
          env,
          configured.lock,
          holder,
          held,
          ctx.cleanupSignal,
        );
        if (taken.isErr()) {
          const message = `not rolled back: could not take the lock of ${name} (${taken.error.describe()}); check what runs there and roll it back by hand if it is still ${spec.version}`;
          env.record.rollback = notRolledBack(ctx, why, message);
          env.summary = message;
          record.warnings.push(`ROLLBACK NOT VERIFIED in ${name}: ${message}`);
          continue;
        }
      }
      const envCtx = environmentContext(ctx, env, configured, ctx.cleanupSignal);
      const own = ofEnvironment(name);
      await rollBackOnce(
        envCtx,
        { ...facts, rollbackAnnounced: own.some((r) => r.type === "rollback") },
        why,
      );
      if (!env.record.rollback?.verified)
        record.warnings.push(
          `ROLLBACK NOT VERIFIED in ${name}: ${env.record.rollback?.message ?? "no rollback ran"}`,
        );
    }
  } finally {
    await giveBackLocks(ctx, held);
  }
}

/** The rollback record of an environment the recovery had to leave alone. */
function notRolledBack(ctx: RunContext, why: string, message: string): RollbackRecord {
  const at = new Date(ctx.stack.clock.now()).toISOString();
  return {
    reason: `recovering an interrupted release: ${why}`,
    startedAt: at,
    endedAt: at,
    aborted: false,
    rolledBack: false,
    verified: false,
    message,
    smoke: [],
  };
}

function stepsFrom(facts: JournalFacts): StepRecord[] {
  const steps: StepRecord[] = [];
  for (const r of facts.records) {
    if (r.type === "weight.set" && typeof r.data.weight === "number")
      steps.push(openStepRecord(r.data.weight, "canary", r.at));
    if (r.type === "step.verdict" && typeof r.data.weight === "number") {
      let step = steps.findLast((s) => s.weight === r.data.weight && s.result === "running");
      if (!step || r.data.phase === "stabilization") {
        step = openStepRecord(
          r.data.weight,
          r.data.phase === "stabilization" ? "stabilization" : "canary",
          r.at,
        );
        steps.push(step);
      }
      step.result = (r.data.result as StepRecord["result"]) ?? "error";
      step.reason = typeof r.data.reason === "string" ? r.data.reason : null;
      step.endedAt = r.at;
      if (typeof r.data.errorRate === "number") step.errorRate = r.data.errorRate;
      if (typeof r.data.p95LatencyMs === "number") step.p95LatencyMs = r.data.p95LatencyMs;
    }
  }
  // A step the crash interrupted: its verdict never came.
  for (const s of steps)
    if (s.result === "running") {
      s.result = "cancelled";
      s.reason = "interrupted by a crash";
    }
  return steps;
}

function recoveredOutcome(
  ctx: RunContext,
  status: "SUCCESS" | "ABORTED" | "FAILED",
  exitCode: number,
  summary: string,
): ReleaseOutcome {
  const { record, spec } = ctx;
  const endedAt = ctx.now();
  record.endedAt = endedAt;
  return {
    status,
    reason: "recovered_after_crash",
    exitCode,
    summary,
    version: spec.version,
    service: spec.service,
    dryRun: false,
    maxWeightReached: record.steps.reduce((m, s) => Math.max(m, s.weight), 0),
    rolledBack: record.rollback !== null,
    rollbackVerified: record.rollback ? record.rollback.verified : null,
    paths: {
      report: null,
      incident: record.incidents.find((i) => i.path)?.path ?? null,
      all: [...record.paths],
    },
    warnings: [...record.warnings, ...record.errors.map((e) => `${e.step}: ${e.error.describe()}`)],
    startedAt: record.startedAt,
    endedAt,
  };
}

/**
 * Whether a crashed release may be resumed, and from which canary step: the policy allows
 * it, its canary started and no outcome, promotion or rollback was journaled, every verdict
 * so far passed, and the deployer's actual state is the one the journal left (the canary
 * version, at the last passed weight or the one announced after it). Else: why not.
 */
async function resumeDecision(ctx: RunContext, facts: JournalFacts): Promise<number | string> {
  const { spec } = ctx;
  if (!spec.policy.resume_after_crash) return "the release's policy.resume_after_crash is off";
  if (!facts.deployAnnounced) return "its canary had not started (run the release again)";
  if (facts.outcome) return `its outcome was already decided (${facts.outcome.status})`;
  if (facts.promoteAnnounced) return "its promotion may have started";
  if (facts.rollbackAnnounced) return "a rollback was already under way";
  const verdicts = facts.records.filter((r) => r.type === "step.verdict");
  if (verdicts.some((r) => r.data.result !== "passed")) return "a step had not passed";
  const passed = verdicts.length;
  const status = await ctx.stack.deployer.status(ctx.target, { signal: ctx.cleanupSignal });
  if (status.isErr()) return `the deployer's state could not be read: ${status.error.describe()}`;
  const s = status.value;
  const expected = new Set([
    passed === 0 ? 0 : spec.canary_steps[passed - 1]!,
    ...facts.weightsAnnounced.slice(passed),
  ]);
  if (s.canaryVersion !== spec.version)
    return `the deployer shows canary ${s.canaryVersion ?? "none"}, not ${spec.version}`;
  if (!["progressing", "paused", "healthy"].includes(s.phase))
    return `the deployer's rollout is ${s.phase}`;
  if (!expected.has(s.canaryWeight))
    return `the canary is at ${s.canaryWeight}%, not where the journal left it (${[...expected].join(" or ")}%)`;
  return passed;
}

/** Runs the rest of a resumed canary, then the same clean-up as a release. */
async function resumeCanary(
  ctx: RunContext,
  fileIncidents: IncidentSink,
  resumeAt: number,
  signal: AbortSignal,
  why: string,
): Promise<ReleaseOutcome> {
  const { spec, record } = ctx;
  const run: RunContext = { ...ctx, signal };
  if (run.journal) run.journal.strict = true;
  record.deployStarted = true;
  record.steps = record.steps.filter((step) => step.result === "passed");
  ctx.emit({
    type: "warning",
    message: `resuming the canary at ${spec.canary_steps[resumeAt]}% after a crash`,
  });
  let stop: Stop | null;
  try {
    stop = await runCanary(run, resumeAt);
  } catch (thrown) {
    const error = toShipgateError(thrown, "resumed canary crashed");
    stop = {
      status: "ABORTED",
      reason: "internal_error",
      summary: `internal error: ${error.message}`,
      error,
    };
  }
  relaxJournal(run);
  await journal(run, "outcome", {
    status: stop ? "ABORTED" : "SUCCESS",
    reason: stop?.reason ?? "released",
    summary: stop?.summary ?? "",
  });
  if (!stop) {
    await journal(run, "changelog");
    await writeChangelog(run, run.cleanupSignal);
    await resolveOpenIncidents(run);
    const outcome = recoveredOutcome(
      run,
      "SUCCESS",
      EXIT_CODES.SUCCESS,
      `${spec.service} ${spec.version} is live in ${spec.environment} (resumed after a crash: ${why})`,
    );
    outcome.reason = "released";
    return outcome;
  }
  await runRollback(run, stop.summary);
  if (stop.reason !== "cancelled") {
    await openIncident(
      run,
      fileIncidents,
      stop.summary,
      record.steps.at(-1)?.weight ?? null,
      run.report?.path ?? "",
    );
  }
  if (record.rollback && !record.rollback.verified)
    record.warnings.push(`ROLLBACK NOT VERIFIED: ${record.rollback.message}`);
  const outcome = recoveredOutcome(
    run,
    "ABORTED",
    stop.reason === "cancelled" ? EXIT_CODES.CANCELLED : EXIT_CODES.ABORTED,
    stop.summary,
  );
  outcome.reason = stop.reason;
  if (stop.error) outcome.error = stop.error;
  return outcome;
}
