import { describe, expect, it } from "vitest";
import {
  conformanceIncident,
  conformancePostmortemIncident,
} from "../testing/conformance/fixtures.js";
import { expectConformancePostmortemFacts } from "../testing/conformance/postmortem-facts.js";
import { POSTMORTEM_DRAFT_HEADINGS } from "../testing/postmortem-draft-checks.js";
import {
  postmortemSections,
  renderPostmortemHtml,
  renderPostmortemMarkdown,
  renderPostmortemText,
} from "./postmortem-draft.js";

describe("postmortem draft", () => {
  it("has every section, in the order a responder reads them", () => {
    expect(postmortemSections(conformancePostmortemIncident).map((s) => s.title)).toEqual([
      ...POSTMORTEM_DRAFT_HEADINGS,
    ]);
  });

  it("renders the facts in markdown: timeline rows, value vs threshold, duration, impact in requests, CC", () => {
    const md = renderPostmortemMarkdown(conformancePostmortemIncident);
    expectConformancePostmortemFacts(md);
    // Markdown's own forms: a table row, list items, a fenced query, a placeholder in italics.
    for (const part of [
      "| 2026-01-05 10:00:00Z | release lock taken: devops/status/release-shop.lock |",
      "- error rate: 4.10% against the objective ≤ 1.00% — BREACHED",
      "- Sample size: 5,120 requests, 210 failed",
      "- Window: 3 m 00 s observed of a 10-minute window, at 25% canary weight",
      '```text\nsum(rate(http_requests_total{job="shop",code=~"5.."}[3m]))\n```',
      "canary weight × minutes ≈ 1.25 minutes of full traffic.",
      "## Root cause\n\n_To be written: why did the change break production?_",
    ])
      expect(md, part).toContain(part);
  });

  it("says what is missing instead of inventing it", () => {
    const md = renderPostmortemMarkdown(conformanceIncident);
    expect(md).toContain("No timeline was recorded.");
    expect(md).toContain(`Detected by shipgate: ${conformanceIncident.breachReason}.`);
    expect(md).toContain("No canary step served traffic.");
    const uncounted = renderPostmortemMarkdown({
      ...conformancePostmortemIncident,
      impact: {
        ...conformancePostmortemIncident.impact!,
        requests: null,
        failedRequests: null,
      },
    });
    expect(uncounted).toContain("The SLO source gave no request counts");
  });

  it("escapes HTML and keeps plain text on one line per fact", () => {
    const hostile = {
      ...conformancePostmortemIncident,
      breachReason: "<script>x</script>",
      detection: { ...conformancePostmortemIncident.detection!, reasoning: ["a <b> & c"] },
    };
    const htmlBody = renderPostmortemHtml(hostile);
    expect(htmlBody).toContain("<h3>Timeline (UTC)</h3>");
    expect(htmlBody).toContain("<li>a &lt;b&gt; &amp; c</li>");
    expect(htmlBody).not.toContain("<b> &");
    const text = renderPostmortemText(conformancePostmortemIncident);
    expect(text).toContain("TIMELINE (UTC)\n2026-01-05 10:00:00Z  release lock taken");
    expect(text).toContain("ACTION ITEMS\nTo be written");
  });
});

describe("postmortem draft in bodies with a size limit", () => {
  it("keeps the first and last timeline rows and says how many were left out", () => {
    const many = {
      ...conformancePostmortemIncident,
      timeline: Array.from({ length: 50 }, (_, i) => ({
        at: new Date(Date.UTC(2026, 0, 5, 10, i)).toISOString(),
        event: "canary.poll",
        detail: `poll ${i + 1}`,
      })),
    };
    const md = renderPostmortemMarkdown(many, { maxTimelineRows: 5 });
    const rows = md.split("\n").filter((l) => /^\| (2026|…)/.test(l));
    expect(rows).toEqual([
      "| 2026-01-05 10:00:00Z | poll 1 |",
      "| 2026-01-05 10:01:00Z | poll 2 |",
      "| … | 46 events left out; the release report has them all |",
      "| 2026-01-05 10:48:00Z | poll 49 |",
      "| 2026-01-05 10:49:00Z | poll 50 |",
    ]);
  });
});
