import type { z } from "zod";
import { ShipgateError } from "../errors/shipgate-error.js";

/** A zod issue as one line: `slo.window_minutes: expected number, received string`. */
export function formatIssue(issue: z.core.$ZodIssue, prefix = ""): string {
  const path = [prefix, ...issue.path.map(String)].filter(Boolean).join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** Turns a failed zod parse into one `invalid_input` error naming the first field; all problems in `details.problems` (and zod's raw `details.issues`). */
export function zodToShipgateError(
  error: z.ZodError,
  prefix = "",
  what = "input",
): ShipgateError<"invalid_input"> {
  const problems = error.issues.map((i) => formatIssue(i, prefix));
  const first = error.issues[0];
  const field = first
    ? [prefix, ...first.path.map(String)].filter(Boolean).join(".")
    : prefix || undefined;
  return new ShipgateError("invalid_input", `Invalid ${what}: ${problems.join("; ")}`, {
    field: field || undefined,
    // `issues` keeps zod's own records (path, code, keys), so tools can add hints such as "did you mean".
    details: { problems, issues: error.issues },
    hint: "Fix the field named above and run again",
  });
}
