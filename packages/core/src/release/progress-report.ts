import { renderReleaseReport } from "../artifacts/release-report.js";
import { reportFileName } from "../artifacts/report-path.js";
import type { ReleaseOutcome } from "../model/release-outcome.js";
import type { ReportSlot, RunContext } from "./run-context.js";

export type { ReportSlot } from "./run-context.js";

/** Front matter and heading lines of a report still being written. */
const IN_PROGRESS: [RegExp, string][] = [
  [/^status: .*$/m, "status: IN_PROGRESS"],
  [/^reason: .*$/m, "reason: in_progress"],
  [/^exit_code: .*$/m, "exit_code: null"],
  [/^# [^:\n]+:/m, "# In progress:"],
  [
    /^\*\*Status:\*\* .*$/m,
    "**Status:** IN_PROGRESS — the release is running; this report is rewritten at every state change and its last write gives the final status. If it stays like this, the run died: `shipgate recover` finishes it.",
  ],
];

/** Renders the report of a release that has not ended yet (status `IN_PROGRESS`). */
export function renderProgressReport(ctx: RunContext, slot: ReportSlot): string {
  const { record } = ctx;
  const now = ctx.now();
  const provisional: ReleaseOutcome = {
    status: "FAILED",
    reason: "internal_error",
    exitCode: 1,
    summary: "in progress",
    version: ctx.spec.version,
    service: ctx.spec.service,
    dryRun: ctx.dryRun,
    // A release with waves: the highest weight any environment reached.
    maxWeightReached: [record, ...(record.environments ?? []).map((e) => e.record)]
      .flatMap((r) => r.steps)
      .reduce((m, s) => Math.max(m, s.result === "running" ? 0 : s.weight), 0),
    rolledBack: record.rollback !== null,
    rollbackVerified: record.rollback ? record.rollback.verified : null,
    paths: {
      report: slot.path,
      incident: record.incidents.find((i) => i.path)?.path ?? null,
      all: [...record.paths],
    },
    warnings: [...record.warnings],
    startedAt: record.startedAt,
    endedAt: now,
  };
  let text = renderReleaseReport(record, provisional, slot.path, slot.attempt, slot.previous);
  for (const [pattern, replacement] of IN_PROGRESS) text = text.replace(pattern, replacement);
  return text;
}

/**
 * Writes the report as it stands (status `IN_PROGRESS`): created exclusively the first
 * time (a name taken meanwhile moves to the next `-retryN`, so nothing is overwritten
 * between attempts), then atomically replaced — the same file — at every state change, so
 * a crash never leaves a tag or a canary without a report. Best effort: a failed write is
 * a warning, never a stop.
 */
export async function writeProgressReport(ctx: RunContext): Promise<void> {
  const slot = ctx.report;
  if (!slot || slot.final || ctx.dryRun) return;
  const { artifacts } = ctx.stack;
  for (let tries = 0; tries < 20; tries++) {
    const content = renderProgressReport(ctx, slot);
    const written = slot.claimed
      ? await artifacts.writeStatus(slot.path, content)
      : await artifacts.createExclusive(slot.path, content);
    if (written.isOk()) {
      slot.claimed = true;
      return;
    }
    if (slot.claimed || written.error.kind !== "exists") {
      const message = `could not update the report ${slot.path}: ${written.error.describe()}`;
      if (!ctx.record.warnings.includes(message)) ctx.record.warnings.push(message);
      return;
    }
    slot.attempt += 1;
    slot.path = `devops/reports/${reportFileName(ctx.spec.version, slot.attempt, ctx.dryRun)}`;
  }
}
