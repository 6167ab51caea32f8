import type { ShipgateError } from "../errors/shipgate-error.js";
import type { ReleaseOutcome } from "../model/release-outcome.js";

/** What a run that ended before touching anything knows about itself. */
export type EarlyEnd = Pick<
  ReleaseOutcome,
  "status" | "reason" | "exitCode" | "summary" | "version" | "service" | "dryRun"
> & { error: ShipgateError; startedAt: string; endedAt: string };

/**
 * The outcome of a run that ended before it touched anything (bad input, a lock it could
 * not take, a journal it could not read): no weight reached, nothing rolled back, no files.
 */
export function earlyOutcome(end: EarlyEnd): ReleaseOutcome {
  return {
    status: end.status,
    reason: end.reason,
    exitCode: end.exitCode,
    summary: end.summary,
    version: end.version,
    service: end.service,
    dryRun: end.dryRun,
    maxWeightReached: 0,
    rolledBack: false,
    rollbackVerified: null,
    paths: { report: null, incident: null, all: [] },
    error: end.error,
    warnings: [],
    startedAt: end.startedAt,
    endedAt: end.endedAt,
  };
}
