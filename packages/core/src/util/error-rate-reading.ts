import { type MetricReading, readingOf } from "../contracts/slo-source.js";

/**
 * The error rate of `failed` out of `total` requests, as an SLO source reports it: no data
 * when more failed than were counted in all, since then the two queries do not count the
 * same requests. `totalName` is what the source calls its request count ("requests",
 * "hits").
 */
export function errorRateReading(
  failed: number,
  total: number,
  totalName = "requests",
): MetricReading {
  if (failed > total)
    return {
      kind: "no_data",
      reason: `errors (${failed}) exceed ${totalName} (${total}); the two queries do not count the same requests`,
    };
  return readingOf(failed / total);
}
