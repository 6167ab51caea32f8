/**
 * One thing wrong with the user's input, named by its dotted key (`release.slo.window_minutes`,
 * `ci.with.token`), with what to do about it. Commands print one per line and exit 1.
 */
export interface ConfigProblem {
  /** The dotted key at fault, or "" for the file as a whole. */
  key: string;
  message: string;
  /** What to do about it. */
  hint?: string;
}

/** `release.sha: sha must be … — pass the full sha` */
export function formatProblem(problem: ConfigProblem): string {
  const head = problem.key ? `${problem.key}: ${problem.message}` : problem.message;
  return problem.hint ? `${head} — ${problem.hint}` : head;
}
