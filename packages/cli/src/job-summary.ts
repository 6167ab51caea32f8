import type { ReleaseEvent, ReleaseOutcome } from "@shipgate/core";
import { clockTime, millis, percent } from "./event-format.js";

/** One row of the deploy table, built from the events of a run. */
export interface DeployRow {
  label: string;
  startedAt: string;
  errorRate: number | null;
  p95LatencyMs: number | null;
  sampleCount: number | null;
  result: "running" | "passed" | "breached" | "cancelled";
}

/** What a CI job summary shows: gathered from the `--json` events of `shipgate release`. */
export interface RunSummary {
  outcome: ReleaseOutcome | null;
  steps: DeployRow[];
  rollback: { verified: boolean; message: string } | null;
  incidents: { sink: string; id: string; path?: string; url?: string }[];
  /** Problems the CLI printed before any release ran (bad config or flags). */
  problems: string[];
  /** `shipgate recover --watchdog` found nothing to recover: why, in words. */
  nothingToRecover?: string;
}

/** An empty summary, to feed events into with {@link collectEvent}. */
export function newRunSummary(): RunSummary {
  return { outcome: null, steps: [], rollback: null, incidents: [], problems: [] };
}

/** Adds one NDJSON line of `shipgate release --json` (an event, or a CLI line) to a summary. */
export function collectEvent(
  summary: RunSummary,
  event: ReleaseEvent | { type: string; [key: string]: unknown },
): void {
  const e = event as ReleaseEvent;
  const current = summary.steps[summary.steps.length - 1];
  switch (e.type) {
    case "canary.step.started":
      summary.steps.push(row(`canary ${e.weight}%`, e.at));
      return;
    case "stabilization.started":
      summary.steps.push(row("stabilization", e.at));
      return;
    case "canary.poll":
      if (current) {
        current.errorRate = e.errorRate ?? current.errorRate;
        current.p95LatencyMs = e.p95LatencyMs ?? current.p95LatencyMs;
        current.sampleCount = e.sampleCount ?? current.sampleCount;
      }
      return;
    case "canary.step.passed":
    case "stabilization.passed":
      if (current) current.result = "passed";
      return;
    case "canary.breach":
      if (current) current.result = "breached";
      return;
    case "rollback.finished":
      summary.rollback = { verified: e.verified, message: e.message };
      return;
    case "incident.opened":
      summary.incidents.push({
        sink: e.sink,
        id: e.id,
        ...(e.path ? { path: e.path } : {}),
        ...(e.url ? { url: e.url } : {}),
      });
      return;
    case "release.finished":
      summary.outcome = e.outcome;
      for (const step of summary.steps)
        if (step.result === "running" && e.outcome.reason === "cancelled")
          step.result = "cancelled";
      return;
    default: {
      const line = event as {
        type: string;
        problems?: { key?: string; message?: string }[];
        reason?: string;
      };
      if (line.type === "recover.nothing") summary.nothingToRecover = String(line.reason);
      else if (line.type === "recover.watched")
        summary.nothingToRecover = `${line.reason} — it watches its own canary`;
      if (line.type === "cli.error")
        for (const p of line.problems ?? [])
          summary.problems.push(p.key ? `${p.key}: ${p.message}` : String(p.message));
    }
  }
}

function row(label: string, startedAt: string): DeployRow {
  return {
    label,
    startedAt,
    errorRate: null,
    p95LatencyMs: null,
    sampleCount: null,
    result: "running",
  };
}

const ICONS: Record<string, string> = {
  SUCCESS: "✅",
  ABORTED: "⏪",
  BLOCKED: "⛔",
  FAILED: "❌",
  cancelled: "⏹",
};

const escapeCell = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

/** Where the links point: paths shown as the job sees them, the run's own page. */
export interface SummaryLinks {
  /** An artifact's relative path as the job should show it (relative to the workspace). */
  show(path: string): string;
  /** The workflow run's URL, when known. */
  runUrl?: string;
}

/**
 * The job summary in GitHub-flavoured markdown: the outcome, the deploy table (per step:
 * error rate, p95, requests, result), the rollback, and links to the report, the chart,
 * the incident and the run.
 */
export function renderJobSummary(summary: RunSummary, links: SummaryLinks): string {
  const out: string[] = [];
  const o = summary.outcome;
  if (!o && summary.nothingToRecover !== undefined) {
    out.push("### 👀 shipgate watchdog: nothing to recover\n", `${summary.nothingToRecover}.\n`);
    return `${out.join("\n")}\n`;
  }
  if (!o) {
    out.push("### ❌ shipgate: no release ran\n");
    if (summary.problems.length) {
      out.push("The configuration or the inputs were rejected:\n");
      for (const p of summary.problems) out.push(`- ${p}`);
      out.push("");
    } else out.push("shipgate ended before it could start a release; see the step's log.\n");
    return `${out.join("\n")}\n`;
  }
  const label = o.reason === "cancelled" ? "CANCELLED" : o.status;
  const icon = ICONS[o.reason === "cancelled" ? "cancelled" : o.status] ?? "";
  out.push(`### ${icon} shipgate: ${o.service ?? ""} ${o.version ?? ""} — ${label}\n`.trim(), "");
  out.push(`**${label}** (exit ${o.exitCode}): ${o.summary}${o.dryRun ? " _(dry run)_" : ""}\n`);
  if (summary.steps.length) {
    out.push(
      "| step | started | error rate | p95 | requests | result |",
      "|---|---|---|---|---|---|",
    );
    for (const s of summary.steps) {
      out.push(
        `| ${s.label} | ${clockTime(s.startedAt)} | ${percent(s.errorRate)} | ${millis(s.p95LatencyMs)} | ${s.sampleCount ?? "—"} | ${s.result === "breached" ? "**breached**" : s.result} |`,
      );
    }
    out.push("");
  }
  if (summary.rollback) {
    out.push(
      `**Rollback:** ${summary.rollback.verified ? "verified" : "**NOT verified — check the deployment by hand**"} — ${escapeCell(summary.rollback.message)}\n`,
    );
  }
  const items: string[] = [];
  if (o.paths.report) items.push(`- Report: \`${links.show(o.paths.report)}\``);
  const chart = o.paths.all.find((p) => p.endsWith(".svg"));
  if (chart) items.push(`- Canary chart: \`${links.show(chart)}\``);
  for (const i of summary.incidents) {
    const where = i.url ? `[${i.id}](${i.url})` : i.path ? `\`${links.show(i.path)}\`` : i.id;
    items.push(`- Incident (${i.sink}): ${where}`);
  }
  if (links.runUrl) items.push(`- [This workflow run](${links.runUrl})`);
  for (const w of o.warnings) items.push(`- ⚠ ${escapeCell(w)}`);
  if (items.length) out.push(...items, "");
  return `${out.join("\n")}\n`;
}
