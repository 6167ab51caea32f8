import type { Result } from "neverthrow";
import { err, ok } from "neverthrow";
import { z } from "zod";
import type { ShipgateError } from "../errors/shipgate-error.js";
import {
  baselineSpecSchema,
  policySpecSchema,
  releaseSpecSchema,
  sloSpecSchema,
} from "../model/release-spec.js";
import { zodToShipgateError } from "../release/zod-issues.js";

/**
 * A candidate release policy: the parts of a release spec that decide a canary — `slo`,
 * `policy` (poll interval, judge, …), `baseline` and `stabilization_minutes`. The canary
 * weights are not part of it: a backtest replays the steps each past release ran.
 *
 * @example
 * ```ts
 * const candidate = backtestPolicySchema.parse({
 *   slo: { error_rate_max: 0.005, p95_latency_ms: 250, window_minutes: 10 },
 *   policy: { judge: { max_error_rate_ratio: 1.2 } },
 * });
 * ```
 */
export const backtestPolicySchema = z.strictObject({
  slo: sloSpecSchema,
  policy: policySpecSchema.default(policySpecSchema.parse({})),
  baseline: baselineSpecSchema.optional(),
  stabilization_minutes: releaseSpecSchema.shape.stabilization_minutes,
});

/** A candidate policy as written. */
export type BacktestPolicyInput = z.input<typeof backtestPolicySchema>;
/** A candidate policy, defaults applied. */
export type BacktestPolicy = z.output<typeof backtestPolicySchema>;

const POLICY_KEYS = ["slo", "policy", "baseline", "stabilization_minutes"] as const;

/**
 * Parses a candidate policy. Accepts the policy keys at the top level, or a whole release
 * block (or a `shipgate.yaml` with a `release:` block), from which only the policy keys are
 * taken. Errors name the field.
 */
export function parseBacktestPolicy(input: unknown): Result<BacktestPolicy, ShipgateError> {
  let source = input;
  let prefix = "";
  if (source && typeof source === "object" && "release" in source) {
    source = (source as { release: unknown }).release;
    prefix = "release";
  }
  const picked: Record<string, unknown> = {};
  if (source && typeof source === "object" && !Array.isArray(source)) {
    for (const k of POLICY_KEYS) {
      if (k in source) picked[k] = (source as Record<string, unknown>)[k];
    }
  }
  const parsed = backtestPolicySchema.safeParse(picked);
  return parsed.success
    ? ok(parsed.data)
    : err(zodToShipgateError(parsed.error, prefix, "candidate policy"));
}
