/** Units a latency metric may be published in. */
export type LatencyUnit = "s" | "ms" | "us";

/** A CloudWatch metric and statistic (`MetricStat`). Dimension values may use placeholders. */
export interface CloudWatchMetricSpec {
  namespace?: string;
  metricName: string;
  /** `Sum`, `SampleCount`, `Average`, `Minimum`, `Maximum`, `p95`, `p99.9`, … */
  stat?: string;
  /** Merged over the source's `dimensions` (and the track's), these win. */
  dimensions?: Record<string, string>;
}

/** A metric-math or Metrics Insights expression (`Expression`); placeholders allowed. */
export interface CloudWatchExpressionSpec {
  expression: string;
}

/** One of the three measured queries. */
export type CloudWatchQuerySpec = CloudWatchMetricSpec | CloudWatchExpressionSpec;

/** The three queries: failed requests, all requests, p95 latency. */
export interface CloudWatchQueries {
  errors: CloudWatchQuerySpec;
  requests: CloudWatchQuerySpec;
  p95: CloudWatchQuerySpec;
}

/** Built-in metric sets. */
export type CloudWatchPreset = "alb" | "api_gateway";

/** A preset's namespace, queries and latency unit. */
export interface CloudWatchPresetDefinition {
  namespace: string;
  queries: CloudWatchQueries;
  latencyUnit: LatencyUnit;
}

/**
 * Application Load Balancer target metrics (namespace `AWS/ApplicationELB`, dimensions
 * usually `LoadBalancer` + `TargetGroup`, one target group per track) and API Gateway REST
 * metrics (`AWS/ApiGateway`, `ApiName` + `Stage`). ALB reports `TargetResponseTime` in
 * seconds; API Gateway reports `Latency` in milliseconds. ALB publishes
 * `HTTPCode_Target_5XX_Count` only for periods where it is non-zero.
 */
export const CLOUDWATCH_PRESETS: Readonly<Record<CloudWatchPreset, CloudWatchPresetDefinition>> = {
  alb: {
    namespace: "AWS/ApplicationELB",
    latencyUnit: "s",
    queries: {
      errors: { metricName: "HTTPCode_Target_5XX_Count", stat: "Sum" },
      requests: { metricName: "RequestCount", stat: "Sum" },
      p95: { metricName: "TargetResponseTime", stat: "p95" },
    },
  },
  api_gateway: {
    namespace: "AWS/ApiGateway",
    latencyUnit: "ms",
    queries: {
      errors: { metricName: "5XXError", stat: "Sum" },
      requests: { metricName: "Count", stat: "SampleCount" },
      p95: { metricName: "Latency", stat: "p95" },
    },
  },
};

/** Query ids in the request (CloudWatch ids start with a lower-case letter). */
export const QUERY_IDS = { errors: "errors", requests: "requests", p95: "latency_p95" } as const;

/** True for an expression spec. */
export function isExpression(spec: CloudWatchQuerySpec): spec is CloudWatchExpressionSpec {
  return "expression" in spec;
}
