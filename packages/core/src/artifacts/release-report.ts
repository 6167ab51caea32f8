import type { ReleaseOutcome } from "../model/release-outcome.js";
import type { RunRecord } from "../model/run-record.js";
import { dashboardLinks } from "./dashboard-links.js";
import { renderDeployNote } from "./deploy-note.js";
import { cell, formatDuration } from "./format.js";
import { renderFrontMatter } from "./front-matter.js";
import { renderJudgeSection } from "./judge-section.js";
import { STEP_TABLE_HEADER, stepRow } from "./step-table.js";
import { renderWavesDeploy, renderWavesEvidence, renderWavesRollback } from "./waves-section.js";

/** The previous release's timing, read from its report, for the drift line. */
export interface PreviousReleaseTiming {
  version: string;
  reportPath: string;
  durationMs: number;
  status: string;
}

const TITLE: Record<string, string> = {
  SUCCESS: "Released",
  ABORTED: "Rolled back",
  BLOCKED: "Blocked",
  FAILED: "Failed",
};

function tagState(record: RunRecord): string {
  const tag = record.tag!;
  if (tag.reused) return "reused from an earlier attempt";
  if (!tag.created) return "not created: dry run";
  return tag.pushedTo ? `created and pushed to ${tag.pushedTo}` : "created";
}

/**
 * The release report: YAML front matter, then one section per part of the procedure.
 * Written in every outcome; every path in it is relative.
 */
export function renderReleaseReport(
  record: RunRecord,
  outcome: ReleaseOutcome,
  reportPath: string,
  attempt: number,
  previous: PreviousReleaseTiming | null,
): string {
  const { spec } = record;
  const durationMs = Date.parse(outcome.endedAt) - Date.parse(outcome.startedAt);
  const out: string[] = [];
  out.push(
    renderFrontMatter({
      version: spec.version,
      sha: spec.sha,
      environment: spec.environment,
      service: spec.service,
      status: outcome.status,
      reason: outcome.reason,
      exit_code: outcome.exitCode,
      dry_run: outcome.dryRun,
      attempt,
      started: outcome.startedAt,
      ended: outcome.endedAt,
      duration_seconds: Math.round(durationMs / 1000),
      previous_release_tag: spec.previous_release_tag,
      max_weight_reached: outcome.maxWeightReached,
      rollback_verified: outcome.rollbackVerified,
      captain: record.captain ?? null,
      tag_pushed_to: record.tag?.pushedTo ?? null,
      tag_signature: record.tag?.signature ?? null,
    }),
  );
  out.push(
    `# ${TITLE[outcome.status]}: ${spec.service} ${spec.version} → ${spec.environment}${outcome.dryRun ? " (dry run)" : ""}\n`,
  );
  out.push(`**Status:** ${outcome.status} (exit ${outcome.exitCode}) — ${outcome.summary}\n`);
  out.push(`**Captain:** ${record.captain ?? "unknown"}\n`);

  // CI
  out.push("## CI gate\n");
  if (!record.ci) out.push("Not reached.\n");
  else {
    const { ci } = record;
    const head =
      ci.verdict === "green"
        ? `Green: ${ci.checks.length} check(s) passed`
        : ci.verdict === "red"
          ? `**Blocked**: ${ci.reason}`
          : ci.verdict === "pending"
            ? `**Blocked**: checks still running after ${formatDuration(ci.waitedMs)} (${ci.reason})`
            : `**Error**: ${ci.reason}`;
    out.push(`${head}${ci.waitedMs > 0 ? ` (waited ${formatDuration(ci.waitedMs)})` : ""}.\n`);
    if (ci.checks.length > 0) {
      out.push("| check | status | conclusion | required | link |", "|---|---|---|---|---|");
      for (const c of ci.checks) {
        out.push(
          `| ${cell(c.name)} | ${cell(c.status)} | ${cell(c.conclusion)} | ${c.required === false ? "no" : "yes"} | ${cell(c.url)} |`,
        );
      }
      out.push("");
    }
  }

  if (record.preparation) {
    out.push("## Preparation\n");
    out.push(
      record.preparation.ok
        ? "All preparation checks passed.\n"
        : "**Preparation checks failed.**\n",
    );
    out.push("| check | subject | result | message |", "|---|---|---|---|");
    for (const f of record.preparation.findings) {
      out.push(
        `| ${f.check} | ${cell(f.subject)} | ${f.passed ? "pass" : f.blocking ? "FAIL (blocking)" : "warn"} | ${cell(f.message)} |`,
      );
    }
    out.push("");
  }

  out.push("## Sign-off\n");
  if (spec.approvers.length === 0) out.push("No sign-off required.\n");
  else {
    out.push("| approver | signed at | where |", "|---|---|---|");
    for (const approver of spec.approvers) {
      const s = record.signOffs.find((x) => x.approver === approver);
      out.push(`| ${cell(approver)} | ${cell(s?.signedAt ?? "**missing**")} | ${cell(s?.where)} |`);
    }
    out.push("");
  }

  out.push("## Deploy\n");
  if (record.tag) {
    out.push(`Tag \`${record.tag.name}\` → \`${record.tag.sha}\` (${tagState(record)}).\n`);
    const signature = record.tag.signature;
    if (signature) {
      out.push(
        `Signed (${signature.format}) by ${signature.signer}, key \`${signature.fingerprint}\`; check with \`git tag --verify ${record.tag.name}\`.\n`,
      );
    }
  }
  if (record.preflight) {
    const facts = Object.entries(record.preflight.facts)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ");
    out.push(
      `Preflight: ${record.preflight.ok ? "ok" : `**failed**: ${record.preflight.problems.join("; ")}`}${facts ? ` (${facts})` : ""}.\n`,
    );
  }
  if (record.environments) out.push(...renderWavesDeploy(record));
  else if (record.steps.length === 0) out.push("No canary step ran.\n");
  else {
    out.push(...STEP_TABLE_HEADER);
    for (const step of record.steps) out.push(stepRow(step));
    out.push("");
  }
  if (record.chartPath)
    out.push(
      `![Canary chart: error rate and p95 per step, objectives, breach or promotion, rollback](${record.chartPath.split("/").pop()})\n`,
    );
  if (record.deployHistory && record.deployHistory.length > 0) {
    out.push("Revisions, as the platform lists them (newest last):\n");
    out.push("| revision | status | detail |", "|---|---|---|");
    for (const r of record.deployHistory)
      out.push(`| ${cell(r.id)} | ${cell(r.status)} | ${cell(r.detail)} |`);
    out.push("");
  }

  out.push("## Rollback\n");
  if (record.environments) out.push(...renderWavesRollback(record));
  else if (!record.rollback) out.push("No rollback.\n");
  else {
    const r = record.rollback;
    out.push(`Reason: ${r.reason}\n`);
    out.push(
      `- abort: ${r.aborted ? "done" : "FAILED"}`,
      `- roll back: ${r.rolledBack ? "done" : "FAILED"}`,
    );
    out.push(
      `- verification: ${r.verified ? "verified" : "**ROLLBACK NOT VERIFIED**"} — ${r.message}`,
    );
    for (const s of r.smoke)
      out.push(`- smoke \`${s.name}\` after rollback: ${s.passed ? "pass" : "FAIL"} — ${s.detail}`);
    out.push(`- started ${r.startedAt}, ended ${r.endedAt ?? "—"}\n`);
  }

  if (record.incidents.length > 0 || record.suspects.length > 0) {
    out.push("## Incident\n");
    for (const i of record.incidents)
      out.push(`- ${i.sink}: ${i.id}${i.path ? ` (${i.path})` : ""}${i.url ? ` ${i.url}` : ""}`);
    if (record.suspects.length > 0) {
      out.push("", "| PR | title | author | score | reason |", "|---|---|---|---|---|");
      for (const s of record.suspects) {
        out.push(
          `| #${s.change.number}${s.likelyCulprit ? " **likely culprit**" : ""} | ${cell(s.change.title)} | ${cell(s.change.author)} | ${s.score} | ${cell(s.reason)} |`,
        );
      }
    }
    out.push("");
  }

  if (record.resolvedIncidents.length > 0) {
    out.push("## Resolved incidents\n");
    for (const i of record.resolvedIncidents)
      out.push(`- ${i.sink}: ${i.id} resolved by this release${i.url ? ` (${i.url})` : ""}`);
    out.push("");
  }

  out.push("## Verification evidence\n");
  if (record.environments) out.push(...renderWavesEvidence(record));
  else if (record.evidence.length === 0) out.push("No readings.\n");
  else {
    out.push("| time | phase | weight | kind | result | detail |", "|---|---|---|---|---|---|");
    for (const e of record.evidence)
      out.push(
        `| ${e.at} | ${cell(e.phase)} | ${e.weight}% | ${e.kind} | ${e.result} | ${cell(e.detail)} |`,
      );
    out.push("");
  }

  out.push(...renderJudgeSection(record));

  out.push("## Changelog\n");
  if (record.changelog) out.push(`${record.changelog.markdown.trim()}\n`);
  else
    out.push(
      outcome.status === "SUCCESS"
        ? "Not available (see errors).\n"
        : "Skipped: the release did not complete.\n",
    );

  out.push("## Dashboards\n");
  const dashboards = dashboardLinks(spec.dashboards);
  out.push(
    dashboards.length
      ? `${dashboards.map((d) => `- ${d.name ? `**${d.name}**: ${d.url}` : d.url}`).join("\n")}\n`
      : "None listed.\n",
  );

  out.push("## Duration\n");
  out.push(`Total: ${formatDuration(durationMs)} (${outcome.startedAt} → ${outcome.endedAt}).`);
  if (previous) {
    const drift = durationMs - previous.durationMs;
    out.push(
      `Drift against ${previous.version} (${previous.reportPath}, ${previous.status}, ${formatDuration(previous.durationMs)}): ${drift >= 0 ? "+" : ""}${formatDuration(drift)}.`,
    );
  } else if (spec.previous_release_tag) {
    out.push(`No report found for ${spec.previous_release_tag}: drift unknown.`);
  }
  out.push("");

  out.push("## Deploy note\n");
  out.push("```text", renderDeployNote(record, outcome, reportPath), "```\n");

  if (record.errors.length > 0 || record.warnings.length > 0) {
    out.push("## Errors and warnings\n");
    for (const e of record.errors)
      out.push(`- **${e.step}**: ${e.error.kind}: ${e.error.describe()}`);
    for (const w of record.warnings) out.push(`- warning: ${w}`);
    out.push("");
  }
  if (record.lockTookOverFrom)
    out.push(`_Lock: a stale lock held by ${record.lockTookOverFrom} was taken over._\n`);
  return `${out.join("\n").trimEnd()}\n`;
}
