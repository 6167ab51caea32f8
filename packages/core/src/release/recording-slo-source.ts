import { ResultAsync } from "neverthrow";
import { countsOf, type SloMeasurement, type SloSource } from "../contracts/slo-source.js";
import type { RunRecord } from "../model/run-record.js";
import { isoTime } from "../util/iso-time.js";

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
      // Result.map on the settled result: ResultAsync.map would add a generator per poll.
      const measured = async () => (await source.measure(query, options)).map(keep);
      return new ResultAsync(measured());
      function keep(m: SloMeasurement): SloMeasurement {
        const step = record.steps[record.steps.length - 1];
        const counts = countsOf(m);
        record.sloReadings?.push({
          at: now(),
          source: source.name,
          track: query.track,
          version: query.version,
          weight: step ? step.weight : null,
          windowStart: isoTime(query.windowStart.getTime()),
          windowEnd: isoTime(query.windowEnd.getTime()),
          queries: [...(m.queries ?? [])],
          requestCount: counts.requests,
          errorCount: counts.errors,
        });
        return m;
      }
    },
  };
  if (source.splitsByTrack !== undefined)
    Object.defineProperty(wrapped, "splitsByTrack", { value: source.splitsByTrack });
  return wrapped;
}
