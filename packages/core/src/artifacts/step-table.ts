import type { StepRecord } from "../model/run-record.js";
import { cell, formatMs, formatPercent } from "./format.js";

/** The header of a report's canary step table. */
export const STEP_TABLE_HEADER = [
  "| step | started | ended | error_rate | p95 | result |",
  "|---|---|---|---|---|---|",
] as const;

/** One canary step (or the stabilization window) as a row of the report's step table. */
export function stepRow(step: StepRecord): string {
  const label =
    step.phase === "stabilization" ? `stabilization (${step.weight}%)` : `${step.weight}%`;
  return `| ${cell(label)} | ${cell(step.startedAt)} | ${cell(step.endedAt)} | ${cell(step.errorRate === null ? null : formatPercent(step.errorRate))} | ${cell(step.p95LatencyMs === null ? null : formatMs(step.p95LatencyMs))} | ${cell(step.result + (step.reason ? `: ${step.reason}` : ""))} |`;
}
