import { expect } from "vitest";

/**
 * What every rendering of {@link conformancePostmortemIncident} says, whatever the format
 * (markdown, issue body, work-item HTML, plain text): the breached objective, the sample,
 * the rollback, the impact in requests and who is CC'd.
 */
export const CONFORMANCE_POSTMORTEM_FACTS: readonly string[] = [
  "error rate: 4.10% against the objective ≤ 1.00% — BREACHED",
  "Sample size: 5,120 requests, 210 failed",
  "Previous version restored and verified in 1 m 42 s.",
  "In requests: the canary served 7,120 requests, of which 214 failed.",
  "CC: @carol",
];

/**
 * Asserts that a sink's body (or any rendering) of {@link conformancePostmortemIncident}
 * carries each of {@link CONFORMANCE_POSTMORTEM_FACTS}, naming the first one missing.
 *
 * @example
 * ```ts
 * await sink.open(conformancePostmortemIncident, { signal });
 * expectConformancePostmortemFacts(issueBody);
 * ```
 */
export function expectConformancePostmortemFacts(text: string): void {
  for (const fact of CONFORMANCE_POSTMORTEM_FACTS) expect(text, fact).toContain(fact);
}
