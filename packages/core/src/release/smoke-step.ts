import type { SmokeCheckPhase, SmokeCheckResult } from "../contracts/smoke-check.js";
import type { RunContext } from "./run-context.js";

/** Runs every smoke check; an error running one counts as a failed probe with the error as detail. */
export async function runSmokeChecks(
  ctx: RunContext,
  phase: SmokeCheckPhase,
  weight: number,
  signal: AbortSignal,
): Promise<{ results: SmokeCheckResult[]; failed: SmokeCheckResult | null; cancelled: boolean }> {
  const results: SmokeCheckResult[] = [];
  for (const check of ctx.stack.smokeChecks ?? []) {
    const ran = await check.run(
      {
        service: ctx.spec.service,
        environment: ctx.spec.environment,
        version: ctx.spec.version,
        phase,
        weight,
      },
      { signal },
    );
    if (ran.isErr() && ran.error.kind === "aborted")
      return { results, failed: null, cancelled: true };
    const result: SmokeCheckResult = ran.isOk()
      ? ran.value
      : {
          name: check.name,
          passed: false,
          detail: `could not run: ${ran.error.describe()}`,
          attempts: 0,
          durationMs: 0,
        };
    results.push(result);
    ctx.record.evidence.push({
      at: ctx.now(),
      kind: "smoke",
      phase,
      weight,
      result: result.passed ? "pass" : "fail",
      detail: `${result.name}: ${result.detail}`,
    });
    ctx.emit({ type: "smoke.result", result, phase });
  }
  return { results, failed: results.find((r) => !r.passed) ?? null, cancelled: false };
}
