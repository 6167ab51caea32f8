/** A metric the emulator serves: raw datapoints of one namespace / name / dimension set. */
export interface CloudWatchSeededMetric {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  /** `[timestamp ms, value]` — raw values, so percentiles are exact. */
  points: [number, number][];
}
