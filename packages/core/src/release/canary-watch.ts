import { countsOf, type SloMeasurement, type SloQuery } from "../contracts/slo-source.js";
import type { ShipgateError } from "../errors/shipgate-error.js";
import type { JudgeDecision, PollObservation, TrackReading } from "../judge/judge.js";
import type { PollReading } from "../model/release-events.js";
import type { EvidenceEntry, StepRecord } from "../model/run-record.js";
import type { RunContext } from "./run-context.js";

/**
 * What watching a window needs from a run: the spec, the clock and SLO source, the judge
 * and its series, the stable version, and somewhere to put evidence and events. A release
 * passes its whole {@link RunContext}; a backtest passes the same loop a virtual clock set
 * to a past step and no deployer.
 */
export type WatchContext = Pick<
  RunContext,
  "spec" | "judge" | "observations" | "emit" | "signal" | "now"
> & {
  stack: Pick<RunContext["stack"], "clock" | "slo">;
  record: Pick<RunContext["record"], "preflight" | "evidence">;
};

/** How watching one window ended. */
export type WatchResult =
  | { result: "passed"; early: boolean; reason: string }
  | { result: "breached"; reason: string }
  | { result: "inconclusive"; reason: string }
  | { result: "cancelled" }
  | { result: "error"; reason: string; error: ShipgateError };

/** A measurement as the judge reads it. */
export function trackReading(m: SloMeasurement): TrackReading {
  const { requests, errors } = countsOf(m);
  return {
    requests,
    errors,
    errorRate: m.errorRate.kind === "value" ? m.errorRate.value : null,
    p95LatencyMs: m.p95LatencyMs.kind === "value" ? m.p95LatencyMs.value : null,
    latencyBuckets: m.latencyBuckets ?? null,
    ...(m.errorRate.kind === "no_data" ? { errorRateNoData: m.errorRate.reason } : {}),
    ...(m.p95LatencyMs.kind === "no_data" ? { p95NoData: m.p95LatencyMs.reason } : {}),
  };
}

/**
 * One track's query over a poll's window, fields in the order they always had. A literal:
 * spreading the shared fields and adding the track's took microseconds a query.
 */
function queryOf(
  spec: WatchContext["spec"],
  windowStart: Date,
  windowEnd: Date,
  version: string,
  track: SloQuery["track"],
): SloQuery {
  return {
    service: spec.service,
    environment: spec.environment,
    windowStart,
    windowEnd,
    version,
    track,
  };
}

function minutes(ms: number): string {
  const m = ms / 60_000;
  return `${Number.isInteger(m) ? m : m.toFixed(1)} min`;
}

/**
 * Watches the SLOs through one window, polling on the policy interval and asking the judge
 * after every poll. A breach fails fast; strong evidence may end the step early; a bad
 * query fails at once; repeated query errors fail closed; a window whose last query failed
 * does not pass. At the window's end an inconclusive step follows `on_inconclusive`, a
 * suspect one (the judge says `extend`) watches up to `max_suspect_extensions` more windows
 * before it is promoted, and a held step (stable degraded too) keeps watching up to
 * `max_hold_minutes`.
 */
export async function watchWindow(
  ctx: WatchContext,
  step: StepRecord,
  windowMs: number,
  stepIndex: number,
): Promise<WatchResult> {
  const { spec, stack, judge } = ctx;
  const policy = spec.policy.judge;
  const pollMs = spec.policy.poll_interval_seconds * 1000;
  const maxHoldMs = policy.max_hold_minutes * 60_000;
  const watchStart = stack.clock.now();
  const stableVersion = ctx.record.preflight?.stableVersion;
  // The threshold judge compares with stable only when `baseline` asks; the statistical one always can.
  const measureStable =
    !!stableVersion &&
    stack.slo.splitsByTrack !== false &&
    (judge.window === "interval" || !!spec.baseline);
  let windowEnd = windowMs;
  let extensions = 0;
  let suspectExtensions = 0;
  let holdingSince: number | null = null;
  let previousPoll = watchStart;
  let elapsed = 0;
  let queryErrors = 0;
  for (;;) {
    const slept = await stack.clock.sleep(Math.min(pollMs, windowEnd - elapsed), ctx.signal);
    if (slept.isErr()) return { result: "cancelled" };
    const now = stack.clock.now();
    elapsed = now - watchStart;
    const final = elapsed >= windowEnd;
    step.polls += 1;
    // An interval judge reads the minutes since the last poll; a cumulative one, the window so far.
    const from = judge.window === "interval" ? previousPoll : watchStart;
    const queryStart = new Date(from);
    const queryEnd = new Date(now);
    const intervalMs = now - from;
    previousPoll = now;
    const canary = await stack.slo.measure(
      queryOf(spec, queryStart, queryEnd, spec.version, "canary"),
      { signal: ctx.signal },
    );
    if (canary.isErr()) {
      if (canary.error.kind === "aborted" || ctx.signal.aborted) return { result: "cancelled" };
      queryErrors += 1;
      const detail = `query failed (${queryErrors}/${spec.policy.max_query_errors}): ${canary.error.describe()}`;
      pushEvidence(ctx, step, "error", detail);
      emitPoll(ctx, step, elapsed, windowEnd, null, null, "query_error", detail);
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
      if (final) {
        return {
          result: "breached",
          reason:
            "the last SLO query of the window failed: no evidence to promote on (failing closed)",
        };
      }
      continue;
    }
    queryErrors = 0;
    let stable: TrackReading | null = null;
    if (measureStable && stableVersion) {
      const base = await stack.slo.measure(
        queryOf(spec, queryStart, queryEnd, stableVersion, "stable"),
        { signal: ctx.signal },
      );
      if (base.isOk()) stable = trackReading(base.value);
      else if (base.error.kind === "aborted") return { result: "cancelled" };
    }
    const observation: PollObservation = {
      atMs: now,
      intervalMs,
      stepIndex,
      weight: step.weight,
      phase: step.phase,
      canary: trackReading(canary.value),
      // At 100% (and after promotion) stable serves nothing: there is no baseline to compare with.
      stable: stable && (stable.requests ?? 1) > 0 ? stable : null,
    };
    ctx.observations.push(observation);
    const decision = judge.decide({
      objectives: {
        errorRateMax: spec.slo.error_rate_max,
        p95LatencyMsMax: spec.slo.p95_latency_ms,
      },
      observations: ctx.observations,
      step: {
        index: stepIndex,
        weight: step.weight,
        phase: step.phase,
        elapsedMs: elapsed,
        windowMs: windowEnd,
        final,
      },
    });
    const summary = decision.evidence.canary;
    step.errorRate = summary.errorRate ?? step.errorRate;
    step.p95LatencyMs = summary.p95LatencyMs ?? step.p95LatencyMs;
    step.sampleCount = summary.requests ?? step.sampleCount;
    const verdict = pollVerdict(decision, observation);
    pushEvidence(
      ctx,
      step,
      evidenceResult(verdict),
      detailOf(decision, canary.value),
      decision,
      observation,
    );
    emitPoll(ctx, step, elapsed, windowEnd, observation, decision, verdict, decision.reason);

    if (decision.verdict === "breach") return { result: "breached", reason: decision.reason };
    if (decision.verdict === "pass")
      return { result: "passed", early: !final, reason: decision.reason };
    if (decision.verdict === "extend" && final) {
      holdingSince = null;
      if (suspectExtensions >= policy.max_suspect_extensions) {
        return {
          result: "passed",
          early: false,
          reason: `still suspect after ${suspectExtensions} more window${suspectExtensions === 1 ? "" : "s"}, short of a breach: promoted (${decision.reason})`,
        };
      }
      suspectExtensions += 1;
      windowEnd = extendWindow(
        ctx,
        step,
        windowEnd + windowMs,
        `${decision.reason}: watching one more window (max_suspect_extensions: ${policy.max_suspect_extensions})`,
      );
      continue;
    }
    if (decision.verdict === "hold") {
      holdingSince ??= elapsed;
      if (elapsed - holdingSince >= maxHoldMs) {
        return {
          result: "breached",
          reason: `${decision.reason}; held for ${minutes(elapsed - holdingSince)}, the most policy allows (failing closed)`,
        };
      }
      if (final) windowEnd = elapsed + pollMs;
      continue;
    }
    holdingSince = null;
    if (!final) continue;
    // The window is over and the evidence is not enough either way: the policy decides.
    const reason = `inconclusive: ${decision.reason}`;
    switch (policy.on_inconclusive) {
      case "promote":
        return {
          result: "passed",
          early: false,
          reason: `${reason}; promoted without evidence, as policy says (on_inconclusive: promote)`,
        };
      case "rollback":
        return { result: "inconclusive", reason: `${reason} (on_inconclusive: rollback)` };
      case "extend":
        if (extensions >= 1) {
          return {
            result: "inconclusive",
            reason: `${reason}, also after one extension (on_inconclusive: extend)`,
          };
        }
        break;
      case "hold":
        if (elapsed >= maxHoldMs) {
          return {
            result: "inconclusive",
            reason: `${reason}, after holding ${minutes(elapsed)} (on_inconclusive: hold)`,
          };
        }
        break;
    }
    extensions += 1;
    windowEnd = extendWindow(ctx, step, windowEnd + windowMs, reason);
  }
}

/** Says that a step watches until `windowMs` now, and why; returns the new window. */
function extendWindow(ctx: WatchContext, step: StepRecord, windowMs: number, reason: string) {
  ctx.emit({
    type: "canary.step.extended",
    weight: step.weight,
    phase: step.phase,
    windowMs,
    reason,
  });
  return windowMs;
}

function pollVerdict(decision: JudgeDecision, o: PollObservation): PollReading["verdict"] {
  switch (decision.verdict) {
    case "breach":
      return "breach";
    case "hold":
      return "hold";
    case "inconclusive":
      return "inconclusive";
    default:
      if (o.canary.errorRate === null || o.canary.p95LatencyMs === null) return "no_data";
      return "ok";
  }
}

function evidenceResult(verdict: PollReading["verdict"]): EvidenceEntry["result"] {
  switch (verdict) {
    case "ok":
      return "pass";
    case "breach":
      return "fail";
    case "query_error":
      return "error";
    default:
      return verdict;
  }
}

function detailOf(decision: JudgeDecision, m: SloMeasurement): string {
  return `${decision.reason}${m.sampleCount !== null && decision.evidence.checks.length === 0 ? ` (${m.sampleCount} requests)` : ""}`;
}

function pushEvidence(
  ctx: WatchContext,
  step: StepRecord,
  result: EvidenceEntry["result"],
  detail: string,
  decision?: JudgeDecision,
  observation?: PollObservation,
): void {
  const numbers = (t: TrackReading) => ({
    requests: t.requests,
    errorRate: t.errorRate,
    p95LatencyMs: t.p95LatencyMs,
  });
  ctx.record.evidence.push({
    at: ctx.now(),
    kind: "slo",
    phase: step.phase,
    weight: step.weight,
    result,
    detail,
    ...(decision
      ? {
          judge: {
            name: ctx.judge.name,
            verdict: decision.verdict,
            evidence: decision.evidence,
            ...(observation
              ? {
                  poll: {
                    canary: numbers(observation.canary),
                    stable: observation.stable ? numbers(observation.stable) : null,
                  },
                }
              : {}),
          },
        }
      : {}),
  });
}

function emitPoll(
  ctx: WatchContext,
  step: StepRecord,
  elapsedMs: number,
  windowMs: number,
  o: PollObservation | null,
  decision: JudgeDecision | null,
  verdict: PollReading["verdict"],
  detail: string,
): void {
  const e = decision?.evidence;
  ctx.emit({
    type: "canary.poll",
    phase: step.phase,
    weight: step.weight,
    poll: step.polls,
    elapsedMs,
    windowMs,
    errorRate: o?.canary.errorRate ?? null,
    p95LatencyMs: o?.canary.p95LatencyMs ?? null,
    sampleCount: o?.canary.requests ?? null,
    errorRateMax: ctx.spec.slo.error_rate_max,
    p95LatencyMsMax: ctx.spec.slo.p95_latency_ms,
    verdict,
    detail,
    judge: ctx.judge.name,
    judgeVerdict: decision?.verdict ?? null,
    stableErrorRate: o?.stable?.errorRate ?? null,
    stableP95LatencyMs: o?.stable?.p95LatencyMs ?? null,
    stableSampleCount: o?.stable?.requests ?? null,
    stepRequests: e?.canary.requests ?? null,
    stepErrorRate: e?.canary.errorRate ?? null,
    stepP95LatencyMs: e?.canary.p95LatencyMs ?? null,
    errorRateRatio: e?.errorRateRatio ?? null,
    p95Ratio: e?.p95Ratio ?? null,
    checks: e?.checks ?? [],
  });
}
