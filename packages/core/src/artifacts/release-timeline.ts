import type { ReleaseEvent } from "../model/release-events.js";
import { formatMs, formatPercent, formatSpacedDuration } from "./format.js";

const short = (sha: string) => sha.slice(0, 12);
const rate = (v: number | null) => (v === null ? "no data" : formatPercent(v));
const latency = (v: number | null) => (v === null ? "no data" : formatMs(v));

/** One release event in words, for timelines (`canary step 2/3: weight 25%, window 10 m 00 s`). */
export function describeReleaseEvent(event: ReleaseEvent): string {
  switch (event.type) {
    case "release.started":
      return `release of ${event.service} ${event.version} (${short(event.sha)}) to ${event.environment} started${event.dryRun ? " (dry run)" : ""}`;
    case "lock.acquired":
      return `release lock taken: ${event.ref}${event.tookOverFrom ? ` (stale lock of ${event.tookOverFrom} taken over)` : ""}`;
    case "validate.passed":
      return `input validated; the tag is ${event.tag === "new" ? "new" : "reused from an earlier attempt"}`;
    case "preparation.finished":
      return `preparation ${event.ok ? "passed" : "failed"}: ${event.findings} finding(s), ${event.failed} blocking`;
    case "ci.waiting":
      return `waiting for CI checks: ${event.pending.join(", ")}`;
    case "ci.passed":
      return `CI green: ${event.checks} check(s)${event.ignored.length ? `; not blocking: ${event.ignored.join(", ")}` : ""}`;
    case "ci.blocked":
      return `CI blocked the release: ${event.reason}`;
    case "signoff.waiting":
      return `waiting for sign-off: ${event.missing.join(", ")}`;
    case "signoff.passed":
      return `signed off by ${event.approvers.join(", ") || "nobody (none required)"}`;
    case "preflight.passed": {
      const facts = Object.entries(event.facts)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ");
      return `deployer preflight passed${facts ? ` (${facts})` : ""}`;
    }
    case "tag.created":
      return `tag ${event.tag} created on ${short(event.sha)}${event.pushedTo ? ` and pushed to ${event.pushedTo}` : ""}`;
    case "tag.reused":
      return `tag ${event.tag} on ${short(event.sha)} reused`;
    case "canary.step.started":
      return `canary step ${event.index + 1}/${event.of}: weight ${event.weight}%, watched for ${formatSpacedDuration(event.windowMs)}`;
    case "smoke.result":
      return `smoke check ${event.result.name} (${event.phase.replace(/_/g, " ")}): ${event.result.passed ? "pass" : "FAIL"} — ${event.result.detail}`;
    case "canary.poll":
      return `${event.phase === "stabilization" ? "stabilization" : `${event.weight}%`} poll ${event.poll}: ${event.verdict.replace("_", " ")} — error rate ${rate(event.errorRate)}, p95 ${latency(event.p95LatencyMs)}${event.sampleCount === null ? "" : `, ${event.sampleCount} requests`}`;
    case "canary.step.passed":
      return `${event.weight}% passed: error rate ${rate(event.errorRate)}, p95 ${latency(event.p95LatencyMs)}`;
    case "canary.breach":
      return `BREACH at ${event.weight}%: ${event.reason}`;
    case "promote.done":
      return "canary promoted to 100% stable";
    case "stabilization.started":
      return `stabilization watch started (${formatSpacedDuration(event.windowMs)})`;
    case "stabilization.passed":
      return `stabilization passed: error rate ${rate(event.errorRate)}, p95 ${latency(event.p95LatencyMs)}`;
    case "rollback.started":
      return `rollback started: ${event.reason}`;
    case "rollback.finished":
      return `rollback ${event.verified ? "verified" : "NOT VERIFIED"}: ${event.message}`;
    case "incident.opened":
      return event.found
        ? `incident ${event.id} in ${event.sink}, filed before the crash, found again`
        : `incident ${event.id} opened in ${event.sink}`;
    case "incident.failed":
      return `incident could not be filed in ${event.sink}: ${event.error}`;
    case "changelog.written":
      return `changelog written: ${event.changes} change(s)`;
    case "notify.failed":
      return `notification via ${event.notifier} failed: ${event.error}`;
    case "report.written":
      return `report written: ${event.path}`;
    case "warning":
      return `warning: ${event.message}`;
    case "release.finished":
      return `release finished: ${event.outcome.status} — ${event.outcome.summary}`;
    default:
      // An event type this version does not know yet: its name still belongs on the timeline.
      return (event as { type: string }).type;
  }
}
