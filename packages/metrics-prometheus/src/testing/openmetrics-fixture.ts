/** Traffic of one instance of one version, as constant amounts per scrape interval. */
export interface TrafficSeries {
  /** Labels on every series, e.g. `{ service: "checkout", version: "1.5.0", instance: "a" }`. */
  labels: Readonly<Record<string, string>>;
  /** Requests per scrape interval by status `code`, e.g. `{ "200": 199, "500": 1 }`. */
  requestsPerInterval: Readonly<Record<string, number>>;
  /**
   * Cumulative observations per interval at or below each finite bucket bound (seconds),
   * ascending; the `+Inf` bucket is the total of `requestsPerInterval`.
   */
  latencyBuckets: ReadonlyArray<readonly [le: number, cumulative: number]>;
}

/** A block of synthetic traffic for `promtool tsdb create-blocks-from openmetrics`. */
export interface TrafficFixture {
  /** Time of the last sample. */
  end: Date;
  /** Length of the data before `end`, in seconds. */
  durationSeconds: number;
  /** Seconds between samples, like a scrape interval. */
  intervalSeconds: number;
  series: readonly TrafficSeries[];
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function labelText(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
    .join(",");
}

function totalPerInterval(series: TrafficSeries): number {
  return Object.values(series.requestsPerInterval).reduce((a, b) => a + b, 0);
}

/**
 * Writes the traffic as an OpenMetrics text file: a counter `http_requests_total{code}`
 * and a histogram `http_request_duration_seconds` (`_bucket{le}` and `_count`), every
 * counter growing by the same amount each interval and starting from 0, so `rate` and
 * `increase` over any window inside the data are exact.
 *
 * @example
 * ```ts
 * const text = trafficOpenMetrics({ end, durationSeconds: 1800, intervalSeconds: 15, series });
 * ```
 */
export function trafficOpenMetrics(fixture: TrafficFixture): string {
  const endSeconds = Math.floor(fixture.end.getTime() / 1000);
  const steps = Math.floor(fixture.durationSeconds / fixture.intervalSeconds);
  const times: number[] = [];
  for (let i = 0; i <= steps; i += 1) {
    times.push(endSeconds - (steps - i) * fixture.intervalSeconds);
  }
  const lines: string[] = [];
  const emit = (name: string, labels: string, perInterval: number) => {
    times.forEach((t, i) => {
      lines.push(`${name}{${labels}} ${i * perInterval} ${t}`);
    });
  };

  lines.push("# TYPE http_requests counter");
  lines.push("# HELP http_requests Requests served, by status code.");
  for (const s of fixture.series) {
    for (const [code, n] of Object.entries(s.requestsPerInterval)) {
      emit("http_requests_total", labelText({ ...s.labels, code }), n);
    }
  }
  lines.push("# TYPE http_request_duration_seconds histogram");
  lines.push("# HELP http_request_duration_seconds Request latency.");
  for (const s of fixture.series) {
    const total = totalPerInterval(s);
    for (const [le, cumulative] of s.latencyBuckets) {
      emit(
        "http_request_duration_seconds_bucket",
        labelText({ ...s.labels, le: String(le) }),
        cumulative,
      );
    }
    emit("http_request_duration_seconds_bucket", labelText({ ...s.labels, le: "+Inf" }), total);
    emit("http_request_duration_seconds_count", labelText(s.labels), total);
  }
  lines.push("# EOF");
  return `${lines.join("\n")}\n`;
}

/**
 * What Prometheus' `histogram_quantile` returns for buckets summed over `series`: the
 * rank `q·total` is located in the first bucket whose cumulative count reaches it, and
 * interpolated linearly inside it (from 0 for the first bucket); a rank in the `+Inf`
 * bucket gives the highest finite bound. Rates scale every bucket alike, so the result
 * over any window of constant traffic is the same. In seconds; NaN without observations.
 */
export function expectedHistogramQuantile(q: number, series: readonly TrafficSeries[]): number {
  const bounds = new Map<number, number>();
  let total = 0;
  for (const s of series) {
    total += totalPerInterval(s);
    for (const [le, c] of s.latencyBuckets) bounds.set(le, (bounds.get(le) ?? 0) + c);
  }
  if (total === 0) return Number.NaN;
  const buckets = [...bounds.entries()].sort((a, b) => a[0] - b[0]);
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      return lowerBound + (le - lowerBound) * ((rank - lowerCount) / (count - lowerCount));
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound;
}

/** The fraction of 5xx requests summed over `series`; NaN without traffic. */
export function expectedErrorRate(series: readonly TrafficSeries[]): number {
  let errors = 0;
  let total = 0;
  for (const s of series) {
    for (const [code, n] of Object.entries(s.requestsPerInterval)) {
      total += n;
      if (/^5\d\d$/.test(code)) errors += n;
    }
  }
  return errors / total;
}

/** Requests summed over `series` in a window of `windowSeconds` inside the data. */
export function expectedRequestCount(
  series: readonly TrafficSeries[],
  windowSeconds: number,
  intervalSeconds: number,
): number {
  const perInterval = series.reduce((a, s) => a + totalPerInterval(s), 0);
  return (perInterval * windowSeconds) / intervalSeconds;
}

/** 5xx requests summed over `series` in a window of `windowSeconds` inside the data. */
export function expectedErrorCount(
  series: readonly TrafficSeries[],
  windowSeconds: number,
  intervalSeconds: number,
): number {
  let perInterval = 0;
  for (const s of series) {
    for (const [code, n] of Object.entries(s.requestsPerInterval)) {
      if (/^5\d\d$/.test(code)) perInterval += n;
    }
  }
  return (perInterval * windowSeconds) / intervalSeconds;
}

/**
 * The cumulative latency buckets summed over `series` in a window of `windowSeconds`
 * inside the data, as `{ leMs, count }` ascending with the `+Inf` bucket last (`leMs:
 * Infinity`, every request): what `sum by (le) (increase(…_bucket[W]))` gives.
 */
export function expectedLatencyBuckets(
  series: readonly TrafficSeries[],
  windowSeconds: number,
  intervalSeconds: number,
): { leMs: number; count: number }[] {
  const scale = windowSeconds / intervalSeconds;
  const bounds = new Map<number, number>();
  let total = 0;
  for (const s of series) {
    total += totalPerInterval(s);
    for (const [le, c] of s.latencyBuckets) bounds.set(le, (bounds.get(le) ?? 0) + c);
  }
  return [
    ...[...bounds.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([le, count]) => ({ leMs: Math.round(le * 1e9) / 1e6, count: count * scale })),
    { leMs: Number.POSITIVE_INFINITY, count: total * scale },
  ];
}
