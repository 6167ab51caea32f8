import type { SloMeasurement } from "../contracts/slo-source.js";
import type { ShipgateError } from "../errors/shipgate-error.js";
import type { StepRecord } from "../model/run-record.js";
import type { RunContext } from "./run-context.js";
import { judgeMeasurement } from "./slo-verdict.js";

/** How watching one window ended. */
export type WatchResult =
  | { result: "passed" }
  | { result: "breached"; reason: string }
  | { result: "cancelled" }
  | { result: "error"; reason: string; error: ShipgateError };

/**
 * Watches the SLOs through one window, polling on the policy interval. A breach fails
 * fast; a bad query fails at once; repeated query errors or repeated "no data" fail
 * closed; and a window whose last reading had no data does not pass.
 */
export async function watchWindow(
  ctx: RunContext,
  step: StepRecord,
  windowMs: number,
): Promise<WatchResult> {
  const { spec, stack } = ctx;
  const pollMs = spec.policy.poll_interval_seconds * 1000;
  const watchStart = stack.clock.now();
  let elapsed = 0;
  let queryErrors = 0;
  let noData = 0;
  let lastVerdict: "ok" | "no_data" | "query_error" = "no_data";
  let lastNoDataReason = "no reading";
  while (elapsed < windowMs) {
    const slept = await stack.clock.sleep(Math.min(pollMs, windowMs - elapsed), ctx.signal);
    if (slept.isErr()) return { result: "cancelled" };
    elapsed = stack.clock.now() - watchStart;
    step.polls += 1;
    const query = {
      service: spec.service,
      environment: spec.environment,
      windowStart: new Date(watchStart),
      windowEnd: new Date(stack.clock.now()),
    };
    const canary = await stack.slo.measure(
      { ...query, version: spec.version, track: "canary" },
      { signal: ctx.signal },
    );
    if (canary.isErr()) {
      if (canary.error.kind === "aborted" || ctx.signal.aborted) return { result: "cancelled" };
      queryErrors += 1;
      lastVerdict = "query_error";
      const detail = `query failed (${queryErrors}/${spec.policy.max_query_errors}): ${canary.error.describe()}`;
      ctx.record.evidence.push({
        at: ctx.now(),
        kind: "slo",
        phase: step.phase,
        weight: step.weight,
        result: "error",
        detail,
      });
      emitPoll(ctx, step, elapsed, windowMs, null, "query_error", detail);
      if (canary.error.kind === "bad_query" || canary.error.kind === "auth") {
        return {
          result: "error",
          reason: `SLO source misconfigured: ${canary.error.describe()}`,
          error: canary.error,
        };
      }
      if (queryErrors >= spec.policy.max_query_errors) {
        return {
          result: "error",
          reason: `SLO queries failed ${queryErrors} times in a row (failing closed): ${canary.error.message}`,
          error: canary.error,
        };
      }
      continue;
    }
    queryErrors = 0;
    let baseline: SloMeasurement | null = null;
    const stableVersion = ctx.record.preflight?.stableVersion;
    if (spec.baseline && stableVersion) {
      const base = await stack.slo.measure(
        { ...query, version: stableVersion, track: "stable" },
        { signal: ctx.signal },
      );
      if (base.isOk()) baseline = base.value;
      else if (base.error.kind === "aborted") return { result: "cancelled" };
    }
    const verdict = judgeMeasurement(canary.value, spec, step.weight, baseline);
    const m = canary.value;
    step.errorRate = m.errorRate.kind === "value" ? m.errorRate.value : step.errorRate;
    step.p95LatencyMs = m.p95LatencyMs.kind === "value" ? m.p95LatencyMs.value : step.p95LatencyMs;
    step.sampleCount = m.sampleCount ?? step.sampleCount;
    const detail = verdict.verdict === "ok" ? verdict.detail : verdict.reason;
    ctx.record.evidence.push({
      at: ctx.now(),
      kind: "slo",
      phase: step.phase,
      weight: step.weight,
      result: verdict.verdict === "ok" ? "pass" : verdict.verdict === "breach" ? "fail" : "no_data",
      detail: `${detail}${m.sampleCount !== null ? ` (${m.sampleCount} requests)` : ""}`,
    });
    emitPoll(ctx, step, elapsed, windowMs, m, verdict.verdict, detail);
    if (verdict.verdict === "breach") return { result: "breached", reason: verdict.reason };
    if (verdict.verdict === "no_data") {
      noData += 1;
      lastVerdict = "no_data";
      lastNoDataReason = verdict.reason;
      if (noData >= spec.policy.max_no_data_polls) {
        return {
          result: "breached",
          reason: `${verdict.reason} (${noData} polls in a row; failing closed)`,
        };
      }
      continue;
    }
    noData = 0;
    lastVerdict = "ok";
  }
  if (lastVerdict !== "ok") {
    return {
      result: "breached",
      reason:
        lastVerdict === "query_error"
          ? "the last SLO query of the window failed: no evidence to promote on (failing closed)"
          : `${lastNoDataReason} at the end of the window (failing closed)`,
    };
  }
  return { result: "passed" };
}

function emitPoll(
  ctx: RunContext,
  step: StepRecord,
  elapsedMs: number,
  windowMs: number,
  m: SloMeasurement | null,
  verdict: "ok" | "breach" | "no_data" | "query_error",
  detail: string,
): void {
  ctx.emit({
    type: "canary.poll",
    phase: step.phase,
    weight: step.weight,
    poll: step.polls,
    elapsedMs,
    windowMs,
    errorRate: m && m.errorRate.kind === "value" ? m.errorRate.value : null,
    p95LatencyMs: m && m.p95LatencyMs.kind === "value" ? m.p95LatencyMs.value : null,
    sampleCount: m?.sampleCount ?? null,
    errorRateMax: ctx.spec.slo.error_rate_max,
    p95LatencyMsMax: ctx.spec.slo.p95_latency_ms,
    verdict,
    detail,
  });
}
