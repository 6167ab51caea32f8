import type { ReleaseEvent, ReleaseOutcome } from "@shipgate/core";
import type { Colors } from "picocolors/types";

/** `0.0042` → `0.42%`; null → `no data`. */
export function percent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined) return "no data";
  return `${(fraction * 100).toFixed(2)}%`;
}

/** `183.4` → `183 ms`; null → `no data`. */
export function millis(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "no data";
  return `${Math.round(ms)} ms`;
}

/** `90_000` → `1m30s`, `600_000` → `10m00s`, `4_000` → `4s`. */
export function duration(ms: number): string {
  if (ms > 0 && ms < 10_000) return `${Number((ms / 1000).toFixed(1))}s`;
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m${String(s).padStart(2, "0")}s`;
  return `${s}s`;
}

/** The first 7 characters of a sha. */
export const shortSha = (sha: string) => sha.slice(0, 7);

/** `2026-01-05T10:04:00.000Z` → `10:04:00` (the release clock's time, UTC). */
export const clockTime = (iso: string) => iso.slice(11, 19);

/** Colour for a final status. */
export function statusColor(c: Colors, status: ReleaseOutcome["status"]): (s: string) => string {
  return status === "SUCCESS" ? c.green : status === "BLOCKED" ? c.yellow : c.red;
}

/**
 * One plain line for an event (no time stamp), or null for none. Used by the plain
 * reporter for every event, and by the live view for its log of notable events.
 */
export function describeEvent(event: ReleaseEvent, c: Colors): string {
  const line = describeOne(event, c);
  // A release with waves: say which environment, unless the line already does.
  return event.environment && !event.type.startsWith("environment.")
    ? `${c.cyan(`[${event.environment}]`)} ${line}`
    : line;
}

function describeOne(event: ReleaseEvent, c: Colors): string {
  switch (event.type) {
    case "lock.acquired":
      return `lock acquired: ${event.ref}${event.tookOverFrom ? ` (took over a stale lock from ${event.tookOverFrom})` : ""}`;
    case "release.started":
      return `release started: ${event.service} ${event.version} → ${event.environment} at ${shortSha(event.sha)}${event.dryRun ? " (dry run)" : ""}`;
    case "validate.passed":
      return `validated: sha on the release branch; tag ${event.tag === "new" ? "is new" : "exists on this sha and is reused"}`;
    case "preparation.finished":
      return event.ok
        ? `preparation: ${event.findings} checks passed`
        : c.red(`preparation: ${event.failed} of ${event.findings} checks failed`);
    case "ci.waiting":
      return `CI gate: waiting for ${event.pending.join(", ")} (${duration(event.waitedMs)} so far)`;
    case "ci.passed":
      return c.green(
        `CI gate: green (${event.checks} check${event.checks === 1 ? "" : "s"})${event.ignored.length ? `; optional not green: ${event.ignored.join(", ")}` : ""}`,
      );
    case "ci.blocked":
      return c.red(
        `CI gate: BLOCKED — ${event.reason}${event.failing.length ? ` (${event.failing.map((f) => f.name).join(", ")})` : ""}`,
      );
    case "signoff.waiting":
      return `sign-off: waiting for ${event.missing.join(", ")}`;
    case "signoff.passed":
      return c.green(`sign-off: ${event.approvers.join(", ")} signed off`);
    case "preflight.passed": {
      const facts = Object.entries(event.facts)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ");
      return `preflight: ok${facts ? ` (${facts})` : ""}`;
    }
    case "tag.created":
      return `tag ${event.tag} created on ${shortSha(event.sha)}${event.pushedTo ? ` and pushed to ${event.pushedTo}` : ""}`;
    case "tag.reused":
      return `tag ${event.tag} already on ${shortSha(event.sha)}: reused`;
    case "canary.step.started":
      return c.bold(
        `canary ${event.weight}% (step ${event.index + 1}/${event.of}): watching for ${duration(event.windowMs)}`,
      );
    case "smoke.result":
      return event.result.passed
        ? `smoke ${event.result.name} (${event.phase}): passed — ${event.result.detail}`
        : c.red(`smoke ${event.result.name} (${event.phase}): FAILED — ${event.result.detail}`);
    case "canary.poll": {
      const verdict =
        event.verdict === "ok"
          ? c.green("ok")
          : event.verdict === "breach"
            ? c.red("BREACH")
            : c.yellow(event.verdict.replace("_", " "));
      const stable = (value: string) => (event.stableSampleCount ? `stable ${value}, ` : "");
      const n = event.stepRequests != null ? ` n=${event.stepRequests}` : "";
      const why = event.verdict === "ok" || event.verdict === "no_data" ? "" : ` — ${event.detail}`;
      return `${event.phase === "stabilization" ? "stabilization" : "canary"} ${event.weight}% ${duration(event.elapsedMs)}/${duration(event.windowMs)}: error rate ${percent(event.errorRate)} (${stable(percent(event.stableErrorRate ?? null))}max ${percent(event.errorRateMax)}), p95 ${millis(event.p95LatencyMs)} (${stable(millis(event.stableP95LatencyMs ?? null))}max ${millis(event.p95LatencyMsMax)})${n} ${verdict}${why}`;
    }
    case "canary.step.passed":
      return c.green(
        `canary ${event.weight}% passed: error rate ${percent(event.errorRate)}, p95 ${millis(event.p95LatencyMs)}${event.early && event.reason ? ` (${event.reason})` : ""}`,
      );
    case "canary.step.extended":
      return c.yellow(
        `canary ${event.weight}% window extended to ${duration(event.windowMs)}: ${event.reason}`,
      );
    case "canary.breach":
      return c.red(`BREACH at ${event.weight}%: ${event.reason}`);
    case "promote.done":
      return c.green("promoted: the new version serves 100%");
    case "stabilization.started":
      return `stabilization: watching 100% for ${duration(event.windowMs)}`;
    case "stabilization.passed":
      return c.green(
        `stabilization passed: error rate ${percent(event.errorRate)}, p95 ${millis(event.p95LatencyMs)}`,
      );
    case "rollback.started":
      return c.yellow(`rolling back: ${event.reason}`);
    case "rollback.finished":
      return event.verified
        ? c.green(`rollback verified: ${event.message}`)
        : c.red(`ROLLBACK NOT VERIFIED: ${event.message}`);
    case "incident.opened":
      return c.yellow(
        `incident ${event.id} ${event.found ? "already filed before the crash" : "opened"} (${event.sink})${event.path ? `: ${event.path}` : ""}${event.url ? ` ${event.url}` : ""}`,
      );
    case "incident.failed":
      return c.red(`incident sink ${event.sink} failed: ${event.error}`);
    case "changelog.written":
      return `changelog: ${event.changes} changes → ${event.path}`;
    case "notify.failed":
      return c.yellow(`notifier ${event.notifier} failed: ${event.error}`);
    case "report.written":
      return `report written: ${event.path}`;
    case "warning":
      return c.yellow(`warning: ${event.message}`);
    case "release.finished":
      return outcomeLine(event.outcome, c);
    case "wave.started":
      return c.bold(`wave ${event.wave}/${event.of}: ${event.environments.join(", ")}`);
    case "wave.finished":
      return event.result === "promoted"
        ? c.green(`wave ${event.wave}/${event.of} promoted: ${event.environments.join(", ")}`)
        : c.red(`wave ${event.wave}/${event.of} STOPPED: ${event.environments.join(", ")}`);
    case "wave.baking":
      return `baking after wave ${event.wave} for ${duration(event.bakeMs)}`;
    case "environment.started":
      return `${c.cyan(`[${event.environment}]`)} canary started (wave ${event.wave})`;
    case "environment.finished": {
      const text = `${c.cyan(`[${event.environment}]`)} ${event.state}${event.summary ? `: ${event.summary}` : ""}`;
      return event.state === "promoted" ? c.green(text) : c.red(text);
    }
    case "environment.held":
      return c.yellow(`${c.cyan(`[${event.environment}]`)} held: ${event.reason}`);
  }
}

/** `SUCCESS: checkout v1.4.0 is live in production (exit 0)` */
export function outcomeLine(outcome: ReleaseOutcome, c: Colors): string {
  const color = statusColor(c, outcome.status);
  const label = outcome.reason === "cancelled" ? "CANCELLED" : outcome.status;
  return `${c.bold(color(label))}: ${outcome.summary} (exit ${outcome.exitCode})`;
}

/** What to do next, by outcome: every non-success ends with an action. */
export function nextStep(outcome: ReleaseOutcome): string | null {
  switch (outcome.reason) {
    case "released":
    case "already_live":
    case "dry_run":
      return null;
    case "invalid_input":
      return "fix the release input named above and run again";
    case "lock_held":
      return "wait for the other release to finish (`shipgate status` shows it; a dead run's lock expires and is recovered), then run again";
    case "ci_red":
      return "fix the failing checks on this sha (or release a sha whose CI is green), then run again";
    case "ci_timeout":
      return "wait for CI to finish or raise release.policy.ci_timeout_minutes, then run again";
    case "sign_off_missing":
      return "get the missing sign-offs, then run again";
    case "slo_breach":
    case "smoke_failed":
    case "deploy_error":
      return outcome.rollbackVerified === false
        ? "the rollback is NOT verified: check the deployment by hand now"
        : "read the incident and the report, fix the cause, and release a new version";
    case "cancelled":
      return "run the same command again to retry (the report says where it stopped)";
    case "slo_inconclusive":
      return "the canary saw too little traffic for a verdict: lengthen slo.window_minutes, or choose policy.judge.on_inconclusive (see the README)";
    case "recovered_after_crash":
      return outcome.rollbackVerified === false
        ? "the rollback is NOT verified: check the deployment by hand now"
        : "the interrupted release is closed (report and incident above); run the release again to retry it";
    case "validation_failed":
      return "fix the sha/version named above and run again";
    case "preparation_failed":
      return "fix the preparation findings listed in the report, then run again";
    case "preflight_failed":
      return "fix what the deployer preflight reported, then run again";
    case "lock_lost":
      return "this run stalled past its lock's expiry and another run took the release over: see `shipgate status` and that run's report, then release again if needed";
    default:
      return "read the report for details, fix the cause and run again";
  }
}
