import { isAbsolute, join, relative } from "node:path";
import type { ReleaseEvent, ReleaseOutcome } from "@shipgate/core";
import type { CliIo, OutputMode } from "./cli-io.js";
import { nextStep, outcomeLine } from "./event-format.js";

/** Where artifact paths of an outcome are shown from. */
export interface FinishContext {
  /** Absolute directory the outcome's relative paths are in. */
  artifactsRoot: string;
  /** Show artifact paths absolute (the demo's temp dir) rather than relative to the working directory. */
  absolutePaths?: boolean;
}

/** Shows a release as it happens: live view, plain lines, NDJSON or only the outcome. */
export interface ReleaseReporter {
  onEvent(event: ReleaseEvent): void;
  /** A message from the CLI itself (e.g. "interrupt received"). */
  notice(message: string): void;
  /** After the release returned: the summary, artifact paths and what to do next. */
  finish(outcome: ReleaseOutcome, context: FinishContext): void;
  /** Restores the terminal (cursor); safe to call twice. */
  dispose(): void;
}

/** An artifact path as a person should see it: relative to the working directory when inside it. */
export function displayPath(root: string, path: string, cwd: string): string {
  const absolute = isAbsolute(path) ? path : join(root, path);
  const rel = relative(cwd, absolute);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : absolute;
}

/** The lines after the outcome: artifacts, warnings, next step. */
export function summaryLines(
  outcome: ReleaseOutcome,
  context: FinishContext,
  io: CliIo,
  mode: OutputMode,
): string[] {
  const c = mode.colors;
  const show = (p: string) =>
    context.absolutePaths
      ? join(context.artifactsRoot, p)
      : displayPath(context.artifactsRoot, p, io.cwd);
  const lines: string[] = [];
  // A release with waves: how each environment ended.
  for (const env of outcome.environments ?? []) {
    const rollback = env.rolledBack
      ? `, rolled back (${env.rollbackVerified ? "verified" : "NOT VERIFIED"})`
      : "";
    const line = `  wave ${env.wave}:    ${env.name}: ${env.state}${env.state === "rolled_back" ? (env.rollbackVerified ? " (verified)" : " (NOT VERIFIED)") : rollback}${env.maxWeightReached ? `, reached ${env.maxWeightReached}%` : ""}`;
    lines.push(env.rollbackVerified === false ? c.red(line) : line);
  }
  if (outcome.paths.report) lines.push(`  report:    ${show(outcome.paths.report)}`);
  if (outcome.paths.incident) lines.push(`  incident:  ${show(outcome.paths.incident)}`);
  const changelog = outcome.paths.all.find((p) => p.endsWith("prs-in-release.json"));
  if (changelog) lines.push(`  changelog: ${show(changelog)} (and the report's changelog section)`);
  for (const warning of outcome.warnings) lines.push(c.yellow(`  warning:   ${warning}`));
  const next = nextStep(outcome);
  if (next) lines.push(`  next:      ${next}`);
  return lines;
}

/** `--quiet`: the outcome line and where the report is, nothing else. */
export function createQuietReporter(io: CliIo, mode: OutputMode): ReleaseReporter {
  return {
    onEvent() {},
    notice(message) {
      io.stderr.write(`${message}\n`);
    },
    finish(outcome, context) {
      const path = outcome.paths.report;
      const shown =
        path &&
        (context.absolutePaths
          ? join(context.artifactsRoot, path)
          : displayPath(context.artifactsRoot, path, io.cwd));
      const report = shown ? ` — report: ${shown}` : "";
      io.stdout.write(`${outcomeLine(outcome, mode.colors)}${report}\n`);
    },
    dispose() {},
  };
}
