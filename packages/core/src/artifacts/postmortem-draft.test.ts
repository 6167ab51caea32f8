import { describe, expect, it } from "vitest";
import {
  conformanceIncident,
  conformancePostmortemIncident,
} from "../testing/conformance/fixtures.js";
import {
  postmortemSections,
  renderPostmortemHtml,
  renderPostmortemMarkdown,
  renderPostmortemText,
} from "./postmortem-draft.js";

describe("postmortem draft", () => {
  it("has every section, in the order a responder reads them", () => {
    expect(postmortemSections(conformancePostmortemIncident).map((s) => s.title)).toEqual([
      "Timeline (UTC)",
      "Detection",
      "Rollback",
      "Impact estimate",
      "Likely culprit",
      "Root cause",
      "What went well",
      "Action items",
    ]);
  });

  it("renders the facts in markdown: timeline rows, value vs threshold, duration, impact in requests, CC", () => {
    const md = renderPostmortemMarkdown(conformancePostmortemIncident);
    expect(md).toContain(
      "| 2026-01-05 10:00:00Z | release lock taken: devops/status/release-shop.lock |",
    );
    expect(md).toContain("- error rate: 4.10% against the objective ≤ 1.00% — BREACHED");
    expect(md).toContain("- Window: 3 m 00 s observed of a 10-minute window, at 25% canary weight");
    expect(md).toContain("- Sample size: 5,120 requests, 210 failed");
    expect(md).toContain(
      '```text\nsum(rate(http_requests_total{job="shop",code=~"5.."}[3m]))\n```',
    );
    expect(md).toContain("Previous version restored and verified in 1 m 42 s.");
    expect(md).toContain("canary weight × minutes ≈ 1.25 minutes of full traffic.");
    expect(md).toContain("In requests: the canary served 7,120 requests, of which 214 failed.");
    expect(md).toContain("CC: @carol");
    expect(md).toContain("## Root cause\n\n_To be written: why did the change break production?_");
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
