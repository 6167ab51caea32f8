import type { LatencyBucket, SloMeasurement } from "../../contracts/slo-source.js";

/**
 * What a source can give beyond v1 (unstorage-style flags). `true`: the measurements of
 * seeded versions must carry it; `false`: the back end cannot give it, so every
 * measurement must say `null`; absent: checked only where the source fills it.
 */
export interface SloSourceCapabilities {
  /** `requestCount` and `errorCount`. */
  counts?: boolean;
  /** `latencyBuckets`. */
  latencyBuckets?: boolean;
}

function isWholeCount(n: unknown): boolean {
  return typeof n === "number" && Number.isInteger(n) && n >= 0;
}

/**
 * The v2 invariants every measurement keeps, whatever the query, as a list of problems
 * (empty when it keeps them all):
 * - `requestCount` / `errorCount`, where not null, are whole numbers ≥ 0, errors ≤
 *   requests, and errors/requests agrees with `errorRate` within
 *   `max(rateTolerance, 1/requests)` (the rounding of one request);
 * - `latencyBuckets`, where not null, ascend strictly by `leMs`, have whole
 *   non-decreasing (cumulative) counts, end at `leMs: Infinity`, and the last count is
 *   the request count (within one: two sums a back end extrapolates and rounds apart).
 *
 * @example
 * ```ts
 * expect(sloMeasurementProblems(measurement, { rateTolerance: 0.002 })).toEqual([]);
 * ```
 */
export function sloMeasurementProblems(
  m: SloMeasurement,
  options: { rateTolerance: number },
): string[] {
  const problems: string[] = [];
  const requests = m.requestCount;
  const errors = m.errorCount;
  if (requests !== undefined && requests !== null && !isWholeCount(requests))
    problems.push(`requestCount ${requests} is not a whole number ≥ 0`);
  if (errors !== undefined && errors !== null && !isWholeCount(errors))
    problems.push(`errorCount ${errors} is not a whole number ≥ 0`);
  if (isWholeCount(requests) && isWholeCount(errors)) {
    const r = requests as number;
    const e = errors as number;
    if (e > r) problems.push(`errorCount ${e} exceeds requestCount ${r}`);
    else if (r > 0 && m.errorRate.kind === "value") {
      const allowed = Math.max(options.rateTolerance, 1 / r);
      const gap = Math.abs(e / r - m.errorRate.value);
      if (gap > allowed)
        problems.push(
          `errorCount/requestCount = ${e}/${r} = ${e / r} disagrees with errorRate ${m.errorRate.value} by ${gap} (allowed ${allowed})`,
        );
    }
  }
  const buckets = m.latencyBuckets;
  if (buckets !== undefined && buckets !== null) {
    if (!Array.isArray(buckets) || buckets.length === 0) {
      problems.push("latencyBuckets is empty; it needs at least the leMs: Infinity bucket");
      return problems;
    }
    let prev: LatencyBucket | undefined;
    for (const [i, b] of buckets.entries()) {
      if (typeof b.leMs !== "number" || Number.isNaN(b.leMs) || b.leMs < 0)
        problems.push(`latencyBuckets[${i}].leMs ${b.leMs} is not a bound ≥ 0`);
      if (!isWholeCount(b.count))
        problems.push(`latencyBuckets[${i}].count ${b.count} is not a whole number ≥ 0`);
      if (prev && !(b.leMs > prev.leMs))
        problems.push(`latencyBuckets[${i}].leMs ${b.leMs} does not ascend (after ${prev.leMs})`);
      if (prev && b.count < prev.count)
        problems.push(
          `latencyBuckets[${i}].count ${b.count} is below the previous ${prev.count}; buckets are cumulative`,
        );
      prev = b;
    }
    const last = buckets[buckets.length - 1] as LatencyBucket;
    if (last.leMs !== Number.POSITIVE_INFINITY)
      problems.push(`the last bucket is leMs ${last.leMs}, not Infinity`);
    else if (isWholeCount(requests) && Math.abs(last.count - (requests as number)) > 1)
      problems.push(
        `the Infinity bucket counts ${last.count} requests but requestCount is ${requests}`,
      );
  }
  return problems;
}

/**
 * Where a measurement breaks what its source declared: a `false` capability must read
 * `null`; a `true` one must be filled when `seeded` (a version with data was measured).
 *
 * @example
 * ```ts
 * expect(capabilityProblems(m, { counts: true, latencyBuckets: false }, true)).toEqual([]);
 * ```
 */
export function capabilityProblems(
  m: SloMeasurement,
  capabilities: SloSourceCapabilities | undefined,
  seeded: boolean,
): string[] {
  const problems: string[] = [];
  if (capabilities?.counts === false) {
    if (m.requestCount !== null)
      problems.push(`counts: false, but requestCount is ${m.requestCount} instead of null`);
    if (m.errorCount !== null)
      problems.push(`counts: false, but errorCount is ${m.errorCount} instead of null`);
  } else if (capabilities?.counts === true && seeded) {
    if (typeof m.requestCount !== "number")
      problems.push(`counts: true, but requestCount is ${m.requestCount}`);
    if (typeof m.errorCount !== "number")
      problems.push(`counts: true, but errorCount is ${m.errorCount}`);
  }
  if (capabilities?.latencyBuckets === false) {
    if (m.latencyBuckets !== null)
      problems.push(
        `latencyBuckets: false, but latencyBuckets is ${JSON.stringify(m.latencyBuckets)} instead of null`,
      );
  } else if (capabilities?.latencyBuckets === true && seeded) {
    if (!Array.isArray(m.latencyBuckets))
      problems.push(`latencyBuckets: true, but latencyBuckets is ${m.latencyBuckets}`);
  }
  return problems;
}
