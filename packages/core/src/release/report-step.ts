import { readFrontMatter } from "../artifacts/front-matter.js";
import { type PreviousReleaseTiming, renderReleaseReport } from "../artifacts/release-report.js";
import { attemptOf, nextAttempt, reportFileName } from "../artifacts/report-path.js";
import type { ReleaseOutcome } from "../model/release-outcome.js";
import type { RunContext } from "./run-context.js";
import { fenced, recordError } from "./run-context.js";

const DIR = "devops/reports";

/** Picks the report path for this attempt: the next free `-retryN`. */
export async function reserveReportPath(
  ctx: RunContext,
): Promise<{ path: string; attempt: number }> {
  const listed = await ctx.stack.artifacts.list(DIR);
  const names = listed.isOk() ? listed.value : [];
  const attempt = nextAttempt(names, ctx.spec.version, ctx.dryRun);
  return { path: `${DIR}/${reportFileName(ctx.spec.version, attempt, ctx.dryRun)}`, attempt };
}

/** Reads the previous release's last report for the duration drift line. */
export async function previousTiming(ctx: RunContext): Promise<PreviousReleaseTiming | null> {
  const previous = ctx.spec.previous_release_tag;
  if (!previous) return null;
  const listed = await ctx.stack.artifacts.list(DIR);
  if (listed.isErr()) return null;
  const attempts = listed.value
    .map((name) => ({ name, attempt: attemptOf(name, previous) }))
    .filter((x): x is { name: string; attempt: number } => x.attempt !== null)
    .sort((a, b) => b.attempt - a.attempt);
  for (const { name } of attempts) {
    const path = `${DIR}/${name}`;
    const read = await ctx.stack.artifacts.read(path);
    if (read.isErr() || !read.value) continue;
    const fm = readFrontMatter(read.value);
    const started = Date.parse(String(fm?.started ?? ""));
    const ended = Date.parse(String(fm?.ended ?? ""));
    if (Number.isNaN(started) || Number.isNaN(ended)) continue;
    return {
      version: previous,
      reportPath: path,
      durationMs: ended - started,
      status: String(fm?.status ?? "unknown"),
    };
  }
  return null;
}

/**
 * Step 7: writes the final report. A run that claimed its report file at the first state
 * change replaces that file (its own) atomically; otherwise the report is created, never
 * overwriting: if the reserved name was taken meanwhile, the next `-retryN` is used.
 */
export async function writeReport(
  ctx: RunContext,
  outcome: ReleaseOutcome,
  reserved: { path: string; attempt: number },
): Promise<string | null> {
  // Taken over: this attempt's report is the new holder's to write.
  if (fenced(ctx)) return null;
  await readDeployHistory(ctx);
  const slot = ctx.report;
  if (slot?.claimed) {
    const content = renderReleaseReport(
      ctx.record,
      outcome,
      slot.path,
      slot.attempt,
      slot.previous,
    );
    const replaced = await ctx.stack.artifacts.writeStatus(slot.path, content);
    if (replaced.isErr()) {
      recordError(ctx, "report", replaced.error);
      return null;
    }
    slot.final = true;
    ctx.emit({ type: "report.written", path: slot.path });
    return slot.path;
  }
  const previous = slot ? slot.previous : await previousTiming(ctx);
  let { path, attempt } = slot ?? reserved;
  for (let tries = 0; tries < 20; tries++) {
    const content = renderReleaseReport(ctx.record, outcome, path, attempt, previous);
    const created = await ctx.stack.artifacts.createExclusive(path, content);
    if (created.isOk()) {
      if (slot) slot.final = true;
      ctx.emit({ type: "report.written", path: created.value.path });
      return created.value.path;
    }
    if (created.error.kind !== "exists") {
      recordError(ctx, "report", created.error);
      return null;
    }
    attempt += 1;
    path = `${DIR}/${reportFileName(ctx.spec.version, attempt, ctx.dryRun)}`;
  }
  return null;
}

/**
 * Asks a deployer that keeps revisions (helm) for them, once, after a deploy started, so
 * the report lists them. Its own short timeout: the run's signal may have fired already,
 * and the report is written anyway. A failure is a warning, never a different outcome.
 */
async function readDeployHistory(ctx: RunContext): Promise<void> {
  const { deployer } = ctx.stack;
  if (!deployer.history || !ctx.record.deployStarted || ctx.record.deployHistory !== null) return;
  const read = await deployer.history(ctx.target, { signal: AbortSignal.timeout(60_000) });
  if (read.isOk()) ctx.record.deployHistory = read.value;
  else ctx.record.warnings.push(`could not read the deployer's revisions: ${read.error.message}`);
}
