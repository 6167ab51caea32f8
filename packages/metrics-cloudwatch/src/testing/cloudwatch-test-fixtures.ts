import type { SloQuery } from "@shipgate/core";
import {
  evenSamples,
  FIXTURE_WINDOW_END,
  FIXTURE_WINDOW_START,
  fixtureSloQuery,
  spreadCount,
} from "@shipgate/core/testing/emulator";
import type { CloudWatchSeededMetric } from "./cloudwatch-emulator.js";

/** A 10-minute window starting on a whole minute. */
export const WINDOW_START = FIXTURE_WINDOW_START;
/** The end of the window, 10 minutes after its start. */
export const WINDOW_END = FIXTURE_WINDOW_END;

/** The fixture's load balancer. */
export const LOAD_BALANCER = "app/prod-alb/50dc6c495c0c9188";

/** The fixture's target group for a track. */
export function targetGroup(service: string, track: string): string {
  return `targetgroup/${service}-${track}/6d0ecf831eec9f09`;
}

/** The fixture's fake static credentials, which the emulator accepts. */
export const TEST_CREDENTIALS = {
  accessKeyId: "AKIDTESTNOTREAL",
  secretAccessKey: "test-secret-not-real",
} as const;

/** The fixture's dimensions: its load balancer, and a target group per service and track. */
export const TEST_DIMENSIONS = {
  LoadBalancer: LOAD_BALANCER,
  TargetGroup: "targetgroup/{{service}}-{{track}}/6d0ecf831eec9f09",
} as const;

/** A measurement request for the fixture service: `checkout` 1.4.0 in `prod`, canary. */
export const sloQuery: (overrides?: Partial<SloQuery>) => SloQuery = fixtureSloQuery;

/**
 * ALB metrics of one target group over a window: `requests` spread over minutes, `errors`
 * 5XX (no datapoints at all when 0, as ALB reports), and 100 raw `TargetResponseTime`
 * values `step, 2·step, …, 100·step` seconds, so the exact p95 is `95·step` seconds.
 */
export function albMetrics(args: {
  service?: string;
  track?: string;
  requests: number;
  errors: number;
  latencyStepSeconds: number;
  start?: Date;
  end?: Date;
}): CloudWatchSeededMetric[] {
  const start = (args.start ?? WINDOW_START).getTime();
  const end = (args.end ?? WINDOW_END).getTime();
  const dimensions = {
    LoadBalancer: LOAD_BALANCER,
    TargetGroup: targetGroup(args.service ?? "checkout", args.track ?? "canary"),
  };
  const metrics: CloudWatchSeededMetric[] = [
    {
      namespace: "AWS/ApplicationELB",
      metricName: "RequestCount",
      dimensions,
      points: spreadCount(args.requests, 10, start, end, 1000),
    },
    {
      namespace: "AWS/ApplicationELB",
      metricName: "TargetResponseTime",
      dimensions,
      points: evenSamples(100, start, end, (i) => (i + 1) * args.latencyStepSeconds),
    },
  ];
  if (args.errors > 0) {
    metrics.push({
      namespace: "AWS/ApplicationELB",
      metricName: "HTTPCode_Target_5XX_Count",
      dimensions,
      points: spreadCount(args.errors, 5, start, end, 1000),
    });
  }
  return metrics;
}
