import { hostname } from "node:os";
import { okAsync } from "neverthrow";
import { renderDeployNote } from "../artifacts/deploy-note.js";
import type { DeployTarget } from "../contracts/deployer.js";
import type { NotificationKind } from "../contracts/notifier.js";
import type { LockHandle, LockHolder } from "../contracts/release-lock.js";
import { createFileIncidentSink } from "../defaults/file-incident-sink.js";
import { type ShipgateError, toShipgateError } from "../errors/shipgate-error.js";
import type { ReleaseEvent } from "../model/release-events.js";
import {
  EXIT_CODES,
  type ReleaseOutcome,
  type ReleaseReason,
  type ReleaseStatus,
} from "../model/release-outcome.js";
import { type ReleaseSpec, releaseSpecSchema } from "../model/release-spec.js";
import type { ReleaseStack } from "../model/release-stack.js";
import { newRunRecord } from "../model/run-record.js";
import { isoTime } from "../util/iso-time.js";
import { createSmokeChecks } from "../verification/smoke-checks-from-spec.js";
import { runCanary } from "./canary-step.js";
import { findCaptain } from "./captain.js";
import { writeChangelog } from "./changelog-step.js";
import { writeCanaryChart } from "./chart-step.js";
import { judgeFor } from "./choose-judge.js";
import { runCiGate } from "./ci-gate-step.js";
import { earlyOutcome } from "./early-outcome.js";
import { openIncident, resolveOpenIncidents } from "./incident-step.js";
import { journal, relaxJournal, startJournal } from "./journal-step.js";
import { notify } from "./notify-step.js";
import { recordingSloSource } from "./recording-slo-source.js";
import { type RecoveryRequest, recoverRun, recoveryStopsRelease } from "./recovery-run.js";
import { reserveReportPath, writeReport } from "./report-step.js";
import { runRollback } from "./rollback-step.js";
import type { Emit, RunContext, Stop } from "./run-context.js";
import { alreadyLiveStop, fenced, lockLostError, stopForError } from "./run-context.js";
import { runSignOffGate } from "./sign-off-step.js";
import { takeLock } from "./take-lock.js";
import { validateRelease } from "./validate-step.js";
import {
  prepareWaves,
  releaseEnvironmentLocks,
  rollbackWaves,
  runWaves,
  wavesOutcomeFacts,
  writeEnvironmentCharts,
} from "./waves-step.js";
import { zodToShipgateError } from "./zod-issues.js";

/** Options of one release run. */
export interface ReleaseRunOptions {
  /** Validate, gate and plan; tag and deploy nothing. */
  dryRun?: boolean;
  /** Fire to cancel: a running canary is rolled back, the report written, the lock released. */
  signal?: AbortSignal;
  /** Progress, for live views and logs. A throwing listener is ignored. */
  onEvent?: (event: ReleaseEvent) => void;
  /** Where the default release captain is read (`GITHUB_ACTOR`, …). Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Runs releases on a stack. */
export interface ReleaseOrchestrator {
  /** Runs one release. Never rejects: every failure is an outcome. */
  release(input: unknown, options?: ReleaseRunOptions): Promise<ReleaseOutcome>;
  /**
   * Recovers the service's last release if its journal says it did not finish (its runner
   * died): takes the lock over from the dead holder, rolls a started canary back, writes
   * the crashed attempt's report and releases the lock. Resolves to null when there was
   * nothing to recover. Never rejects.
   */
  recover(request: RecoveryRequest, options?: ReleaseRunOptions): Promise<ReleaseOutcome | null>;
}

let runCounter = 0;

/**
 * Creates the orchestrator over a stack of contract implementations.
 *
 * @example
 * ```ts
 * const orchestrator = createReleaseOrchestrator(stack);
 * const outcome = await orchestrator.release(spec, { onEvent: console.log });
 * process.exitCode = outcome.exitCode;
 * ```
 */
export function createReleaseOrchestrator(stack: ReleaseStack): ReleaseOrchestrator {
  const fileIncidents = createFileIncidentSink({ store: stack.artifacts });
  return {
    async release(input, options = {}) {
      const startedMs = stack.clock.now();
      const iso = () => isoTime(stack.clock.now());
      const emitRaw = (event: ReleaseEvent) => {
        try {
          options.onEvent?.(event);
        } catch {
          // A broken listener must not break a release.
        }
      };
      const parsed = releaseSpecSchema.safeParse(input);
      if (!parsed.success) {
        const error = zodToShipgateError(parsed.error, "", "release input");
        const outcome = inputOutcome(
          "FAILED",
          "invalid_input",
          EXIT_CODES.FAILED,
          error.message,
          iso(),
          iso(),
          options,
          error,
          input,
        );
        emitRaw({ at: iso(), type: "release.finished", outcome });
        return outcome;
      }
      return runRelease(stack, fileIncidents, parsed.data, options, startedMs, emitRaw);
    },
    recover(request, options = {}) {
      return recoverRun(stack, fileIncidents, request, options);
    },
  };
}

async function runRelease(
  givenStack: ReleaseStack,
  fileIncidents: ReturnType<typeof createFileIncidentSink>,
  spec: ReleaseSpec,
  options: ReleaseRunOptions,
  startedMs: number,
  emitRaw: (event: ReleaseEvent) => void,
): Promise<ReleaseOutcome> {
  const dryRun = options.dryRun ?? false;
  const signal = options.signal ?? new AbortController().signal;
  const iso = () => isoTime(givenStack.clock.now());
  const record = newRunRecord(spec, dryRun, new Date(startedMs).toISOString());
  // Probes declared in the release spec run after the stack's own; SLO measurements are
  // kept in the record for the incident.
  const stack: ReleaseStack = {
    ...givenStack,
    slo: recordingSloSource(givenStack.slo, record, iso),
    ...(spec.smoke_checks.length
      ? {
          smokeChecks: [
            ...(givenStack.smokeChecks ?? []),
            ...createSmokeChecks(spec.smoke_checks, { clock: givenStack.clock }),
          ],
        }
      : {}),
  };
  const emit: Emit = (event) => {
    const stamped = { at: iso(), ...event } as ReleaseEvent;
    // The run's own timeline (the incident's); the final event carries the outcome instead.
    if (stamped.type !== "release.finished") record.timeline?.push(stamped);
    emitRaw(stamped);
  };
  const target: DeployTarget = {
    service: spec.service,
    environment: spec.environment,
    version: spec.version,
    sha: spec.sha,
    canarySteps: spec.canary_steps,
  };
  const ctx: RunContext = {
    spec,
    stack,
    dryRun,
    signal,
    cleanupSignal: new AbortController().signal,
    record,
    target,
    judge: stack.judge ?? judgeFor(spec),
    observations: [],
    emit,
    now: iso,
  };

  runCounter += 1;
  const holder = {
    id: `${stack.holder?.host ?? hostname()}-${stack.holder?.pid ?? process.pid}-${startedMs}-${runCounter}`,
    host: stack.holder?.host ?? hostname(),
    pid: stack.holder?.pid ?? process.pid,
    startedAt: record.startedAt,
    version: spec.version,
  };
  const locked = await takeLock(stack.lock, spec.service, holder, signal);
  if (locked.isErr()) {
    const error = locked.error;
    const held = error.kind === "lock_held";
    const summary = held
      ? `another release of ${spec.service} is running: ${error.message}`
      : `could not take the release lock: ${error.describe()}`;
    const outcome = inputOutcome(
      "FAILED",
      held ? "lock_held" : error.kind === "aborted" ? "cancelled" : "tool_error",
      held
        ? EXIT_CODES.LOCK_HELD
        : error.kind === "aborted"
          ? EXIT_CODES.CANCELLED
          : EXIT_CODES.FAILED,
      summary,
      record.startedAt,
      iso(),
      options,
      error,
      spec,
    );
    emit({ type: "release.finished", outcome });
    return outcome;
  }
  const handle: LockHandle = locked.value;
  // Taken over while stalled (the lock says so, or the journal): every wait and call of the
  // run stops at once.
  const fence = new AbortController();
  const lost = handle.lost;
  if (lost?.aborted) fence.abort(lost.reason);
  else lost?.addEventListener("abort", () => fence.abort(lost.reason), { once: true });
  ctx.fence = fence;
  ctx.signal = AbortSignal.any([signal, fence.signal]);
  record.lockRef = handle.ref;
  record.lockTookOverFrom = handle.tookOverFrom
    ? `${handle.tookOverFrom.host}:${handle.tookOverFrom.pid} (${handle.tookOverFrom.version})`
    : null;
  emit({
    type: "lock.acquired",
    ref: handle.ref,
    tookOverFrom: record.lockTookOverFrom ?? undefined,
  });
  if (!dryRun) {
    // A crashed release of this service is recovered before a new one starts.
    const recovered = await recoveryStopsRelease(
      { stack, fileIncidents, handle, holder, emit },
      spec.service,
    );
    if (recovered) {
      await stack.lock
        .release(handle, { signal: ctx.cleanupSignal })
        .orElse(() => okAsync(undefined));
      emit({ type: "release.finished", outcome: recovered });
      return recovered;
    }
  }
  emit({
    type: "release.started",
    service: spec.service,
    version: spec.version,
    environment: spec.environment,
    sha: spec.sha,
    dryRun,
  });

  let stop: Stop | null = null;
  let reserved = { path: "", attempt: 0 };
  try {
    record.captain = await findCaptain(spec.captain, stack, options.env ?? process.env, signal);
    reserved = await reserveReportPath(ctx);
    if (!dryRun) await startJournal(ctx, reserved, holder);
    stop = await procedure(ctx, holder);
  } catch (thrown) {
    const error = toShipgateError(thrown, "release crashed");
    record.errors.push({ step: "orchestrator", error });
    stop = {
      status: "FAILED",
      reason: "internal_error",
      summary: `internal error: ${error.message}`,
      error,
    };
  }
  if (fenced(ctx)) return await lockLostOutcome(ctx, handle);

  try {
    relaxJournal(ctx);
    await journal(ctx, "outcome", {
      status: stop?.status ?? "SUCCESS",
      reason: stop?.reason ?? "released",
      summary: stop?.summary ?? "",
    });
    // A release with waves rolls back by environment, per its on_wave_failure policy.
    if (stop && spec.waves && !dryRun && record.environments?.some((e) => e.record.deployStarted)) {
      await rollbackWaves(ctx, stop, fileIncidents, reserved.path);
      if (stop.status === "FAILED" && stop.reason !== "cancelled")
        stop = { ...stop, status: "ABORTED" };
    }
    // Anything that stopped a started canary (breach, deploy error, cancellation, a crash) rolls back.
    if (stop && record.deployStarted && !dryRun) {
      const rollback = await runRollback(ctx, stop.summary);
      await writeCanaryChart(ctx, reserved.path);
      // An inconclusive step rolled back by policy showed no harm: no incident to file.
      if (stop.reason !== "cancelled" && stop.reason !== "slo_inconclusive") {
        const breachWeight = record.steps.length
          ? record.steps[record.steps.length - 1]!.weight
          : null;
        await openIncident(ctx, fileIncidents, stop.summary, breachWeight, reserved.path);
      }
      if (stop.status === "FAILED" && stop.reason !== "cancelled")
        stop = { ...stop, status: "ABORTED" };
      if (!rollback.verified) record.warnings.push(`ROLLBACK NOT VERIFIED: ${rollback.message}`);
    }
    if (!stop) {
      await journal(ctx, "changelog");
      await writeChangelog(ctx, ctx.cleanupSignal);
      if (!dryRun) await resolveOpenIncidents(ctx);
    }
    if (!dryRun) await writeCanaryChart(ctx, reserved.path);
    if (!dryRun && spec.waves) await writeEnvironmentCharts(ctx, reserved.path);
  } catch (thrown) {
    const error = toShipgateError(thrown, "clean-up crashed");
    record.errors.push({ step: "clean-up", error });
    stop ??= {
      status: "FAILED",
      reason: "internal_error",
      summary: `internal error: ${error.message}`,
      error,
    };
  }

  // Taken over during the clean-up: the report, notifications and journal are the new holder's.
  if (fenced(ctx)) return await lockLostOutcome(ctx, handle);
  const outcome = finalOutcome(ctx, stop);
  try {
    await journal(ctx, "report", {
      path: ctx.report?.path ?? reserved.path,
      attempt: ctx.report?.attempt ?? reserved.attempt,
      status: outcome.status,
      incident: outcome.paths.incident,
    });
    const path = await writeReport(ctx, outcome, reserved);
    if (path) {
      outcome.paths.report = path;
      outcome.paths.all.push(path);
    } else {
      outcome.warnings.push("the release report could not be written");
    }
    await notifyAll(ctx, outcome);
    await journal(ctx, "finished", {
      status: outcome.status,
      reason: outcome.reason,
      exitCode: outcome.exitCode,
      report: outcome.paths.report,
    });
  } catch (thrown) {
    outcome.warnings.push(`writing the report failed: ${toShipgateError(thrown).message}`);
  } finally {
    outcome.warnings.push(...(await giveBackLocks(ctx, handle)));
  }
  record.outcome = outcome;
  emit({ type: "release.finished", outcome });
  return outcome;
}

/** Steps 1–4 (and the dry run's end). Returns the stop, or null when the release went live. */
async function procedure(ctx: RunContext, holder: LockHolder): Promise<Stop | null> {
  const { spec, stack, record, target } = ctx;
  const validated = await validateRelease(ctx);
  if (validated) return validated;
  await journal(ctx, "validated", { tag: record.tag?.reused ? "reuse" : "new" });

  if (spec.preparation) {
    if (!stack.prepare) {
      return {
        status: "FAILED",
        reason: "preparation_failed",
        summary:
          "the release lists preparation checks but the stack has no `prepare` runner (field: preparation)",
      };
    }
    const prepared = await stack.prepare(spec.preparation, ctx.signal);
    if (prepared.isErr()) return stopForError(ctx, "preparation", prepared.error);
    record.preparation = prepared.value;
    const failed = prepared.value.findings.filter((f) => !f.passed && f.blocking);
    ctx.emit({
      type: "preparation.finished",
      ok: prepared.value.ok,
      findings: prepared.value.findings.length,
      failed: failed.length,
    });
    if (!prepared.value.ok) {
      return {
        status: "BLOCKED",
        reason: "preparation_failed",
        summary: `preparation failed: ${failed.map((f) => f.message).join("; ")}`,
      };
    }
  }

  const gate = await runCiGate(ctx);
  await journal(ctx, "ci.gate", {
    verdict: record.ci?.verdict ?? null,
    checks: record.ci?.checks ?? [],
    waitedMs: record.ci?.waitedMs ?? 0,
  });
  if (gate) return gate;
  const signOff = await runSignOffGate(ctx);
  if (signOff) return signOff;

  if (spec.waves) {
    // Every environment's lock and preflight, before anything is tagged.
    const prepared = await prepareWaves(ctx, holder);
    if (prepared) return prepared;
  } else {
    const preflight = await stack.deployer.preflight(target, { signal: ctx.signal });
    if (preflight.isErr()) return stopForError(ctx, "deployer preflight", preflight.error);
    record.preflight = preflight.value;
    if (!preflight.value.ok) {
      return {
        status: "BLOCKED",
        reason: "preflight_failed",
        summary: `deployer preflight failed: ${preflight.value.problems.join("; ")}`,
      };
    }
    ctx.emit({ type: "preflight.passed", facts: preflight.value.facts });
    // A rerun of a release that went live (a retried CI job, say): a canary of the version
    // against itself proves nothing, and could not be rolled back to anything else.
    if (preflight.value.stableVersion === spec.version)
      return alreadyLiveStop(spec, [spec.environment]);
  }

  if (ctx.dryRun) {
    record.tag ??= { name: spec.version, sha: spec.sha, reused: false, created: false };
    return {
      status: "SUCCESS",
      reason: "dry_run",
      summary:
        "dry run passed: validation, CI gate, sign-off and preflight are green; nothing was tagged or deployed",
    };
  }

  if (!record.tag?.reused) {
    await journal(ctx, "tag.create", { name: spec.version, sha: spec.sha });
    const tagged = await stack.sourceControl.createAnnotatedTag(
      {
        name: spec.version,
        sha: spec.sha,
        message: `Release ${spec.version} of ${spec.service} to ${spec.environment}`,
      },
      { signal: ctx.signal },
    );
    if (tagged.isErr()) return stopForError(ctx, "tag", tagged.error);
    record.tag = {
      name: tagged.value.name,
      sha: tagged.value.sha,
      reused: false,
      created: true,
      pushedTo: tagged.value.pushedTo ?? null,
      signature: tagged.value.signature ?? null,
    };
    ctx.emit({
      type: "tag.created",
      tag: spec.version,
      sha: spec.sha,
      ...(tagged.value.pushedTo ? { pushedTo: tagged.value.pushedTo } : {}),
    });
  } else {
    ctx.emit({ type: "tag.reused", tag: spec.version, sha: spec.sha });
  }
  await notify(
    ctx,
    "release_started",
    `${spec.service} ${spec.version} → ${spec.environment}: release started`,
  );
  return spec.waves ? runWaves(ctx) : runCanary(ctx);
}

/**
 * Gives back the environments' locks (a release with waves) and the release lock, once the
 * run is over; returns what went wrong giving back the release lock, as warnings.
 */
async function giveBackLocks(ctx: RunContext, handle: LockHandle): Promise<string[]> {
  if (ctx.spec.waves) await releaseEnvironmentLocks(ctx);
  try {
    const released = await ctx.stack.lock.release(handle, { signal: ctx.cleanupSignal });
    return released.isErr()
      ? [`could not release the lock ${handle.ref}: ${released.error.describe()}`]
      : [];
  } catch (thrown) {
    return [`lock release threw: ${String(thrown)}`];
  }
}

/**
 * The end of a run whose lock another run took over while it stalled (presumed dead): that
 * run recovers the release and owns production, the journal and this attempt's report, so
 * this one stops where it stands — no rollback, record, report, incident or notification —
 * and says why. Exit 4, as for a lock held by another release.
 */
async function lockLostOutcome(ctx: RunContext, handle: LockHandle): Promise<ReleaseOutcome> {
  // Stops this run's renewals; a lock another holder has now is left alone (id-checked), so
  // a failure to give it back is not this run's to report.
  await giveBackLocks(ctx, handle);
  const error = lockLostError(ctx);
  ctx.record.errors.push({ step: "lock", error });
  const outcome = finalOutcome(ctx, {
    status: "FAILED",
    reason: "lock_lost",
    summary: `this run lost the release lock and stopped without changing anything more (${error.message}); the run that took it over recovers the release`,
    error,
  });
  outcome.warnings.push(
    `LOCK LOST: ${handle.ref} is another run's now; see its report and \`shipgate status\``,
  );
  ctx.record.outcome = outcome;
  ctx.emit({ type: "release.finished", outcome });
  return outcome;
}

function finalOutcome(ctx: RunContext, stop: Stop | null): ReleaseOutcome {
  const { record, spec } = ctx;
  const status: ReleaseStatus = stop?.status ?? "SUCCESS";
  const reason: ReleaseReason = stop?.reason ?? "released";
  const exitCode =
    reason === "cancelled"
      ? EXIT_CODES.CANCELLED
      : reason === "lock_lost"
        ? EXIT_CODES.LOCK_HELD
        : status === "SUCCESS"
          ? EXIT_CODES.SUCCESS
          : status === "BLOCKED"
            ? EXIT_CODES.BLOCKED
            : status === "ABORTED"
              ? EXIT_CODES.ABORTED
              : EXIT_CODES.FAILED;
  const summary =
    stop?.summary ??
    `${spec.service} ${spec.version} is live in ${spec.waves ? spec.waves.flat().join(", ") : spec.environment}`;
  const endedAt = ctx.now();
  record.endedAt = endedAt;
  const incidentPath = record.incidents.find((i) => i.path)?.path ?? null;
  return {
    status,
    reason,
    exitCode,
    summary,
    version: spec.version,
    service: spec.service,
    dryRun: ctx.dryRun,
    maxWeightReached: record.steps.reduce(
      (m, s) => Math.max(m, s.result === "running" ? 0 : s.weight),
      0,
    ),
    rolledBack: record.rollback !== null,
    rollbackVerified: record.rollback ? record.rollback.verified : null,
    ...(spec.waves && record.environments ? wavesOutcomeFacts(record) : {}),
    paths: { report: null, incident: incidentPath, all: [...record.paths] },
    error: stop?.error,
    warnings: [
      ...record.warnings,
      ...record.errors
        .filter((e) => e.error !== stop?.error)
        .map((e) => `${e.step}: ${e.error.describe()}`),
    ],
    startedAt: record.startedAt,
    endedAt,
  };
}

function inputOutcome(
  status: ReleaseStatus,
  reason: ReleaseReason,
  exitCode: number,
  summary: string,
  startedAt: string,
  endedAt: string,
  options: ReleaseRunOptions,
  error: ShipgateError,
  input: unknown,
): ReleaseOutcome {
  const loose = (input ?? {}) as { version?: unknown; service?: unknown };
  return earlyOutcome({
    status,
    reason,
    exitCode,
    summary,
    version: typeof loose.version === "string" ? loose.version : null,
    service: typeof loose.service === "string" ? loose.service : null,
    dryRun: options.dryRun ?? false,
    error,
    startedAt,
    endedAt,
  });
}

const FINAL_KIND: Record<ReleaseStatus, NotificationKind> = {
  SUCCESS: "release_succeeded",
  ABORTED: "release_aborted",
  BLOCKED: "release_blocked",
  FAILED: "release_failed",
};

async function notifyAll(ctx: RunContext, outcome: ReleaseOutcome): Promise<void> {
  if (ctx.dryRun) return;
  const changelog = ctx.record.changelog?.changelog;
  const lines = changelog
    ? [...changelog.breaking, ...changelog.groups.feat, ...changelog.groups.fix]
        .slice(0, 10)
        .map((e) => `${e.change.title} (#${e.change.number})`)
    : undefined;
  const incident = ctx.record.incidents[0];
  await notify(
    ctx,
    FINAL_KIND[outcome.status],
    `${ctx.spec.service} ${ctx.spec.version} → ${ctx.spec.environment}: ${outcome.status} — ${outcome.summary}`,
    {
      body: renderDeployNote(ctx.record, outcome, outcome.paths.report),
      changelog: outcome.status === "SUCCESS" ? lines : undefined,
      incident: incident ? { id: incident.id, url: incident.url, path: incident.path } : undefined,
      reportPath: outcome.paths.report ?? undefined,
    },
  );
  for (const w of ctx.record.warnings) if (!outcome.warnings.includes(w)) outcome.warnings.push(w);
}
