import { type FixtureTraffic, fixtureWindowSeries } from "@shipgate/core/testing/emulator";
import type { CloudWatchSeededMetric } from "./cloudwatch-emulator.js";

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

// The fixture window (10 minutes starting on a whole minute) and a measurement request for
// the fixture service over it: `checkout` 1.4.0 in `prod`, canary.
export {
  FIXTURE_WINDOW_END as WINDOW_END,
  FIXTURE_WINDOW_START as WINDOW_START,
  fixtureSloQuery as sloQuery,
} from "@shipgate/core/testing/emulator";

const ALB_METRIC_NAMES = {
  requests: "RequestCount",
  latency: "TargetResponseTime",
  errors: "HTTPCode_Target_5XX_Count",
} as const;

/**
 * ALB metrics of one target group over a window: `requests` spread over minutes, `errors`
 * 5XX (no datapoints at all when 0, as ALB reports), and 100 raw `TargetResponseTime`
 * values `step, 2·step, …, 100·step` seconds, so the exact p95 is `95·step` seconds.
 */
export function albMetrics(
  args: FixtureTraffic & { service?: string; track?: string },
): CloudWatchSeededMetric[] {
  const dimensions = {
    LoadBalancer: LOAD_BALANCER,
    TargetGroup: targetGroup(args.service ?? "checkout", args.track ?? "canary"),
  };
  return fixtureWindowSeries(
    args,
    { requestSlots: 10, errorSlots: 5, offsetMs: 1000 },
    (kind, points) => ({
      namespace: "AWS/ApplicationELB",
      metricName: ALB_METRIC_NAMES[kind],
      dimensions,
      points,
    }),
  );
}
