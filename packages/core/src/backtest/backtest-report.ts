import { z } from "zod";

/** The version of the {@link BacktestReport} shape (`shipgate backtest --json`). Bumped on any breaking change. */
export const BACKTEST_REPORT_VERSION = 1;

const stepRefSchema = z.object({
  index: z.number().int(),
  weight: z.number(),
  phase: z.enum(["canary", "stabilization"]),
});

/** A step of a release: which one, by index in the release, weight and phase. */
export type BacktestStepRef = z.output<typeof stepRefSchema>;

/**
 * What a past release did then: `promoted`, `rolled_back` (the canary's SLO watch stopped
 * it), `stopped` (something else did: a smoke check, the deployer, a cancellation), or
 * `unknown` (no report and no final step).
 */
export const actualDecisionSchema = z.enum(["promoted", "rolled_back", "stopped", "unknown"]);

/**
 * What the candidate policy would have decided:
 * - `rollback`: at `step`, `minute`;
 * - `promote`: every step the release ran passed, and the release ran to the end;
 * - `continue`: every step the release ran passed, but the release stopped then (rolled
 *   back or stopped) before the rest: nothing to judge beyond;
 * - `undecided`: the release left the step before the candidate decided (a longer window,
 *   or a rollback then came sooner): no data past that point;
 * - `no_data`: the SLO source no longer has the metrics and no polls were recorded.
 */
export const candidateDecisionSchema = z.enum([
  "rollback",
  "promote",
  "continue",
  "undecided",
  "no_data",
]);

/** One step, then and as the candidate would have judged it. */
export const backtestStepSchema = stepRefSchema.extend({
  actual: z.object({
    verdict: z.string(),
    minutes: z.number().nullable(),
    reason: z.string().nullable(),
  }),
  candidate: z.object({
    /** `passed`, `breached`, `inconclusive`, `error` (the watch's result), `undecided` or `not_reached`. */
    verdict: z.enum(["passed", "breached", "inconclusive", "error", "undecided", "not_reached"]),
    /** Minutes into the step when the candidate decided (or when the history ran out). */
    minute: z.number().nullable(),
    polls: z.number().int(),
    early: z.boolean(),
    reason: z.string().nullable(),
  }),
});

/** One past release in a backtest. */
export const backtestReleaseSchema = z.object({
  service: z.string(),
  environment: z.string(),
  version: z.string(),
  started: z.string(),
  report: z.string().nullable(),
  stable_version: z.string().nullable(),
  /** Where the candidate's readings came from: the SLO source, the polls recorded then, or nowhere. */
  data: z.enum(["slo_source", "recorded", "none"]),
  actual: z.object({
    decision: actualDecisionSchema,
    status: z.string().nullable(),
    reason: z.string().nullable(),
    step: stepRefSchema.nullable(),
    /** Minutes into `step` when it ended. */
    minute: z.number().nullable(),
    why: z.string().nullable(),
    /** Minutes of canary watching (every step up to the decision). */
    watched_minutes: z.number(),
  }),
  candidate: z.object({
    decision: candidateDecisionSchema,
    step: stepRefSchema.nullable(),
    minute: z.number().nullable(),
    why: z.string(),
    /** Minutes the candidate would have watched, where it decided. */
    watched_minutes: z.number().nullable(),
  }),
  /** The candidate flips the outcome: promoted then but rolled back now, or rolled back then but not now. */
  changed: z.boolean(),
  /** Candidate minus then watched minutes, where both decided; negative saves time. */
  minutes_delta: z.number().nullable(),
  steps: z.array(backtestStepSchema),
});

/** Totals over every release in a backtest. */
export const backtestTotalsSchema = z.object({
  releases: z.number().int(),
  would_roll_back: z.number().int(),
  would_promote: z.number().int(),
  would_continue: z.number().int(),
  undecided: z.number().int(),
  no_data: z.number().int(),
  /** Releases whose outcome flips (see `changed`). */
  changed: z.number().int(),
  /** Promoted then, rolled back by the candidate. */
  promoted_then_rolled_back_now: z.number().int(),
  /** Rolled back then, not rolled back by the candidate. */
  rolled_back_then_not_now: z.number().int(),
  /** Sum of the negative `minutes_delta`s, as a positive number. */
  minutes_saved: z.number(),
  /** Sum of the positive `minutes_delta`s. */
  minutes_added: z.number(),
});

/**
 * The result of a backtest, as `shipgate backtest --json` prints it. Stable: fields are
 * only added; a breaking change bumps `version` ({@link BACKTEST_REPORT_VERSION}).
 */
export const backtestReportSchema = z.object({
  version: z.literal(BACKTEST_REPORT_VERSION),
  /** The SLO source asked, and the judge of the candidate. */
  slo_source: z.string(),
  judge: z.string(),
  poll_interval_seconds: z.number(),
  releases: z.array(backtestReleaseSchema),
  totals: backtestTotalsSchema,
});

/** One step of a backtested release. */
export type BacktestStep = z.output<typeof backtestStepSchema>;
/** One backtested release. */
export type BacktestRelease = z.output<typeof backtestReleaseSchema>;
/** Totals of a backtest. */
export type BacktestTotals = z.output<typeof backtestTotalsSchema>;
/** A backtest's result. */
export type BacktestReport = z.output<typeof backtestReportSchema>;
/** What the release did then. */
export type ActualDecision = z.output<typeof actualDecisionSchema>;
/** What the candidate would have decided. */
export type CandidateDecision = z.output<typeof candidateDecisionSchema>;
