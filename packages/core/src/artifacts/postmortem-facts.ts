import type {
  IncidentDetection,
  IncidentImpact,
  IncidentRollbackFacts,
  IncidentTimelineEntry,
} from "../contracts/incident-sink.js";
import type { RunRecord, SloReadingRecord, StepRecord } from "../release/run-record.js";
import { formatMs, formatPercent } from "../release/slo-verdict.js";
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

function metricOf(reason: string, step: StepRecord | null): string {
  if (/^smoke check /.test(reason)) return "smoke check";
  if (/^deployer failed/.test(reason)) return "deployer";
  if (step?.result === "error") return "SLO query";
  if (/^error rate/.test(reason)) return "error rate";
  if (/^p95 latency/.test(reason)) return "p95 latency";
  if (/no .*data|failing closed|fewer than/.test(reason)) return "no data (failing closed)";
  return step ? "SLO" : "release error";
}

function detectionOf(record: RunRecord, context: PostmortemContext): IncidentDetection {
  const { spec } = record;
  const step = stoppingStep(record);
  const reason = step?.reason ?? context.breachReason;
  const metric = metricOf(context.breachReason, step);
  const readings = step ? readingsOf(record, step) : [];
  const last = readings[readings.length - 1] ?? null;
  const evidence = step
    ? record.evidence.filter(
        (e) => e.kind === "slo" && e.weight === step.weight && e.phase === step.phase,
      )
    : [];
  const lastEvidence = evidence[evidence.length - 1];
  const smokeName = /^smoke check (\S+)/.exec(context.breachReason)?.[1];
  const source =
    metric === "smoke check"
      ? `smoke check ${smokeName ?? "(unnamed)"}`
      : metric === "deployer"
        ? `deployer ${context.deployer}`
        : (last?.source ?? context.sloSource);

  const objectives: IncidentDetection["readings"] = [];
  if (step) {
    if (step.errorRate !== null)
      objectives.push({
        metric: "error rate",
        value: formatPercent(step.errorRate),
        threshold: `≤ ${formatPercent(spec.slo.error_rate_max)}`,
        breached: step.errorRate > spec.slo.error_rate_max,
      });
    if (step.p95LatencyMs !== null)
      objectives.push({
        metric: "p95 latency",
        value: formatMs(step.p95LatencyMs),
        threshold: `≤ ${formatMs(spec.slo.p95_latency_ms)}`,
        breached: step.p95LatencyMs > spec.slo.p95_latency_ms,
      });
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

  const observedMs = last
    ? ms(last.windowEnd) - ms(last.windowStart)
    : step?.endedAt
      ? ms(step.endedAt) - ms(step.startedAt)
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
    sampleCount: last?.requestCount ?? step?.sampleCount ?? null,
    errorCount: last?.errorCount ?? null,
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
    exposure.push({
      weight: step.weight,
      phase: step.phase,
      minutes: Math.max(0, end - start) / 60_000,
      requests: last?.requestCount ?? null,
      failedRequests: last?.errorCount ?? null,
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
