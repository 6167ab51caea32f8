import { z } from "zod";

/**
 * How a canary step is judged (`policy.judge` in the release spec). Every knob has a safe
 * default; ratios are "at most": a canary breaches only when it is shown to be *more* than
 * this many times worse than stable.
 */
export const judgePolicySchema = z.strictObject({
  /** `statistical` (default): canary vs stable with anytime-valid tests. `threshold`: the first poll over an objective rolls back. */
  kind: z.enum(["statistical", "threshold"]).default("statistical"),
  /** The canary's error rate may be at most this many times stable's before it counts as a regression. */
  max_error_rate_ratio: z.number().min(1).max(100).default(1.5),
  /**
   * And it must be worse by more than this absolute amount (a fraction), so 0.01% → 0.02%
   * pages no one. Default: a tenth of `slo.error_rate_max`.
   */
  min_error_rate_increase: z.number().min(0).max(1).optional(),
  /** The canary's p95 latency may be at most this many times stable's. */
  max_p95_ratio: z.number().min(1).max(100).default(1.15),
  /** No breach or pass on fewer canary requests than this in the step: below it the step is inconclusive. */
  min_canary_requests: z.number().int().min(1).default(50),
  /** A step may end early on strong evidence, but never before this many minutes. */
  min_step_minutes: z.number().min(0).default(2),
  /** Let a step (and the stabilization window) end before its window on strong evidence. */
  early_promotion: z.boolean().default(true),
  /**
   * What an inconclusive step does at the end of its window: `extend` watches one more
   * window and then rolls back if still inconclusive; `hold` keeps watching up to
   * `max_hold_minutes`, then rolls back; `rollback` rolls back at once; `promote` goes on
   * without evidence (the report says so). Never a silent promotion.
   */
  on_inconclusive: z.enum(["extend", "hold", "rollback", "promote"]).default("extend"),
  /**
   * When a step's window ends with the canary under suspicion — evidence of a regression at
   * least `suspect_evidence` (a likelihood ratio) and an estimate past the limits, but short
   * of the breach bound — it watches one more window, up to this many times, before it is
   * promoted. A suspect canary is never rolled back for it: only a breach rolls back. 0: off.
   */
  max_suspect_extensions: z.number().int().min(0).max(5).default(3),
  /** The likelihood ratio of a regression at which a canary is suspect (see `max_suspect_extensions`). */
  suspect_evidence: z.number().gt(1).default(10),
  /** Longest a step may hold (shared degradation, or `on_inconclusive: hold`) before it rolls back. */
  max_hold_minutes: z.number().positive().default(30),
  /** Chance, per test, that a canary no worse than the limits is ever rolled back, however often it is looked at. */
  false_breach_probability: z.number().gt(0).max(0.1).default(0.001),
  /** Chance, per test, that a canary worse than the limits is promoted early. */
  false_pass_probability: z.number().gt(0).max(0.5).default(0.05),
});

/** The judge policy as written. */
export type JudgePolicyInput = z.input<typeof judgePolicySchema>;
/** The judge policy, defaults applied. */
export type JudgePolicy = z.output<typeof judgePolicySchema>;
