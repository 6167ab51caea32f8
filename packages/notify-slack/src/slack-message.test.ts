import type { Notification, NotificationKind } from "@shipgate/core";
import { conformanceNotifications } from "@shipgate/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateSlackMessage } from "./slack-emulator.js";
import {
  capBlocks,
  formatSlackMessage,
  SLACK_LIMITS,
  type SlackBlock,
  type SlackSectionBlock,
} from "./slack-message.js";
import { escapeMrkdwn, markdownToMrkdwn, truncateMrkdwn, truncatePlain } from "./slack-text.js";

const base: Notification = {
  kind: "release_started",
  service: "shop",
  environment: "production",
  version: "v1.4.0",
  sha: "f6".repeat(20),
  summary: "shop v1.4.0 → production: release started",
  body: "**shop v1.4.0 → production: release started**\nReport: devops/reports/release-v1.4.0.md",
  reportPath: "devops/reports/release-v1.4.0.md",
  dashboards: ["https://grafana.example.com/d/shop"],
};

const sections = (blocks: SlackBlock[]) =>
  blocks.filter((b): b is SlackSectionBlock => b.type === "section");
const allText = (blocks: SlackBlock[]) => JSON.stringify(blocks);

describe("formatSlackMessage", () => {
  it("formats every kind with a header, the deploy note, facts and a plain-text fallback Slack accepts", () => {
    for (const n of conformanceNotifications()) {
      const message = formatSlackMessage(n);
      expect(message.text.length).toBeGreaterThan(0);
      expect(message.text).toContain(escapeMrkdwn(n.summary));
      expect(message.blocks[0]?.type).toBe("header");
      expect(allText(message.blocks)).toContain("Report: `devops/reports/release-v1.4.0.md`");
      expect(allText(message.blocks)).toContain("<https://grafana.example.com/d/shop|Dashboard>");
      expect(validateSlackMessage({ ...message })).toEqual({ ok: true, warnings: [] });
    }
  });

  it("says what happened in the header for each kind", () => {
    const headers = Object.fromEntries(
      conformanceNotifications().map((n) => [n.kind, formatSlackMessage(n).blocks[0]]),
    ) as Record<NotificationKind, SlackBlock>;
    expect(headers.release_started).toEqual({
      type: "header",
      text: {
        type: "plain_text",
        text: ":rocket: Release started: shop v1.4.0 → production",
        emoji: true,
      },
    });
    expect(JSON.stringify(headers.step_passed)).toContain("Canary 25% passed: shop v1.4.0");
    expect(JSON.stringify(headers.release_succeeded)).toContain(
      "Released: shop v1.4.0 is live in production",
    );
    expect(JSON.stringify(headers.release_aborted)).toContain(
      "Rolled back: shop v1.4.0 in production",
    );
    expect(JSON.stringify(headers.release_blocked)).toContain("Blocked: shop v1.4.0");
    expect(JSON.stringify(headers.release_failed)).toContain("Failed: shop v1.4.0");
  });

  it("turns the markdown deploy note into mrkdwn and lists the facts as fields", () => {
    const { blocks } = formatSlackMessage(base);
    const [note, facts] = sections(blocks);
    expect(note?.text?.text).toBe(
      "*shop v1.4.0 → production: release started*\nReport: devops/reports/release-v1.4.0.md",
    );
    expect(facts?.fields?.map((f) => f.text)).toEqual([
      "*Service*\nshop",
      "*Environment*\nproduction",
      "*Version*\nv1.4.0",
      "*Commit*\n`f6f6f6f6f6f6`",
    ]);
  });

  it("shows the canary weight of a passed step", () => {
    const { blocks } = formatSlackMessage({ ...base, kind: "step_passed", weight: 25 });
    expect(sections(blocks)[1]?.fields?.at(-1)?.text).toBe("*Canary weight*\n25%");
  });

  it("adds the changelog summary to a success", () => {
    const n = conformanceNotifications().find((x) => x.kind === "release_succeeded")!;
    const { blocks } = formatSlackMessage(n);
    expect(
      sections(blocks).some(
        (s) => s.text?.text === "*Changelog*\n• feat(api): add bulk export endpoint (#101)",
      ),
    ).toBe(true);
  });

  it("links the incident of an abort, by URL when there is one and by path otherwise", () => {
    const byPath = formatSlackMessage(
      conformanceNotifications().find((x) => x.kind === "release_aborted")!,
    );
    expect(allText(byPath.blocks)).toContain(
      "*Incident:* INC-2026-01-05-01 (`incidents/INC-2026-01-05-01.md`)",
    );
    expect(byPath.text).toContain("incident INC-2026-01-05-01");
    const byUrl = formatSlackMessage({
      ...base,
      kind: "release_aborted",
      incident: { id: "Q1ABC", url: "https://acme.pagerduty.com/incidents/Q1ABC" },
    });
    expect(allText(byUrl.blocks)).toContain(
      "*Incident:* <https://acme.pagerduty.com/incidents/Q1ABC|Q1ABC>",
    );
    expect(byUrl.text).toContain("<https://acme.pagerduty.com/incidents/Q1ABC|Q1ABC>");
  });

  it("escapes &, < and > in user text so a PR title cannot become a link or mention", () => {
    const { text, blocks } = formatSlackMessage({
      ...base,
      summary: "fix <!channel> & <https://evil.example|click>",
      body: "",
      changelog: ["a <b> & c"],
      kind: "release_succeeded",
    });
    expect(text).toContain("fix &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;");
    expect(allText(blocks)).not.toContain("<!channel>");
    expect(allText(blocks)).toContain("• a &lt;b&gt; &amp; c");
  });

  describe("Block Kit limits", () => {
    it("cuts a header over 150 characters to exactly 150, ending with an ellipsis", () => {
      const { blocks } = formatSlackMessage({ ...base, service: "s".repeat(400) });
      const header = blocks[0] as Extract<SlackBlock, { type: "header" }>;
      expect(header.text.text).toHaveLength(SLACK_LIMITS.headerText);
      expect(header.text.text.endsWith("…")).toBe(true);
      expect(header.text.text.startsWith(":rocket: Release started: sss")).toBe(true);
    });

    it("cuts a section text over 3000 characters to 3000, ending with an ellipsis", () => {
      const { blocks } = formatSlackMessage({ ...base, body: "word ".repeat(2000) });
      const note = sections(blocks)[0]!.text!.text;
      expect(note.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      expect(note.length).toBeGreaterThan(SLACK_LIMITS.sectionText - 10);
      expect(note.endsWith("…")).toBe(true);
    });

    it("keeps a long changelog within one section and says how many changes were left out", () => {
      const changelog = Array.from(
        { length: 500 },
        (_, i) => `feat: change number ${i} with a fairly long title (#${i})`,
      );
      const message = formatSlackMessage({ ...base, kind: "release_succeeded", changelog });
      const section = sections(message.blocks).find((s) => s.text?.text.startsWith("*Changelog*"))!;
      expect(section.text!.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      const shown = section.text!.text.split("\n").filter((l) => l.startsWith("• ")).length;
      expect(shown).toBeGreaterThan(10);
      expect(section.text!.text).toMatch(
        new RegExp(`… and ${500 - shown} more changes \\(see the changelog\\)$`),
      );
      expect(validateSlackMessage({ ...message }).ok).toBe(true);
    });

    it("caps a message at 50 blocks and says how many were omitted", () => {
      const many: SlackBlock[] = Array.from({ length: 73 }, (_, i) => ({
        type: "section",
        text: { type: "mrkdwn", text: `block ${i}` },
      }));
      const capped = capBlocks(many);
      expect(capped).toHaveLength(SLACK_LIMITS.blocksPerMessage);
      expect(capped[48]).toEqual(many[48]);
      expect(capped[49]).toEqual({
        type: "context",
        elements: [
          { type: "mrkdwn", text: "… 24 more blocks omitted (Slack shows at most 50 per message)" },
        ],
      });
      expect(validateSlackMessage({ text: "x", blocks: capped }).ok).toBe(true);
      expect(validateSlackMessage({ text: "x", blocks: many })).toMatchObject({
        ok: false,
        error: "invalid_blocks",
      });
      expect(capBlocks(many.slice(0, 50))).toHaveLength(50);
    });

    it("labels dashboard links with the names the release gave them", () => {
      const { blocks } = formatSlackMessage({
        ...base,
        dashboards: ["https://grafana.example.com/d/shop", "https://app.datadoghq.com/x"],
        dashboardLinks: [
          { name: "Grafana", url: "https://grafana.example.com/d/shop" },
          { name: "Datadog", url: "https://app.datadoghq.com/x" },
        ],
      });
      const context = blocks.find((b) => b.type === "context") as Extract<
        SlackBlock,
        { type: "context" }
      >;
      expect(context.elements.map((e) => e.text)).toContain(
        "<https://grafana.example.com/d/shop|Grafana>",
      );
      expect(context.elements.map((e) => e.text)).toContain(
        "<https://app.datadoghq.com/x|Datadog>",
      );
    });

    it("keeps at most 10 context elements however many dashboards there are", () => {
      const dashboards = Array.from({ length: 25 }, (_, i) => `https://grafana.example.com/d/${i}`);
      const { blocks } = formatSlackMessage({ ...base, dashboards });
      const context = blocks.find((b) => b.type === "context") as Extract<
        SlackBlock,
        { type: "context" }
      >;
      expect(context.elements).toHaveLength(SLACK_LIMITS.contextElements);
      expect(context.elements.at(-1)?.text).toBe("+17 more dashboards");
    });
  });

  it("produces a message Slack accepts for any notification (property)", () => {
    const text = fc.string({ unit: "grapheme", maxLength: 400 });
    const longText = fc.oneof(text, fc.string({ minLength: 2990, maxLength: 6000 }));
    const kind = fc.constantFrom<NotificationKind>(
      "release_started",
      "step_passed",
      "release_succeeded",
      "release_aborted",
      "release_blocked",
      "release_failed",
    );
    const notification = fc.record(
      {
        kind,
        service: longText,
        environment: text,
        version: text,
        sha: fc.string({ maxLength: 40 }),
        summary: longText,
        body: longText,
        weight: fc.integer({ min: 0, max: 100 }),
        incident: fc.record({
          id: text,
          url: fc.option(fc.webUrl(), { nil: undefined }),
          path: fc.option(text, { nil: undefined }),
        }),
        changelog: fc.array(longText, { maxLength: 60 }),
        reportPath: text,
        dashboards: fc.array(fc.oneof(fc.webUrl(), text), { maxLength: 20 }),
      },
      { requiredKeys: ["kind", "service", "environment", "version", "sha", "summary", "body"] },
    );
    fc.assert(
      fc.property(notification, (n) => {
        const message = formatSlackMessage(n as Notification);
        expect(message.text.trim().length).toBeGreaterThan(0);
        expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
        const verdict = validateSlackMessage({ ...message });
        expect(verdict).toEqual({ ok: true, warnings: [] });
        // Slack's undocumented total limit (msg_blocks_too_long) is around 13 k characters.
        const blockText = message.blocks
          .flatMap((b) =>
            "elements" in b
              ? b.elements
              : "fields" in b && b.fields
                ? [...b.fields, ...(b.text ? [b.text] : [])]
                : "text" in b && b.text
                  ? [b.text]
                  : [],
          )
          .reduce((sum, t) => sum + t.text.length, 0);
        expect(blockText).toBeLessThan(10_000);
      }),
      { numRuns: 150 },
    );
  });
});

describe("text helpers", () => {
  it("truncate within the limit and never split a surrogate pair", () => {
    const emoji = "🚀".repeat(10); // 20 UTF-16 units
    const cut = truncatePlain(emoji, 8);
    expect(cut.length).toBeLessThanOrEqual(8);
    expect(cut).toBe("🚀🚀🚀…");
    expect(truncatePlain("short", 150)).toBe("short");
  });

  it("never leave a half link, entity or code span when cutting mrkdwn", () => {
    expect(truncateMrkdwn(`see <https://example.com/${"x".repeat(50)}|docs> now`, 30)).toBe("see…");
    expect(truncateMrkdwn(`a &amp; b ${"c".repeat(40)}`, 4)).toBe("a…");
    expect(truncateMrkdwn("use `some long code span here`", 12)).toBe("use…");
  });

  it("convert markdown headings, bold, links and bullets", () => {
    expect(
      markdownToMrkdwn("# Release **v1**\n- [PR 1](https://x.example/1) & more\n**bold** ~~gone~~"),
    ).toBe("*Release v1*\n• <https://x.example/1|PR 1> &amp; more\n*bold* ~gone~");
    expect(markdownToMrkdwn("[rel](devops/report.md)")).toBe("rel");
    expect(escapeMrkdwn("<&>")).toBe("&lt;&amp;&gt;");
  });
});
