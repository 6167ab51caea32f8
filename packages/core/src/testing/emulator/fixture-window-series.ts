import {
  evenSamples,
  FIXTURE_WINDOW_END,
  FIXTURE_WINDOW_START,
  type MetricPoint,
  spreadCount,
} from "./metric-points.js";

/** The traffic of one seeded service track over a window (the fixture window by default). */
export interface FixtureTraffic {
  requests: number;
  /** Failed requests; with none, no errors series at all, as metrics providers report. */
  errors: number;
  /** Latency samples `step, 2·step, …, 100·step` seconds, so the exact p95 is `95·step`. */
  latencyStepSeconds: number;
  start?: Date;
  end?: Date;
}

/** How a provider reports {@link FixtureTraffic}: over how many slots the counts come. */
export interface FixtureSeriesLayout {
  /** Points the requests are spread over (whole numbers, earlier points take the remainder). */
  requestSlots: number;
  /** Points the errors are spread over. */
  errorSlots: number;
  /** How far into its slot each count point lies (default 0). */
  offsetMs?: number;
}

/** Which of the three series of {@link fixtureWindowSeries} a seeded series is. */
export type FixtureSeriesKind = "requests" | "latency" | "errors";

/**
 * The seeded series of one track's traffic, in the provider's own shape (`toSeries`): the
 * requests spread over the window, 100 evenly placed latency samples, and the errors spread
 * too, left out entirely when there are none. Pure.
 *
 * @example
 * ```ts
 * fixtureWindowSeries(args, { requestSlots: 60, errorSlots: 10 }, (kind, points) => ({
 *   metric: METRIC_OF[kind], tags, points,
 * }));
 * ```
 */
export function fixtureWindowSeries<Series>(
  traffic: FixtureTraffic,
  layout: FixtureSeriesLayout,
  toSeries: (kind: FixtureSeriesKind, points: MetricPoint[]) => Series,
): Series[] {
  const start = (traffic.start ?? FIXTURE_WINDOW_START).getTime();
  const end = (traffic.end ?? FIXTURE_WINDOW_END).getTime();
  const offsetMs = layout.offsetMs ?? 0;
  const series = [
    toSeries("requests", spreadCount(traffic.requests, layout.requestSlots, start, end, offsetMs)),
    toSeries(
      "latency",
      evenSamples(100, start, end, (i) => (i + 1) * traffic.latencyStepSeconds),
    ),
  ];
  if (traffic.errors > 0) {
    series.push(
      toSeries("errors", spreadCount(traffic.errors, layout.errorSlots, start, end, offsetMs)),
    );
  }
  return series;
}
