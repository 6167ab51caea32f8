import type { MetricReading, SloMeasurement } from "../contracts/slo-source.js";
import { formatMs, formatPercent } from "./format.js";

/** The parts of a release spec the threshold rule reads. */
export interface ThresholdRuleSpec {
  slo: { error_rate_max: number; p95_latency_ms: number };
  baseline?: { error_rate_max_delta?: number; p95_max_ratio?: number };
  policy: { min_sample_count: number };
}

/** What one reading means for the step. */
export type SloVerdict =
  | { verdict: "ok"; detail: string }
  | { verdict: "breach"; reason: string }
  | { verdict: "no_data"; reason: string };

function valueIn(reading: MetricReading): number | null {
  return reading.kind === "value" ? reading.value : null;
}

/**
 * Judges one measurement against the objectives (and the stable baseline when the spec
 * asks for a comparison and the baseline has data). Pure, so it can be property-tested:
 * any value above an objective is a breach, and missing data is never "ok".
 */
export function judgeMeasurement(
  measurement: SloMeasurement,
  spec: ThresholdRuleSpec,
  weight: number,
  baseline?: SloMeasurement | null,
): SloVerdict {
  const at = `at ${weight}%`;
  const errorRate = valueIn(measurement.errorRate);
  const p95 = valueIn(measurement.p95LatencyMs);
  // A breach on a metric that has data wins over missing data on the other: fail fast.
  if (errorRate !== null && errorRate > spec.slo.error_rate_max) {
    return {
      verdict: "breach",
      reason: `error rate ${formatPercent(errorRate)} > ${formatPercent(spec.slo.error_rate_max)} ${at}`,
    };
  }
  if (p95 !== null && p95 > spec.slo.p95_latency_ms) {
    return {
      verdict: "breach",
      reason: `p95 latency ${formatMs(p95)} > ${formatMs(spec.slo.p95_latency_ms)} ${at}`,
    };
  }
  if (measurement.errorRate.kind === "no_data") {
    return {
      verdict: "no_data",
      reason: `no error-rate data ${at}: ${measurement.errorRate.reason}`,
    };
  }
  if (measurement.p95LatencyMs.kind === "no_data") {
    return {
      verdict: "no_data",
      reason: `no latency data ${at}: ${measurement.p95LatencyMs.reason}`,
    };
  }
  if (measurement.sampleCount !== null && measurement.sampleCount < spec.policy.min_sample_count) {
    return {
      verdict: "no_data",
      reason: `only ${measurement.sampleCount} request(s) ${at}, fewer than the ${spec.policy.min_sample_count} required`,
    };
  }
  if (spec.baseline && baseline) {
    const baseRate = valueIn(baseline.errorRate);
    const baseP95 = valueIn(baseline.p95LatencyMs);
    const maxDelta = spec.baseline.error_rate_max_delta;
    const maxRatio = spec.baseline.p95_max_ratio;
    if (maxDelta !== undefined && baseRate !== null && errorRate! - baseRate > maxDelta) {
      return {
        verdict: "breach",
        reason: `error rate ${formatPercent(errorRate!)} exceeds stable ${formatPercent(baseRate)} by more than ${formatPercent(maxDelta)} ${at}`,
      };
    }
    if (maxRatio !== undefined && baseP95 !== null && baseP95 > 0 && p95! > baseP95 * maxRatio) {
      return {
        verdict: "breach",
        reason: `p95 latency ${formatMs(p95!)} exceeds ${maxRatio}× stable ${formatMs(baseP95)} ${at}`,
      };
    }
  }
  return {
    verdict: "ok",
    detail: `error rate ${formatPercent(errorRate!)} ≤ ${formatPercent(spec.slo.error_rate_max)}, p95 ${formatMs(p95!)} ≤ ${formatMs(spec.slo.p95_latency_ms)}`,
  };
}
