import type {
  IncidentDetection,
  IncidentImpact,
  IncidentRollbackFacts,
  IncidentTimelineEntry,
} from "../contracts/incident-sink.js";
import type {
  EvidenceEntry,
  RunRecord,
  SloReadingRecord,
  StepRecord,
} from "../model/run-record.js";
import { formatMs, formatPercent } from "./format.js";
import { describeReleaseEvent } from "./release-timeline.js";

/** What a postmortem draft says beyond the incident's summary, all from the run record. */
export interface PostmortemFacts {
  timeline: IncidentTimelineEntry[];
  detection: IncidentDetection;
  rollback: IncidentRollbackFacts | undefined;
  impact: IncidentImpact;
}

/** Names the run record does not hold: the stack's parts. */
export interface PostmortemContext {
  /** Why the release was stopped (the incident's `breachReason`). */
  breachReason: string;
  /** The deployer's name, for the rollback method. */
  deployer: string;
  /** The SLO source's name, when no measurement names it. */
  sloSource: string;
}

const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : Number.NaN);

/**
 * The postmortem's facts from a run record: the timeline (every event from the lock to the
 * rollback's verification), how the problem was detected, the rollback and its duration,
 * and the impact (canary weight × minutes, and request counts where the SLO source gave
 * them). Pure; a function of the record so a richer judge record can feed it later.
 */
export function postmortemFacts(record: RunRecord, context: PostmortemContext): PostmortemFacts {
  return {
    timeline: timelineOf(record),
    detection: detectionOf(record, context),
    rollback: rollbackOf(record, context),
    impact: impactOf(record),
  };
}

/** Every event up to and including the rollback's verification (or all, if none ran). */
export function timelineOf(record: RunRecord): IncidentTimelineEntry[] {
  const events = record.timeline ?? [];
  let end = events.length;
  for (let i = events.length - 1; i >= 0; i -= 1) {
    if (events[i]!.type === "rollback.finished") {
      end = i + 1;
      break;
    }
  }
  return events.slice(0, end).map((event) => ({
    at: new Date(event.at).toISOString(),
    event: event.type,
    detail: describeReleaseEvent(event),
  }));
}

/** The step that stopped the release: the last one that breached or failed. */
function stoppingStep(record: RunRecord): StepRecord | null {
  for (let i = record.steps.length - 1; i >= 0; i -= 1) {
    const step = record.steps[i]!;
    if (step.result === "breached" || step.result === "error") return step;
  }
  return null;
}

/** The canary readings taken during a step, oldest first. */
function readingsOf(record: RunRecord, step: StepRecord): SloReadingRecord[] {
  const from = ms(step.startedAt);
  const to = step.endedAt ? ms(step.endedAt) : Number.POSITIVE_INFINITY;
  return (record.sloReadings ?? []).filter(
    (r) => r.track === "canary" && r.weight === step.weight && ms(r.at) >= from && ms(r.at) <= to,
  );
}

function metricOf(reason: string, step: StepRecord | null, evidence?: EvidenceEntry): string {
  if (/^smoke check /.test(reason)) return "smoke check";
  if (/^deployer failed/.test(reason)) return "deployer";
  if (step?.result === "error") return "SLO query";
  // The judge says which of its tests breached.
  const breach = evidence?.judge?.evidence.checks.find((c) => c.outcome === "breach");
  if (breach) {
    const what = breach.metric === "error_rate" ? "error rate" : "p95 latency";
    return breach.against === "vs_stable" ? `${what} (against stable)` : what;
  }
  if (/^inconclusive/.test(reason)) return "too little evidence (inconclusive)";
  if (/^error rate/.test(reason)) return "error rate";
  if (/^p95/.test(reason)) return "p95 latency";
  if (/no .*data|failing closed|fewer than/.test(reason)) return "no data (failing closed)";
  return step ? "SLO" : "release error";
}

function detectionOf(record: RunRecord, context: PostmortemContext): IncidentDetection {
  const { spec } = record;
  const step = stoppingStep(record);
  const reason = step?.reason ?? context.breachReason;
  const readings = step ? readingsOf(record, step) : [];
  const last = readings[readings.length - 1] ?? null;
  const evidence = step
    ? record.evidence.filter(
        (e) => e.kind === "slo" && e.weight === step.weight && e.phase === step.phase,
      )
    : [];
  const lastEvidence = evidence[evidence.length - 1];
  const metric = metricOf(context.breachReason, step, lastEvidence);
  // What the judge weighed: the step so far (interval polls add up to it).
  const judged = lastEvidence?.judge?.evidence;
  const smokeName = /^smoke check (\S+)/.exec(context.breachReason)?.[1];
  const source =
    metric === "smoke check"
      ? `smoke check ${smokeName ?? "(unnamed)"}`
      : metric === "deployer"
        ? `deployer ${context.deployer}`
        : (last?.source ?? context.sloSource);

  const objectives: IncidentDetection["readings"] = [];
  if (step) {
    /** A reading against its objective's ceiling, both written the way the metric is. */
    const againstObjective = (
      metric: string,
      value: number,
      max: number,
      format: (n: number) => string,
    ) => ({ metric, value: format(value), threshold: `≤ ${format(max)}`, breached: value > max });
    if (step.errorRate !== null)
      objectives.push(
        againstObjective("error rate", step.errorRate, spec.slo.error_rate_max, formatPercent),
      );
    if (step.p95LatencyMs !== null)
      objectives.push(
        againstObjective("p95 latency", step.p95LatencyMs, spec.slo.p95_latency_ms, formatMs),
      );
    for (const check of judged?.checks ?? []) {
      if (check.against !== "vs_stable" || check.outcome !== "breach") continue;
      const latency = check.metric === "p95_latency";
      const stable = latency ? judged?.stable?.p95LatencyMs : judged?.stable?.errorRate;
      const value = check.estimate;
      if (value === null || stable === null || stable === undefined) continue;
      objectives.push({
        metric: `${latency ? "p95 latency" : "error rate"} against stable`,
        value: latency ? formatMs(value) : formatPercent(value),
        threshold: `stable ${latency ? formatMs(stable) : formatPercent(stable)}, limit ${latency ? formatMs(check.limit) : formatPercent(check.limit)}`,
        breached: true,
      });
    }
  }

  const reasoning: string[] = [];
  const add = (line: string | null | undefined) => {
    if (line && !reasoning.includes(line)) reasoning.push(line);
  };
  add(reason);
  if (lastEvidence && lastEvidence.result !== "pass") add(`last reading: ${lastEvidence.detail}`);
  if (step) {
    add(
      `${step.polls} poll(s) of the ${step.phase === "stabilization" ? "stabilization window" : `${step.weight}% step`}, every ${spec.policy.poll_interval_seconds} s over a ${spec.slo.window_minutes}-minute window; a breach at any poll stops the release and rolls back`,
    );
  }
  if (context.breachReason !== reason) add(`release stopped: ${context.breachReason}`);

  const observedMs = step?.endedAt
    ? ms(step.endedAt) - ms(step.startedAt)
    : last
      ? ms(last.windowEnd) - ms(last.windowStart)
      : null;
  return {
    metric,
    source,
    queries: last ? [...last.queries] : [],
    readings: objectives,
    weight: step?.weight ?? null,
    detectedAt: step?.endedAt ?? null,
    windowMinutes: spec.slo.window_minutes,
    observedMs: observedMs !== null && Number.isFinite(observedMs) ? observedMs : null,
    sampleCount: judged?.canary.requests ?? last?.requestCount ?? step?.sampleCount ?? null,
    errorCount: judged?.canary.errors ?? last?.errorCount ?? null,
    reasoning,
  };
}

function rollbackOf(
  record: RunRecord,
  context: PostmortemContext,
): IncidentRollbackFacts | undefined {
  const r = record.rollback;
  if (!r) return undefined;
  const stable = record.preflight?.stableVersion;
  const duration = r.endedAt ? ms(r.endedAt) - ms(r.startedAt) : Number.NaN;
  return {
    method: `abort the canary and roll back to ${stable ? `the stable version ${stable}` : "the previous stable version"} through the ${context.deployer} deployer, then verify (the deployer says stable serves all traffic, and every smoke check passes)`,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    durationMs: Number.isFinite(duration) ? duration : null,
    verified: r.verified,
    evidence: [
      `abort: ${r.aborted ? "done" : "FAILED"}; roll back: ${r.rolledBack ? "done" : "FAILED"}`,
      `verification: ${r.message || "(no answer)"}`,
      ...r.smoke.map(
        (s) =>
          `smoke check ${s.name} after the rollback: ${s.passed ? "pass" : "FAIL"} — ${s.detail}`,
      ),
    ],
  };
}

function impactOf(record: RunRecord): IncidentImpact {
  const rollbackAt = record.rollback ? ms(record.rollback.startedAt) : Number.NaN;
  const exposure: IncidentImpact["exposure"] = [];
  for (const step of record.steps) {
    const start = ms(step.startedAt);
    const end = step.endedAt ? ms(step.endedAt) : rollbackAt;
    if (!Number.isFinite(start) || !Number.isFinite(end)) continue;
    const readings = readingsOf(record, step);
    const last = readings[readings.length - 1];
    // Cumulative readings (every window starts at the step's start) hold the step's total in
    // the last one; interval readings add up.
    const cumulative = readings.every((r) => r.windowStart === readings[0]!.windowStart);
    const sum = (pick: (r: SloReadingRecord) => number | null | undefined) =>
      readings.some((r) => pick(r) === null || pick(r) === undefined)
        ? null
        : readings.reduce((total, r) => total + pick(r)!, 0);
    exposure.push({
      weight: step.weight,
      phase: step.phase,
      minutes: Math.max(0, end - start) / 60_000,
      requests: cumulative ? (last?.requestCount ?? null) : sum((r) => r.requestCount),
      failedRequests: cumulative ? (last?.errorCount ?? null) : sum((r) => r.errorCount),
    });
  }
  const fullTrafficMinutes = exposure.reduce((sum, e) => sum + (e.weight / 100) * e.minutes, 0);
  const counted = exposure.length > 0 && exposure.every((e) => e.requests !== null);
  const failedCounted = counted && exposure.every((e) => e.failedRequests !== null);
  return {
    exposure,
    fullTrafficMinutes,
    requests: counted ? exposure.reduce((sum, e) => sum + e.requests!, 0) : null,
    failedRequests: failedCounted ? exposure.reduce((sum, e) => sum + e.failedRequests!, 0) : null,
  };
}
