import type { IncidentSink } from "../contracts/incident-sink.js";
import type { LockHandle, LockHolder, ReleaseLock } from "../contracts/release-lock.js";
import { toShipgateError } from "../errors/shipgate-error.js";
import type { EnvironmentOutcome } from "../model/release-outcome.js";
import type { EnvironmentRecord, RunRecord } from "../model/run-record.js";
import { newStep, runCanary, settleWatch } from "./canary-step.js";
import { watchWindow } from "./canary-watch.js";
import { writeCanaryChart } from "./chart-step.js";
import { environmentContext, newEnvironmentRecord } from "./environment-run.js";
import { openIncident } from "./incident-step.js";
import { runRollback } from "./rollback-step.js";
import type { RunContext, Stop } from "./run-context.js";
import { alreadyLiveStop, stopForError } from "./run-context.js";
import { takeLock } from "./take-lock.js";
import { planWaves } from "./wave-plan.js";

/** The environment locks a release holds, by its record, until the release ends. */
const heldLocks = new WeakMap<RunRecord, { lock: ReleaseLock; handle: LockHandle }[]>();

/**
 * Before the tag, for a release with waves: resolves the wave plan against the stack's
 * environments (an unknown name stops the release, naming the field), takes every
 * environment's own lock, and runs every environment's deployer preflight. Nothing has
 * moved yet, so any failure here only stops.
 */
export async function prepareWaves(ctx: RunContext, holder: LockHolder): Promise<Stop | null> {
  const { record, stack, spec } = ctx;
  const plan = planWaves(spec, stack);
  if (plan.isErr()) {
    record.errors.push({ step: "waves", error: plan.error });
    return {
      status: "FAILED",
      reason: "invalid_input",
      summary: plan.error.message,
      error: plan.error,
    };
  }
  record.onWaveFailure = plan.value.onWaveFailure;
  record.waves = plan.value.waves.map((environments, index) => ({
    index,
    environments: environments.map((e) => e.name),
    startedAt: null,
    endedAt: null,
    result: "pending",
    bakeMinutes: index < plan.value.waves.length - 1 ? plan.value.bakeMinutes : 0,
  }));
  record.environments = plan.value.waves
    .flat()
    .map((e) => newEnvironmentRecord(record, e.name, e.wave, e.stack));
  record.stoppedIn = null;

  const held: { lock: ReleaseLock; handle: LockHandle }[] = [];
  heldLocks.set(record, held);
  for (const env of record.environments) {
    const lock = stack.environments?.[env.name]?.lock;
    if (!lock) continue;
    const taken = await takeEnvironmentLock(ctx, env, lock, holder, held, ctx.signal);
    if (taken.isErr()) {
      if (taken.error.kind === "lock_held") {
        record.errors.push({ step: `lock of ${env.name}`, error: taken.error });
        return {
          status: "FAILED",
          reason: "lock_held",
          summary: `another release holds the lock of environment ${env.name}: ${taken.error.message}`,
          error: taken.error,
        };
      }
      return stopForError(ctx, `lock of environment ${env.name}`, taken.error);
    }
  }

  for (const env of record.environments) {
    const environment = stack.environments![env.name]!;
    const envCtx = environmentContext(ctx, env, environment, ctx.signal);
    const preflight = await environment.deployer.preflight(envCtx.target, { signal: ctx.signal });
    if (preflight.isErr())
      return stopForError(ctx, `deployer preflight in ${env.name}`, preflight.error);
    env.record.preflight = preflight.value;
    if (!preflight.value.ok) {
      return {
        status: "BLOCKED",
        reason: "preflight_failed",
        summary: `deployer preflight failed in ${env.name}: ${preflight.value.problems.join("; ")}`,
      };
    }
    envCtx.emit({ type: "preflight.passed", facts: preflight.value.facts });
  }
  return alreadyLive(ctx);
}

/**
 * A rerun of a release that went live everywhere (a retried CI job, say) deploys nothing:
 * a canary of the version against itself proves nothing, and could not be rolled back to
 * anything else. Where only some environments run the version already (an earlier run held
 * under `on_wave_failure: halt`, say), their canaries still run, with a warning each.
 */
function alreadyLive(ctx: RunContext): Stop | null {
  const { record, spec } = ctx;
  const environments = record.environments ?? [];
  const live = environments.filter((e) => e.record.preflight?.stableVersion === spec.version);
  if (live.length === 0) return null;
  if (live.length < environments.length) {
    for (const env of live)
      record.warnings.push(
        `${env.name} already runs ${spec.version}: its canary compares the version with itself, and a rollback there has no earlier version to go back to`,
      );
    return null;
  }
  for (const env of environments) env.summary = `already live: ${spec.version} serves`;
  return alreadyLiveStop(
    spec,
    environments.map((e) => e.name),
  );
}

/**
 * Takes environment `env`'s own `lock` for the release's service on behalf of `holder`;
 * once taken it is added to `held`, named on the environment and announced.
 */
export async function takeEnvironmentLock(
  ctx: RunContext,
  env: EnvironmentRecord,
  lock: ReleaseLock,
  holder: LockHolder,
  held: { lock: ReleaseLock; handle: LockHandle }[],
  signal: AbortSignal,
): Promise<Awaited<ReturnType<ReleaseLock["acquire"]>>> {
  const taken = await takeLock(lock, ctx.spec.service, holder, signal);
  if (taken.isOk()) {
    held.push({ lock, handle: taken.value });
    env.lockRef = taken.value.ref;
    ctx.emit({ type: "lock.acquired", ref: taken.value.ref, environment: env.name });
  }
  return taken;
}

/** Gives back every environment lock the release took (clean-up; failures are warnings). */
export async function releaseEnvironmentLocks(ctx: RunContext): Promise<void> {
  const held = heldLocks.get(ctx.record) ?? [];
  heldLocks.delete(ctx.record);
  await giveBackLocks(ctx, held);
}

/** Gives back `held` locks, newest first; a failure is a warning of the run. */
export async function giveBackLocks(
  ctx: RunContext,
  held: { lock: ReleaseLock; handle: LockHandle }[],
): Promise<void> {
  for (const { lock, handle } of [...held].reverse()) {
    try {
      const released = await lock.release(handle, { signal: ctx.cleanupSignal });
      if (released.isErr())
        ctx.record.warnings.push(
          `could not release the lock ${handle.ref}: ${released.error.describe()}`,
        );
    } catch (thrown) {
      ctx.record.warnings.push(`lock release threw: ${String(thrown)}`);
    }
  }
}

/**
 * The canary of a release with waves: wave after wave, every environment of a wave side by
 * side (each its own {@link runCanary}: steps, SLOs, smoke checks, promotion and
 * stabilization), with the bake time between waves. The first environment that stops
 * stops its wave: the others still in canary are cancelled (and, in clean-up, rolled
 * back — their traffic moved), and no later wave starts. Returns that environment's stop,
 * named, or null when every wave promoted.
 */
export async function runWaves(ctx: RunContext): Promise<Stop | null> {
  const { record } = ctx;
  const waves = record.waves ?? [];
  const environments = record.environments ?? [];
  for (const wave of waves) {
    if (ctx.signal.aborted) return cancelledBetweenWaves();
    wave.startedAt = ctx.now();
    wave.result = "running";
    ctx.emit({
      type: "wave.started",
      wave: wave.index + 1,
      of: waves.length,
      environments: wave.environments,
    });
    const stopWave = new AbortController();
    const onAbort = () => stopWave.abort(ctx.signal.reason);
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    const members = environments.filter((e) => e.wave === wave.index);
    let first: { env: EnvironmentRecord; stop: Stop } | null = null;
    const stops = await Promise.all(
      members.map(async (env) => {
        const stop = await runEnvironment(ctx, env, stopWave.signal);
        if (stop && !first && stop.reason !== "cancelled") first = { env, stop };
        if (stop) stopWave.abort(new Error(`stopped: ${env.name} stopped`));
        return stop;
      }),
    );
    ctx.signal.removeEventListener("abort", onAbort);
    wave.endedAt = ctx.now();
    const stopped = stops.some((s) => s !== null);
    wave.result = stopped ? "stopped" : "promoted";
    ctx.emit({
      type: "wave.finished",
      wave: wave.index + 1,
      of: waves.length,
      result: stopped ? "stopped" : "promoted",
      environments: wave.environments,
    });
    if (stopped) {
      const failed = first as { env: EnvironmentRecord; stop: Stop } | null;
      if (!failed) {
        record.stoppedIn = null;
        return {
          status: "ABORTED",
          reason: "cancelled",
          summary: `cancelled by the operator during wave ${wave.index + 1} (${wave.environments.join(", ")})`,
        };
      }
      record.stoppedIn = failed.env.name;
      return { ...failed.stop, summary: `in ${failed.env.name}: ${failed.stop.summary}` };
    }
    if (wave.bakeMinutes > 0) {
      const bakeMs = wave.bakeMinutes * 60_000;
      ctx.emit({ type: "wave.baking", wave: wave.index + 1, bakeMs });
      const baked = await bake(ctx, bakeMs);
      if (baked) return baked;
    }
  }
  record.promoted = true;
  return null;
}

/**
 * The bake after a wave: every environment promoted so far keeps being watched (a
 * stabilization window of `bakeMs` each, side by side), so a slow-burning regression stops
 * the release before the next wave. The first that breaches stops the others' watch.
 */
async function bake(ctx: RunContext, bakeMs: number): Promise<Stop | null> {
  const promoted = (ctx.record.environments ?? []).filter((e) => e.state === "promoted");
  if (promoted.length === 0) {
    const slept = await ctx.stack.clock.sleep(bakeMs, ctx.signal);
    return slept.isErr() ? cancelledBetweenWaves() : null;
  }
  const stopBake = new AbortController();
  const onAbort = () => stopBake.abort(ctx.signal.reason);
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  let first: { env: EnvironmentRecord; stop: Stop } | null = null;
  await Promise.all(
    promoted.map(async (env) => {
      const lane = ctx.stack.clock.fork?.();
      const envCtx = environmentContext(
        ctx,
        env,
        ctx.stack.environments![env.name]!,
        stopBake.signal,
        lane,
      );
      envCtx.emit({ type: "stabilization.started", windowMs: bakeMs });
      let stop: Stop | null;
      try {
        const step = newStep(envCtx, 100, "stabilization");
        const watched = await watchWindow(envCtx, step, bakeMs, envCtx.spec.canary_steps.length);
        stop = await settleWatch(envCtx, step, watched);
        if (!stop)
          envCtx.emit({
            type: "stabilization.passed",
            errorRate: step.errorRate,
            p95LatencyMs: step.p95LatencyMs,
          });
      } catch (thrown) {
        const error = toShipgateError(thrown, `the bake watch in ${env.name} crashed`);
        env.record.errors.push({ step: `bake in ${env.name}`, error });
        stop = { status: "FAILED", reason: "internal_error", summary: error.message, error };
      } finally {
        lane?.close();
      }
      if (stop && stop.reason !== "cancelled") {
        first ??= { env, stop };
        stopBake.abort(new Error(`stopped: ${env.name} stopped`));
      }
    }),
  );
  ctx.signal.removeEventListener("abort", onAbort);
  const failed = first as { env: EnvironmentRecord; stop: Stop } | null;
  if (failed) {
    failed.env.state = "breached";
    failed.env.summary = `during the bake: ${failed.stop.summary}`;
    ctx.emit({
      type: "environment.finished",
      environment: failed.env.name,
      wave: failed.env.wave + 1,
      state: "breached",
      summary: failed.env.summary,
    });
    ctx.record.stoppedIn = failed.env.name;
    return {
      ...failed.stop,
      summary: `in ${failed.env.name}, during the bake: ${failed.stop.summary}`,
    };
  }
  return ctx.signal.aborted ? cancelledBetweenWaves() : null;
}

async function runEnvironment(
  ctx: RunContext,
  env: EnvironmentRecord,
  signal: AbortSignal,
): Promise<Stop | null> {
  const environment = ctx.stack.environments![env.name]!;
  const lane = ctx.stack.clock.fork?.();
  const envCtx = environmentContext(ctx, env, environment, signal, lane);
  env.state = "running";
  envCtx.emit({ type: "environment.started", environment: env.name, wave: env.wave + 1 });
  let stop: Stop | null;
  try {
    stop = await runCanary(envCtx);
  } catch (thrown) {
    const error = toShipgateError(thrown, `the canary in ${env.name} crashed`);
    env.record.errors.push({ step: `canary in ${env.name}`, error });
    stop = {
      status: "FAILED",
      reason: "internal_error",
      summary: `internal error: ${error.message}`,
      error,
    };
  } finally {
    lane?.close();
  }
  if (!stop) {
    env.state = "promoted";
    env.promotedAt = envCtx.now();
  } else {
    env.summary = stop.summary;
    env.state =
      stop.reason === "cancelled"
        ? "cancelled"
        : stop.reason === "slo_breach" ||
            stop.reason === "smoke_failed" ||
            stop.reason === "slo_inconclusive"
          ? "breached"
          : "failed";
    // Stopped by a sibling, not by the operator: say so.
    if (stop.reason === "cancelled" && !ctx.signal.aborted)
      env.summary = "stopped: another environment of the wave stopped";
  }
  envCtx.emit({
    type: "environment.finished",
    environment: env.name,
    wave: env.wave + 1,
    state: env.state as "promoted" | "breached" | "failed" | "cancelled",
    ...(env.summary ? { summary: env.summary } : {}),
  });
  return stop;
}

function cancelledBetweenWaves(): Stop {
  return {
    status: "ABORTED",
    reason: "cancelled",
    summary: "cancelled by the operator between waves",
  };
}

/** What {@link rollbackWaves} did, for the outcome. */
export interface WavesRollback {
  rolledBack: string[];
  verified: boolean;
  held: string[];
}

/**
 * Clean-up of a release with waves that stopped. Every environment whose canary started
 * and did not complete (the one that stopped first, then the others of its wave) is
 * rolled back; then, under `rollback_all`, every environment promoted in this release,
 * newest first; under `halt` those stay, marked held. Each rollback is verified (see
 * {@link runRollback}). One incident, naming the environment where the release stopped —
 * none for a cancellation or an inconclusive step.
 */
export async function rollbackWaves(
  ctx: RunContext,
  stop: Stop,
  fileIncidents: IncidentSink,
  reportPath: string,
): Promise<WavesRollback> {
  const { record } = ctx;
  const environments = record.environments ?? [];
  const stoppedIn = record.stoppedIn ?? null;
  const inFlight = environments
    .filter((e) => e.record.deployStarted && e.state !== "promoted")
    .sort((a, b) => (a.name === stoppedIn ? -1 : b.name === stoppedIn ? 1 : 0));
  const promoted = environments
    .filter((e) => e.state === "promoted")
    .map((e, order) => ({ e, order }))
    .sort((a, b) => (b.e.promotedAt ?? "").localeCompare(a.e.promotedAt ?? "") || b.order - a.order)
    .map((x) => x.e);
  const policy = record.onWaveFailure ?? "rollback_all";
  const toRollBack = policy === "rollback_all" ? [...inFlight, ...promoted] : inFlight;
  const result: WavesRollback = { rolledBack: [], verified: true, held: [] };
  for (const env of toRollBack) {
    const envCtx = environmentContext(
      ctx,
      env,
      ctx.stack.environments![env.name]!,
      ctx.cleanupSignal,
    );
    const reason =
      env.name === stoppedIn
        ? stop.summary
        : env.state === "promoted"
          ? `${policy}: the release stopped (${stop.summary})`
          : `the wave stopped (${stop.summary})`;
    const rollback = await runRollback(envCtx, reason);
    result.rolledBack.push(env.name);
    if (!rollback.verified) {
      result.verified = false;
      record.warnings.push(`ROLLBACK NOT VERIFIED in ${env.name}: ${rollback.message}`);
    }
  }
  if (policy === "halt")
    for (const env of promoted) {
      env.held = true;
      result.held.push(env.name);
      const reason = `on_wave_failure: halt — ${env.name} stays on ${ctx.spec.version}`;
      record.warnings.push(reason);
      ctx.emit({ type: "environment.held", environment: env.name, reason });
    }
  await writeEnvironmentCharts(ctx, reportPath);
  const breached = environments.find((e) => e.name === stoppedIn);
  if (breached && stop.reason !== "cancelled" && stop.reason !== "slo_inconclusive") {
    const envCtx = environmentContext(
      ctx,
      breached,
      ctx.stack.environments![breached.name]!,
      ctx.cleanupSignal,
    );
    const steps = breached.record.steps;
    const breachWeight = steps.length ? steps[steps.length - 1]!.weight : null;
    await openIncident(envCtx, fileIncidents, stop.summary, breachWeight, reportPath);
    record.suspects = breached.record.suspects;
    record.changes ??= breached.record.changes;
  }
  return result;
}

/**
 * Writes each environment's canary chart beside the report, once its canary is over
 * (`release-v1.4.0.prod-eu.svg` beside `release-v1.4.0.md`); the incident links the chart
 * of the environment that breached.
 */
export async function writeEnvironmentCharts(ctx: RunContext, reportPath: string): Promise<void> {
  if (!reportPath) return;
  for (const env of ctx.record.environments ?? []) {
    const environment = ctx.stack.environments?.[env.name];
    if (!environment || env.record.steps.length === 0) continue;
    const envCtx = environmentContext(ctx, env, environment, ctx.cleanupSignal);
    await writeCanaryChart(envCtx, reportPath.replace(/\.md$/, `.${env.name}.md`));
  }
}

/** The outcome's weight, rollback and per-environment facts of a release with waves. */
export function wavesOutcomeFacts(record: RunRecord): {
  maxWeightReached: number;
  rolledBack: boolean;
  rollbackVerified: boolean | null;
  environments: EnvironmentOutcome[];
} {
  const environments = record.environments ?? [];
  const maxWeightReached = environments.reduce((m, e) => Math.max(m, maxWeight(e.record)), 0);
  const rollbacks = environments.flatMap((e) => (e.record.rollback ? [e.record.rollback] : []));
  return {
    maxWeightReached,
    rolledBack: rollbacks.length > 0,
    rollbackVerified: rollbacks.length ? rollbacks.every((r) => r.verified) : null,
    environments: environments.map((e) => ({
      name: e.name,
      wave: e.wave + 1,
      state: e.held
        ? "held"
        : e.state === "pending" || e.state === "running" || e.state === "not_started"
          ? e.record.rollback
            ? "rolled_back"
            : "not_started"
          : e.state === "promoted" && e.record.rollback
            ? "rolled_back"
            : e.state,
      maxWeightReached: maxWeight(e.record),
      rolledBack: e.record.rollback !== null,
      rollbackVerified: e.record.rollback ? e.record.rollback.verified : null,
      summary: e.summary,
    })),
  };
}

function maxWeight(record: RunRecord): number {
  return record.steps.reduce((m, s) => Math.max(m, s.result === "running" ? 0 : s.weight), 0);
}
