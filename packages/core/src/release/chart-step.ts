import { renderCanaryChartOf } from "../artifacts/canary-chart.js";
import { chartPathFor } from "../artifacts/report-path.js";
import type { RunContext } from "./run-context.js";
import { recordError } from "./run-context.js";

/**
 * Writes the canary chart beside the report (`release-<version>[-retryN].svg`) once the canary
 * is over — before the incident, so the incident can show it — and never again: the chart is
 * created exclusively, never overwritten. Nothing when no canary step ran. Returns its path.
 */
export async function writeCanaryChart(
  ctx: RunContext,
  reportPath: string,
): Promise<string | null> {
  if (ctx.record.chartPath || !reportPath) return ctx.record.chartPath ?? null;
  const svg = renderCanaryChartOf(ctx.record);
  if (!svg) return null;
  const path = chartPathFor(reportPath);
  const created = await ctx.stack.artifacts.createExclusive(path, svg);
  if (created.isErr()) {
    recordError(ctx, "canary chart", created.error);
    ctx.record.warnings.push(`the canary chart could not be written: ${created.error.describe()}`);
    return null;
  }
  ctx.record.chartPath = created.value.path;
  if (!ctx.record.paths.includes(created.value.path)) ctx.record.paths.push(created.value.path);
  return created.value.path;
}
