import { evaluateCiGate } from "./ci-gate.js";
import type { RunContext, Stop } from "./run-context.js";
import { stopForError } from "./run-context.js";

/**
 * Step 2: the CI gate. Waits (bounded by policy) for checks still running, then requires
 * every blocking check green. Never skipped, dry run included. On green, writes
 * `devops/status/ci-green.json`.
 */
export async function runCiGate(ctx: RunContext): Promise<Stop | null> {
  const { spec, stack } = ctx;
  const timeoutMs = spec.policy.ci_timeout_minutes * 60_000;
  const pollMs = spec.policy.ci_poll_seconds * 1000;
  const started = stack.clock.now();
  for (;;) {
    const checks = await stack.ci.listChecks(spec.sha, { signal: ctx.signal });
    const waitedMs = stack.clock.now() - started;
    if (checks.isErr()) {
      ctx.record.ci = { verdict: "error", checks: [], reason: checks.error.describe(), waitedMs };
      return stopForError(ctx, "ci gate", checks.error);
    }
    const verdict = evaluateCiGate(checks.value, spec.policy);
    if (verdict.verdict === "green") {
      ctx.record.ci = { verdict: "green", checks: verdict.checks, reason: null, waitedMs };
      const ignored = verdict.ignored.map((c) => c.name);
      if (ignored.length)
        ctx.record.warnings.push(
          `optional CI checks not green (not blocking): ${ignored.join(", ")}`,
        );
      const status = await stack.artifacts.writeStatus(
        "devops/status/ci-green.json",
        `${JSON.stringify({ service: spec.service, environment: spec.environment, version: spec.version, sha: spec.sha, checked_at: ctx.now(), checks: verdict.checks }, null, 2)}\n`,
      );
      if (status.isErr()) return stopForError(ctx, "ci gate", status.error);
      if (!ctx.record.paths.includes(status.value.path)) ctx.record.paths.push(status.value.path);
      ctx.emit({ type: "ci.passed", checks: verdict.checks.length, ignored });
      return null;
    }
    if (verdict.verdict === "red") {
      ctx.record.ci = { verdict: "red", checks: verdict.checks, reason: verdict.reason, waitedMs };
      ctx.emit({ type: "ci.blocked", reason: verdict.reason, failing: verdict.failing });
      return { status: "BLOCKED", reason: "ci_red", summary: verdict.reason };
    }
    const pendingNames = verdict.pending.map((c) => c.name);
    if (waitedMs >= timeoutMs) {
      const reason = `CI checks still running after ${spec.policy.ci_timeout_minutes} min: ${pendingNames.join(", ")}`;
      ctx.record.ci = {
        verdict: "pending",
        checks: verdict.checks,
        reason: pendingNames.join(", "),
        waitedMs,
      };
      ctx.emit({ type: "ci.blocked", reason, failing: [] });
      return { status: "BLOCKED", reason: "ci_timeout", summary: reason };
    }
    ctx.emit({ type: "ci.waiting", pending: pendingNames, waitedMs });
    const slept = await stack.clock.sleep(Math.min(pollMs, timeoutMs - waitedMs), ctx.signal);
    if (slept.isErr()) {
      ctx.record.ci = {
        verdict: "pending",
        checks: verdict.checks,
        reason: "cancelled while waiting",
        waitedMs,
      };
      return stopForError(ctx, "ci gate", slept.error);
    }
  }
}
