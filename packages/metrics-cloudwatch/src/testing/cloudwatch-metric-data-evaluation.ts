import {
  evaluateMetricMath,
  type MathNode,
  parseMetricMath,
  referencedIds,
} from "../cloudwatch-metric-math.js";
import {
  type QueryInput,
  type ValidMetricDataInput,
  WireError,
} from "./cloudwatch-request-validation.js";
import type { CloudWatchSeededMetric } from "./cloudwatch-seeded-metric.js";

/** One returned query's datapoints. */
export interface ComputedResult {
  id: string;
  label: string;
  /** [epoch seconds, value], in ScanBy order. */
  points: [number, number][];
}

function statOf(stat: string, values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  switch (stat) {
    case "Sum":
      return values.reduce((a, b) => a + b, 0);
    case "SampleCount":
      return values.length;
    case "Average":
      return values.reduce((a, b) => a + b, 0) / values.length;
    case "Minimum":
      return sorted[0] as number;
    case "Maximum":
      return sorted[sorted.length - 1] as number;
    default: {
      const p = Number(stat.slice(1));
      const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
      return sorted[Math.min(rank, sorted.length) - 1] as number;
    }
  }
}

/**
 * Computes the results of a valid GetMetricData input from seeded raw datapoints: StartTime
 * rounded down to the minute, per-period statistics, empty periods left out, metric math
 * evaluated, points ordered by `ScanBy`. Throws a {@link WireError} for bad expressions.
 */
export function computeMetricData(
  data: readonly CloudWatchSeededMetric[],
  input: ValidMetricDataInput,
): ComputedResult[] {
  // CloudWatch rounds StartTime down (to the minute for recent data).
  const start = Math.floor(input.start / 60) * 60;
  const series = new Map<string, Map<number, number>>();
  const parsed = new Map<string, MathNode>();
  for (const q of input.queries) {
    if (typeof q.Expression !== "string") continue;
    const tree = parseMetricMath(q.Expression);
    if (!tree.ok)
      throw new WireError(400, "ValidationError", `Error in expression '${q.Id}' [${tree.reason}]`);
    for (const ref of referencedIds(tree.value)) {
      if (!input.queries.some((o) => o.Id === ref) || ref === q.Id)
        throw new WireError(
          400,
          "ValidationError",
          `Error in expression '${q.Id}' [Unknown metric or expression id: ${ref}]`,
        );
    }
    parsed.set(q.Id as string, tree.value);
  }
  const metricSeries = (q: QueryInput): Map<number, number> => {
    const m = q.MetricStat!;
    const period = m.Period as number;
    const wanted = new Map(
      (m.Metric?.Dimensions ?? []).map((d) => [d.Name as string, d.Value as string]),
    );
    const buckets = new Map<number, number[]>();
    for (const s of data) {
      if (s.namespace !== m.Metric?.Namespace || s.metricName !== m.Metric?.MetricName) continue;
      const keys = Object.keys(s.dimensions);
      if (keys.length !== wanted.size || keys.some((k) => wanted.get(k) !== s.dimensions[k]))
        continue;
      for (const [ms, v] of s.points) {
        const t = ms / 1000;
        if (t < start || t >= input.end) continue;
        const bucket = start + Math.floor((t - start) / period) * period;
        buckets.set(bucket, [...(buckets.get(bucket) ?? []), v]);
      }
    }
    return new Map([...buckets].map(([t, vs]) => [t, statOf(m.Stat as string, vs)]));
  };
  const resolve = (id: string, depth = 0): Map<number, number> => {
    const cached = series.get(id);
    if (cached) return cached;
    if (depth > 20)
      throw new WireError(
        400,
        "ValidationError",
        `Error in expression '${id}' [circular reference]`,
      );
    const q = input.queries.find((o) => o.Id === id)!;
    let s: Map<number, number>;
    if (q.MetricStat) s = metricSeries(q);
    else {
      const v = evaluateMetricMath(parsed.get(id)!, (ref) => resolve(ref, depth + 1));
      s = typeof v === "number" ? new Map() : v;
    }
    series.set(id, s);
    return s;
  };
  return input.queries
    .filter((q) => q.ReturnData !== false)
    .map((q) => {
      const points = [...resolve(q.Id as string)].sort((a, b) =>
        input.scanAscending ? a[0] - b[0] : b[0] - a[0],
      );
      const label =
        typeof q.Label === "string"
          ? q.Label
          : ((q.MetricStat?.Metric?.MetricName as string | undefined) ?? (q.Id as string));
      return { id: q.Id as string, label, points };
    });
}
