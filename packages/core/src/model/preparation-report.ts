// What the preparation checks report: shared by the run record, the release stack and the
// checks themselves, so it lives below all of them.

/** One thing a preparation check looked at, and what it found. */
export interface PreparationFinding {
  check: "manifest" | "config" | "secret" | "migration";
  /** The manifest path (relative to the working directory), the config/secret name or the migration name. */
  subject: string;
  passed: boolean;
  /** A failed blocking finding stops the release before anything changes. */
  blocking: boolean;
  /** What was found, for the report; never a config or secret value. */
  message: string;
}

/** The outcome of the preparation checks (`runPreparationChecks`). */
export interface PreparationReport {
  /** True when no finding is both failed and blocking. */
  ok: boolean;
  findings: PreparationFinding[];
}
