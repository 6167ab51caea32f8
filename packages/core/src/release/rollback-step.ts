import type { RollbackRecord } from "../model/run-record.js";
import { journal } from "./journal-step.js";
import type { RunContext } from "./run-context.js";
import { recordError } from "./run-context.js";
import { runSmokeChecks } from "./smoke-step.js";

/**
 * Step 5a: abort, roll back, then verify — the deployer must say the stable version
 * serves again AND every smoke check must pass after the rollback. A rollback is
 * verified, not assumed. Runs on the clean-up signal so a cancellation cannot skip it.
 */
export async function runRollback(ctx: RunContext, reason: string): Promise<RollbackRecord> {
  const { stack, target } = ctx;
  const signal = ctx.cleanupSignal;
  ctx.emit({ type: "rollback.started", reason });
  const record: RollbackRecord = {
    reason,
    startedAt: ctx.now(),
    endedAt: null,
    aborted: false,
    rolledBack: false,
    verified: false,
    message: "",
    smoke: [],
  };
  ctx.record.rollback = record;
  await journal(ctx, "abort");
  const aborted = await stack.deployer.abort(target, { signal });
  record.aborted = aborted.isOk();
  if (aborted.isErr()) recordError(ctx, "rollback: abort", aborted.error);
  await journal(ctx, "rollback");
  const rolled = await stack.deployer.rollback(target, { signal });
  record.rolledBack = rolled.isOk();
  if (rolled.isErr()) recordError(ctx, "rollback: roll back", rolled.error);
  const smoke = await runSmokeChecks(ctx, "after_rollback", 0, signal);
  record.smoke = smoke.results;
  const verified = await stack.deployer.verifyStable(target, { signal });
  const messages: string[] = [];
  if (verified.isErr()) {
    recordError(ctx, "rollback: verify", verified.error);
    messages.push(`could not verify: ${verified.error.describe()}`);
  } else {
    const v = verified.value;
    messages.push(
      v.serving
        ? `stable version ${v.stableVersion ?? "(unknown)"} is serving${v.message ? ` (${v.message})` : ""}`
        : `stable version is NOT serving${v.message ? `: ${v.message}` : ""}`,
    );
  }
  if (!record.aborted) messages.push("abort failed");
  if (!record.rolledBack) messages.push("roll back failed");
  if (smoke.failed)
    messages.push(`smoke check ${smoke.failed.name} failed after rollback: ${smoke.failed.detail}`);
  // A deployer that calls the release's own version "stable" has not rolled back.
  const stillNew = verified.isOk() && verified.value.stableVersion === target.version;
  if (stillNew) messages.push(`the release's own version ${target.version} still serves`);
  record.verified =
    record.aborted &&
    record.rolledBack &&
    verified.isOk() &&
    verified.value.serving &&
    !stillNew &&
    !smoke.failed;
  record.message = messages.join("; ");
  record.endedAt = ctx.now();
  await journal(ctx, "verification", { verified: record.verified, message: record.message });
  ctx.emit({ type: "rollback.finished", verified: record.verified, message: record.message });
  return record;
}
