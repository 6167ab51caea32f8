import { openStepRecord, type StepRecord } from "../model/run-record.js";
import { watchWindow } from "./canary-watch.js";
import { appendDeployResult } from "./deploy-result.js";
import { journal } from "./journal-step.js";
import { notify } from "./notify-step.js";
import type { RunContext, Stop } from "./run-context.js";
import { recordError } from "./run-context.js";
import { runSmokeChecks } from "./smoke-step.js";

/** Opens a step (or stabilization window) in the run's record. */
export function newStep(ctx: RunContext, weight: number, phase: StepRecord["phase"]): StepRecord {
  const step = openStepRecord(weight, phase, ctx.now());
  ctx.record.steps.push(step);
  return step;
}

async function finish(
  ctx: RunContext,
  step: StepRecord,
  result: StepRecord["result"],
  reason: string | null,
): Promise<void> {
  step.result = result;
  step.reason = reason;
  step.endedAt = ctx.now();
  await journal(ctx, "step.verdict", {
    weight: step.weight,
    phase: step.phase,
    result,
    reason,
    errorRate: step.errorRate,
    p95LatencyMs: step.p95LatencyMs,
  });
  await appendDeployResult(ctx, step);
}

/**
 * Step 4: for each weight, set it, smoke-check, then watch the window. Never moves past a
 * step that did not pass. `resumeAt` (a recovery's `--resume`) skips the start and the
 * steps that passed before a crash. After the last step: smoke, promote, then watch the
 * stabilization window at 100%.
 */
export async function runCanary(ctx: RunContext, resumeAt = 0): Promise<Stop | null> {
  const { spec, stack, target } = ctx;
  const windowMs = spec.slo.window_minutes * 60_000;
  // A resumed release (after a crash) continues at step `resumeAt` of a canary already started.
  if (resumeAt === 0) {
    await journal(ctx, "deploy.start");
    const started = await stack.deployer.start(target, { signal: ctx.signal });
    ctx.record.deployStarted = true;
    if (started.isErr()) return deployStop(ctx, "start", started.error);
  }

  for (const [index, weight] of spec.canary_steps.entries()) {
    if (index < resumeAt) continue;
    const step = newStep(ctx, weight, "canary");
    ctx.emit({
      type: "canary.step.started",
      weight,
      index,
      of: spec.canary_steps.length,
      windowMs,
    });
    await journal(ctx, "weight.set", { weight });
    const set = await stack.deployer.setWeight(target, weight, { signal: ctx.signal });
    if (set.isErr()) {
      await finish(
        ctx,
        step,
        set.error.kind === "aborted" ? "cancelled" : "error",
        set.error.describe(),
      );
      return deployStop(ctx, `set weight ${weight}%`, set.error);
    }
    const smoke = await runSmokeChecks(ctx, "after_weight_change", weight, ctx.signal);
    if (smoke.cancelled) {
      await finish(ctx, step, "cancelled", "cancelled");
      return cancelled();
    }
    if (smoke.failed) {
      const reason = `smoke check ${smoke.failed.name} failed at ${weight}%: ${smoke.failed.detail}`;
      await finish(ctx, step, "breached", reason);
      ctx.emit({ type: "canary.breach", weight, reason });
      return { status: "ABORTED", reason: "smoke_failed", summary: reason };
    }
    const watched = await watchWindow(ctx, step, windowMs, index);
    const stop = await settleWatch(ctx, step, watched);
    if (stop) return stop;
    ctx.emit({
      type: "canary.step.passed",
      weight,
      errorRate: step.errorRate,
      p95LatencyMs: step.p95LatencyMs,
      early: step.early ?? false,
      ...(step.reason ? { reason: step.reason } : {}),
    });
    await notify(ctx, "step_passed", stepSummary(ctx, step), { weight });
  }

  const last = await runSmokeChecks(ctx, "after_last_step", 100, ctx.signal);
  if (last.cancelled) return cancelled();
  if (last.failed) {
    const reason = `smoke check ${last.failed.name} failed after the last step: ${last.failed.detail}`;
    ctx.emit({ type: "canary.breach", weight: 100, reason });
    return { status: "ABORTED", reason: "smoke_failed", summary: reason };
  }
  await journal(ctx, "promote");
  const promoted = await stack.deployer.promote(target, { signal: ctx.signal });
  if (promoted.isErr()) return deployStop(ctx, "promote", promoted.error);
  ctx.record.promoted = true;
  ctx.emit({ type: "promote.done" });

  const stabilizationMs = (spec.stabilization_minutes ?? spec.slo.window_minutes) * 60_000;
  if (stabilizationMs > 0) {
    ctx.emit({ type: "stabilization.started", windowMs: stabilizationMs });
    const step = newStep(ctx, 100, "stabilization");
    const watched = await watchWindow(ctx, step, stabilizationMs, spec.canary_steps.length);
    const stop = await settleWatch(ctx, step, watched);
    if (stop) return stop;
    ctx.emit({
      type: "stabilization.passed",
      errorRate: step.errorRate,
      p95LatencyMs: step.p95LatencyMs,
    });
  }
  return null;
}

/** Closes a watched step (journal, status file) and turns how the watch ended into a stop. */
export async function settleWatch(
  ctx: RunContext,
  step: StepRecord,
  watched: Awaited<ReturnType<typeof watchWindow>>,
): Promise<Stop | null> {
  switch (watched.result) {
    case "passed":
      // A pass at the window's end needs no words; an early or policy pass says why.
      step.early = watched.early;
      await finish(
        ctx,
        step,
        "passed",
        watched.early ||
          watched.reason.startsWith("inconclusive") ||
          watched.reason.startsWith("still suspect")
          ? watched.reason
          : null,
      );
      return null;
    case "inconclusive":
      await finish(ctx, step, "inconclusive", watched.reason);
      ctx.emit({ type: "canary.breach", weight: step.weight, reason: watched.reason });
      return { status: "ABORTED", reason: "slo_inconclusive", summary: watched.reason };
    case "cancelled":
      await finish(ctx, step, "cancelled", "cancelled");
      return cancelled();
    case "breached":
      await finish(ctx, step, "breached", watched.reason);
      ctx.emit({ type: "canary.breach", weight: step.weight, reason: watched.reason });
      return { status: "ABORTED", reason: "slo_breach", summary: watched.reason };
    case "error":
      recordError(ctx, `SLO watch at ${step.weight}%`, watched.error);
      await finish(ctx, step, "error", watched.reason);
      ctx.emit({ type: "canary.breach", weight: step.weight, reason: watched.reason });
      return {
        status: "ABORTED",
        reason: "slo_breach",
        summary: watched.reason,
        error: watched.error,
      };
  }
}

function cancelled(): Stop {
  return {
    status: "ABORTED",
    reason: "cancelled",
    summary: "cancelled by the operator during the canary",
  };
}

function deployStop(
  ctx: RunContext,
  action: string,
  error: import("../errors/shipgate-error.js").ShipgateError,
): Stop {
  if (error.kind === "aborted" || ctx.signal.aborted) return cancelled();
  recordError(ctx, `deploy: ${action}`, error);
  return {
    status: "ABORTED",
    reason: "deploy_error",
    summary: `deployer failed to ${action}: ${error.describe()}`,
    error,
  };
}

function stepSummary(ctx: RunContext, step: StepRecord): string {
  const rate = step.errorRate === null ? "no data" : `${(step.errorRate * 100).toFixed(2)}%`;
  const p95 = step.p95LatencyMs === null ? "no data" : `${Math.round(step.p95LatencyMs)} ms`;
  return `${ctx.spec.service} ${ctx.spec.version}: ${step.weight}% passed (error rate ${rate}, p95 ${p95})`;
}
