import { type ParsedDatadogQuery, parseDatadogQuery } from "./datadog-query-syntax.js";

/** A metric series the emulator serves. */
export interface DatadogSeededSeries {
  metric: string;
  /** COUNT points add up; DISTRIBUTION points are raw samples (percentiles are exact here). */
  type: "count" | "distribution" | "gauge";
  tags: Record<string, string>;
  /** `[timestamp ms, value]`. */
  points: [number, number][];
  /** The unit Datadog reports for the metric; `trace.*` distributions default to `second`. */
  unit?: "second" | "millisecond" | null;
}

const UNITS = {
  second: { family: "time", name: "second", plural: "seconds", scale_factor: 1.0, short_name: "s" },
  millisecond: {
    family: "time",
    name: "millisecond",
    plural: "milliseconds",
    scale_factor: 0.001,
    short_name: "ms",
  },
} as const;

function percentile(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] as number;
}

function matches(series: DatadogSeededSeries, q: ParsedDatadogQuery): boolean {
  if (series.metric !== q.metric) return false;
  return q.filters.every((f) => {
    const actual = series.tags[f.key];
    const hit =
      actual !== undefined &&
      (f.value === "*" ||
        (f.value.endsWith("*") ? actual.startsWith(f.value.slice(0, -1)) : actual === f.value));
    return f.negated ? !hit : hit;
  });
}

/** Aggregates one bucket of one group, following Datadog's space/time aggregation for the type. */
function aggregate(
  q: ParsedDatadogQuery,
  type: DatadogSeededSeries["type"],
  perSeries: number[][],
  intervalMs: number,
): number | { error: string } {
  const all = perSeries.flat();
  const percentileMatch = /^p(.+)$/.exec(q.aggregator);
  if (percentileMatch) {
    if (type !== "distribution")
      return { error: `percentile aggregator ${q.aggregator} needs a distribution metric` };
    return percentile(
      [...all].sort((a, b) => a - b),
      Number(percentileMatch[1]),
    );
  }
  // COUNT series are summed in time first; the space aggregator then combines series.
  const values = type === "count" ? perSeries.map((xs) => xs.reduce((a, b) => a + b, 0)) : all;
  let v: number;
  switch (q.aggregator) {
    case "sum":
      v = values.reduce((a, b) => a + b, 0);
      break;
    case "avg":
      v = values.reduce((a, b) => a + b, 0) / values.length;
      break;
    case "min":
      v = Math.min(...values);
      break;
    case "max":
      v = Math.max(...values);
      break;
    default:
      v = type === "count" ? values.reduce((a, b) => a + b, 0) : all.length;
  }
  return q.modifier === "as_rate" && type === "count" ? v / (intervalMs / 1000) : v;
}

interface EvaluatedSeries {
  queryIndex: number;
  groupTags: string[];
  unit: unknown;
  buckets: Map<number, number>;
}

/**
 * Answers the metrics queries of one `timeseries_request` from seeded series, as Datadog
 * does: points bucketed on `interval`-aligned boundaries (the interval raised above
 * `maxPoints` buckets), series grouped by the query's `by {…}` tags, only non-empty buckets
 * listed in `times`. The `timeseries_response` body as text, or Datadog's parse error. Pure.
 */
export function evaluateTimeseriesQueries(
  data: readonly DatadogSeededSeries[],
  attributes: { from: number; to: number; interval?: number },
  queries: readonly { query: string }[],
  maxPoints: number,
): { ok: true; body: string } | { ok: false; message: string } {
  const span = attributes.to - attributes.from;
  let interval = attributes.interval ?? Math.max(1000, Math.ceil(span / 300));
  if (span / interval > maxPoints) interval = Math.ceil(span / maxPoints / 1000) * 1000;
  const evaluated: EvaluatedSeries[] = [];
  for (const [queryIndex, { query }] of queries.entries()) {
    const parsed = parseDatadogQuery(query);
    if (!parsed.ok)
      return {
        ok: false,
        message: `Error parsing query: unable to parse ${query}: ${parsed.reason}`,
      };
    const q = parsed.value;
    const selected = data.filter((s) => matches(s, q));
    const groups = new Map<string, DatadogSeededSeries[]>();
    for (const s of selected) {
      const key = q.groupBy.map((g) => `${g}:${s.tags[g] ?? "N/A"}`).join(",");
      groups.set(key, [...(groups.get(key) ?? []), s]);
    }
    for (const [key, members] of groups) {
      const type = members[0]?.type ?? "gauge";
      // bucket start → one array of values per member series
      const byBucket = new Map<number, number[][]>();
      members.forEach((s, m) => {
        for (const [t, v] of s.points) {
          if (t < attributes.from || t >= attributes.to) continue;
          const bucket = Math.floor(t / interval) * interval;
          const rows = byBucket.get(bucket) ?? members.map(() => []);
          rows[m]?.push(v);
          byBucket.set(bucket, rows);
        }
      });
      const buckets = new Map<number, number>();
      for (const [bucket, rows] of byBucket) {
        const v = aggregate(q, type, rows, interval);
        if (typeof v === "object")
          return { ok: false, message: `Error parsing query: ${query}: ${v.error}` };
        buckets.set(bucket, v);
      }
      if (buckets.size === 0) continue;
      const declared =
        members[0]?.unit !== undefined
          ? members[0].unit
          : type === "distribution" && q.metric.startsWith("trace.")
            ? "second"
            : null;
      const counting = type === "count" || q.aggregator === "count";
      evaluated.push({
        queryIndex,
        groupTags: key === "" ? [] : key.split(","),
        unit: declared && !counting ? [UNITS[declared], null] : null,
        buckets,
      });
    }
  }
  const times = [...new Set(evaluated.flatMap((s) => [...s.buckets.keys()]))].sort((a, b) => a - b);
  return {
    ok: true,
    body: JSON.stringify({
      data: {
        id: "0",
        type: "timeseries_response",
        attributes: {
          series: evaluated.map((s) => ({
            group_tags: s.groupTags,
            query_index: s.queryIndex,
            unit: s.unit,
          })),
          times,
          values: evaluated.map((s) => times.map((t) => s.buckets.get(t) ?? null)),
        },
      },
    }),
  };
}
