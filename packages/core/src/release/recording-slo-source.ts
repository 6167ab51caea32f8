import { countsOf, type SloSource } from "../contracts/slo-source.js";
import type { RunRecord } from "./run-record.js";

/**
 * Wraps the stack's SLO source so every measurement that answers is kept in the run record
 * (`sloReadings`): the queries the source ran and the counts it gave. The incident's
 * detection and impact are written from them. Answers pass through unchanged.
 */
export function recordingSloSource(
  source: SloSource,
  record: RunRecord,
  now: () => string,
): SloSource {
  const wrapped: SloSource = {
    name: source.name,
    measure(query, options) {
      return source.measure(query, options).map((m) => {
        const step = record.steps[record.steps.length - 1];
        const counts = countsOf(m);
        record.sloReadings?.push({
          at: now(),
          source: source.name,
          track: query.track,
          version: query.version,
          weight: step ? step.weight : null,
          windowStart: query.windowStart.toISOString(),
          windowEnd: query.windowEnd.toISOString(),
          queries: [...(m.queries ?? [])],
          requestCount: counts.requests,
          errorCount: counts.errors,
        });
        return m;
      });
    },
  };
  if (source.splitsByTrack !== undefined)
    Object.defineProperty(wrapped, "splitsByTrack", { value: source.splitsByTrack });
  return wrapped;
}
