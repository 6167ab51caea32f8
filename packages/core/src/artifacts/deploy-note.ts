import type { ReleaseOutcome } from "../model/release-outcome.js";
import type { RunRecord } from "../model/run-record.js";
import { dashboardLinks, formatDashboardLink } from "./dashboard-links.js";
import { formatDuration } from "./format.js";

/**
 * A short note for a #deploys channel: what shipped where, how it went, where to read more.
 * Plain text with light markdown, at most a few lines.
 */
export function renderDeployNote(
  record: RunRecord,
  outcome: ReleaseOutcome,
  reportPath: string | null,
): string {
  const { spec } = record;
  // A release with waves names its waves: `staging → prod-us + prod-eu`.
  const where = spec.waves ? spec.waves.map((w) => w.join(" + ")).join(" → ") : spec.environment;
  const who = `${spec.service} ${spec.version} → ${where}`;
  const duration = formatDuration(Date.parse(outcome.endedAt) - Date.parse(outcome.startedAt));
  const steps = spec.waves
    ? [`${spec.waves.length} wave${spec.waves.length > 1 ? "s" : ""}`]
    : record.steps
        .filter((s) => s.phase === "canary" && s.result === "passed")
        .map((s) => `${s.weight}%`);
  const lines: string[] = [];
  switch (outcome.status) {
    case "SUCCESS":
      lines.push(
        outcome.dryRun
          ? `🧪 ${who}: dry run passed (nothing tagged or deployed).`
          : `✅ ${who}: live after ${steps.join(" → ") || "no steps"} in ${duration}.`,
      );
      if (record.changelog) {
        const g = record.changelog.changelog.groups;
        lines.push(
          `${record.changelog.changelog.total} change(s): ${g.feat.length} feat, ${g.fix.length} fix, ${g.chore.length} chore, ${g.docs.length} docs, ${g.other.length} other${record.changelog.changelog.breaking.length ? ` — ${record.changelog.changelog.breaking.length} BREAKING` : ""}.`,
        );
      }
      break;
    case "ABORTED": {
      const verified = outcome.rollbackVerified ? "rollback verified" : "ROLLBACK NOT VERIFIED";
      lines.push(`↩️ ${who}: rolled back (${verified}) — ${outcome.summary}`);
      const held = (record.environments ?? []).filter((e) => e.held).map((e) => e.name);
      if (held.length)
        lines.push(`Held on ${spec.version} (on_wave_failure: halt): ${held.join(", ")}`);
      const incident = record.incidents[0];
      if (incident) lines.push(`Incident: ${incident.url ?? incident.path ?? incident.id}`);
      const culprit = record.suspects.find((s) => s.likelyCulprit);
      if (culprit)
        lines.push(
          `Likely culprit: #${culprit.change.number} ${culprit.change.title} (@${culprit.change.author})`,
        );
      break;
    }
    case "BLOCKED":
      lines.push(`⛔ ${who}: blocked — ${outcome.summary}. Nothing was tagged or deployed.`);
      break;
    default:
      lines.push(`❌ ${who}: failed — ${outcome.summary}`);
  }
  // Where to look next, by the names the release gave its dashboards; only when traffic moved.
  const dashboards = dashboardLinks(spec.dashboards);
  const moved =
    record.deployStarted || (record.environments ?? []).some((e) => e.record.deployStarted);
  if (dashboards.length && moved && !outcome.dryRun)
    lines.push(`Dashboards: ${dashboards.map(formatDashboardLink).join(" · ")}`);
  if (reportPath) lines.push(`Report: ${reportPath}`);
  return lines.join("\n");
}
