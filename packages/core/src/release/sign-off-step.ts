import type { RunContext, Stop } from "./run-context.js";
import { stopForError } from "./run-context.js";

/**
 * The sign-off gate: when approvers are listed, wait (bounded) until each has signed off
 * through the ApprovalGate, before anything is tagged. Missing sign-offs → BLOCKED with
 * the names still missing.
 */
export async function runSignOffGate(ctx: RunContext): Promise<Stop | null> {
  const { spec, stack } = ctx;
  if (spec.approvers.length === 0) return null;
  if (!stack.approvals) {
    return {
      status: "FAILED",
      reason: "sign_off_missing",
      summary: `approvers are listed (${spec.approvers.join(", ")}) but no approval gate is configured (field: approvers)`,
    };
  }
  const timeoutMs = spec.policy.approval_timeout_minutes * 60_000;
  const pollMs = spec.policy.approval_poll_seconds * 1000;
  const started = stack.clock.now();
  const wanted = new Set(spec.approvers.map((a) => a.toLowerCase()));
  for (;;) {
    const listed = await stack.approvals.listSignOffs(
      {
        service: spec.service,
        environment: spec.environment,
        version: spec.version,
        sha: spec.sha,
      },
      { signal: ctx.signal },
    );
    if (listed.isErr()) return stopForError(ctx, "sign-off", listed.error);
    ctx.record.signOffs = listed.value.filter((s) => wanted.has(s.approver.toLowerCase()));
    const signed = new Set(ctx.record.signOffs.map((s) => s.approver.toLowerCase()));
    const missing = spec.approvers.filter((a) => !signed.has(a.toLowerCase()));
    ctx.record.missingSignOffs = missing;
    if (missing.length === 0) {
      ctx.emit({ type: "signoff.passed", approvers: spec.approvers });
      return null;
    }
    const waited = stack.clock.now() - started;
    if (waited >= timeoutMs) {
      return {
        status: "BLOCKED",
        reason: "sign_off_missing",
        summary: `sign-off missing from ${missing.join(", ")} after ${spec.policy.approval_timeout_minutes} min`,
      };
    }
    ctx.emit({ type: "signoff.waiting", missing });
    const slept = await stack.clock.sleep(Math.min(pollMs, timeoutMs - waited), ctx.signal);
    if (slept.isErr()) return stopForError(ctx, "sign-off", slept.error);
  }
}
