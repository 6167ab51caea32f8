import type { ResultAsync } from "neverthrow";
import type { ShipgateError } from "../errors/shipgate-error.js";
import type { CallOptions } from "./call-options.js";

/** When a smoke check runs. */
export type SmokeCheckPhase = "after_weight_change" | "after_last_step" | "after_rollback";

/** The context of one smoke run. */
export interface SmokeCheckContext {
  service: string;
  environment: string;
  version: string;
  phase: SmokeCheckPhase;
  /** The canary weight at the time, 0 after a rollback. */
  weight: number;
}

/** What a smoke check saw. */
export interface SmokeCheckResult {
  name: string;
  passed: boolean;
  /** What was seen, e.g. `GET /healthz → 200 in 12 ms` or `exit 1: connection refused`. */
  detail: string;
  attempts: number;
  durationMs: number;
}

/** Errors a {@link SmokeCheck} may return: it could not run at all (a failed probe is a result). */
export type SmokeCheckError = ShipgateError;

/** A quick probe of the running service. A failing probe is a breach. */
export interface SmokeCheck {
  readonly name: string;
  run(
    context: SmokeCheckContext,
    options: CallOptions,
  ): ResultAsync<SmokeCheckResult, SmokeCheckError>;
}
