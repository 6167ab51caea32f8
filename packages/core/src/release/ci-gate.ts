import type { CiCheck } from "../contracts/ci-provider.js";
import type { ReleasePolicy } from "../model/release-spec.js";

/** Conclusions that count as passing. `neutral` and `skipped` do not block, as on GitHub. */
const PASSING = new Set(["success", "neutral", "skipped"]);

/** A completed check whose conclusion passes. */
export function isGreenCheck(check: CiCheck): boolean {
  return check.status === "completed" && check.conclusion !== null && PASSING.has(check.conclusion);
}

/** What the CI gate concluded from one read of the checks. */
export type CiGateVerdict =
  | { verdict: "green"; checks: CiCheck[]; ignored: CiCheck[] }
  | { verdict: "pending"; checks: CiCheck[]; pending: CiCheck[] }
  | { verdict: "red"; checks: CiCheck[]; failing: CiCheck[]; reason: string };

/**
 * Decides the gate from the checks. Latest run wins when a name repeats (a re-run that
 * passed supersedes the failed run). Zero checks is red unless the policy allows it.
 * Optional checks (`required: false`) do not block unless the policy says so.
 */
export function evaluateCiGate(
  allChecks: CiCheck[],
  policy: Pick<ReleasePolicy, "allow_no_checks" | "optional_checks_block">,
): CiGateVerdict {
  const checks = latestPerName(allChecks);
  if (checks.length === 0) {
    return policy.allow_no_checks
      ? { verdict: "green", checks, ignored: [] }
      : {
          verdict: "red",
          checks,
          failing: [],
          reason: "no CI checks reported for this commit (policy: zero checks is not green)",
        };
  }
  const blocking = (c: CiCheck) => c.required !== false || policy.optional_checks_block;
  const failing = checks.filter((c) => c.status === "completed" && !isGreenCheck(c) && blocking(c));
  if (failing.length > 0) {
    const names = failing.map((c) => `${c.name} (${c.conclusion})`).join(", ");
    return {
      verdict: "red",
      checks,
      failing,
      reason: `CI check${failing.length > 1 ? "s" : ""} failed: ${names}`,
    };
  }
  const pending = checks.filter((c) => c.status !== "completed" && blocking(c));
  if (pending.length > 0) return { verdict: "pending", checks, pending };
  const ignored = checks.filter((c) => !blocking(c) && !isGreenCheck(c));
  return { verdict: "green", checks, ignored };
}

function latestPerName(checks: CiCheck[]): CiCheck[] {
  const byName = new Map<string, CiCheck>();
  for (const check of checks) {
    const seen = byName.get(check.name);
    if (!seen || startedOf(check) >= startedOf(seen)) byName.set(check.name, check);
  }
  return [...byName.values()];
}

function startedOf(check: CiCheck): number {
  const t = Date.parse(check.startedAt ?? check.completedAt ?? "");
  return Number.isNaN(t) ? 0 : t;
}
