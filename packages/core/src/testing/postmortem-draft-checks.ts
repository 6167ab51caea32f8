import { expect } from "vitest";

/** The sections of a postmortem draft, in order. */
export const POSTMORTEM_DRAFT_HEADINGS = [
  "Timeline (UTC)",
  "Detection",
  "Rollback",
  "Impact estimate",
  "Likely culprit",
  "Root cause",
  "What went well",
  "Action items",
] as const;

/**
 * Expects the Markdown postmortem draft of `conformancePostmortemIncident` in `text` (an
 * issue body an incident sink wrote): every section as a `###` heading, the timeline's
 * verified rollback, the breach, the sample and impact, the culprit CC'd, the captain and
 * the dashboards.
 */
export function expectMarkdownPostmortemDraft(text: string): void {
  for (const heading of POSTMORTEM_DRAFT_HEADINGS) expect(text).toContain(`\n### ${heading}\n`);
  for (const line of [
    "| 2026-01-05 10:14:42Z | rollback verified: stable version v1.3.2 is serving |",
    "- error rate: 4.10% against the objective ≤ 1.00% — BREACHED",
    "- Sample size: 5,120 requests, 210 failed",
    "Previous version restored and verified in 1 m 42 s.",
    "In requests: the canary served 7,120 requests, of which 214 failed.",
    "CC: @carol",
    "| Release captain | alice |",
    "- [Grafana](https://grafana.example.com/d/shop)",
  ])
    expect(text).toContain(line);
}
