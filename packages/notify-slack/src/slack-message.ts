import { dashboardLinksOf, type Notification, type NotificationKind } from "@shipgate/core";
import {
  escapeMrkdwn,
  markdownToMrkdwn,
  mrkdwnLink,
  truncateMrkdwn,
  truncatePlain,
} from "./slack-text.js";

/**
 * The Block Kit limits this formatter respects (docs.slack.dev, Block Kit reference):
 * 50 blocks per message; header text 150 characters (`plain_text` only); section text 3000,
 * at most 10 fields of 2000 each; context at most 10 elements.
 */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  contextElements: 10,
  contextElementText: 3000,
  /**
   * Our own bound on the top-level `text` fallback. Slack truncates `text` at 40,000
   * characters; a notification's fallback is one line, so it never needs more.
   */
  fallbackText: 3000,
} as const;

/** A `plain_text` or `mrkdwn` text object. */
export interface SlackTextObject {
  type: "plain_text" | "mrkdwn";
  text: string;
  emoji?: boolean;
}

/** A header block: large bold plain text. */
export interface SlackHeaderBlock {
  type: "header";
  text: SlackTextObject & { type: "plain_text" };
}

/** A section block: a text and/or up to 10 two-column fields. */
export interface SlackSectionBlock {
  type: "section";
  text?: SlackTextObject;
  fields?: SlackTextObject[];
}

/** A context block: small grey text elements. */
export interface SlackContextBlock {
  type: "context";
  elements: SlackTextObject[];
}

/** The blocks this package sends. */
export type SlackBlock = SlackHeaderBlock | SlackSectionBlock | SlackContextBlock;

/** A message body accepted by both incoming webhooks and `chat.postMessage`. */
export interface SlackMessage {
  /** Plain-text fallback: notifications, screen readers, clients without Block Kit. */
  text: string;
  blocks: SlackBlock[];
}

interface KindStyle {
  emoji: string;
  title: (n: Notification) => string;
}

const KIND_STYLE: Record<NotificationKind, KindStyle> = {
  release_started: {
    emoji: ":rocket:",
    title: (n) => `Release started: ${n.service} ${n.version} → ${n.environment}`,
  },
  step_passed: {
    emoji: ":large_green_circle:",
    title: (n) =>
      n.weight === undefined
        ? `Canary step passed: ${n.service} ${n.version}`
        : `Canary ${n.weight}% passed: ${n.service} ${n.version}`,
  },
  release_succeeded: {
    emoji: ":white_check_mark:",
    title: (n) => `Released: ${n.service} ${n.version} is live in ${n.environment}`,
  },
  release_aborted: {
    emoji: ":rotating_light:",
    title: (n) => `Rolled back: ${n.service} ${n.version} in ${n.environment}`,
  },
  release_blocked: {
    emoji: ":no_entry:",
    title: (n) => `Blocked: ${n.service} ${n.version} → ${n.environment}`,
  },
  release_failed: {
    emoji: ":x:",
    title: (n) => `Failed: ${n.service} ${n.version} → ${n.environment}`,
  },
};

/** Changelog lines longer than this are cut, so one long title cannot crowd out the rest. */
const CHANGELOG_LINE_MAX = 300;
/**
 * Our own caps, below Block Kit's, for parts that are short by nature (names, links). They
 * keep the whole message under ~10 k characters: Slack also refuses messages whose blocks
 * are too long in total (`msg_blocks_too_long`, undocumented, around 13 k).
 */
const FACT_FIELD_MAX = 200;
const CONTEXT_ELEMENT_MAX = 200;
const INCIDENT_SECTION_MAX = 500;
/** Dashboards shown in the context block; one element is kept for the report path. */
const MAX_DASHBOARD_LINKS = SLACK_LIMITS.contextElements - 2;

/**
 * Formats a shipgate {@link Notification} as a Block Kit message with a plain-text
 * fallback. Pure and total: any notification yields a message within Slack's limits.
 *
 * @example
 * ```ts
 * const { text, blocks } = formatSlackMessage(notification);
 * await webhook.send({ text, blocks });
 * ```
 */
export function formatSlackMessage(notification: Notification): SlackMessage {
  const style = KIND_STYLE[notification.kind] ?? KIND_STYLE.release_failed;
  const title = style.title(notification);
  const blocks: SlackBlock[] = [
    {
      type: "header",
      text: {
        type: "plain_text",
        text: truncatePlain(`${style.emoji} ${title}`, SLACK_LIMITS.headerText),
        emoji: true,
      },
    },
  ];

  const note = notification.body.trim()
    ? markdownToMrkdwn(notification.body.trim())
    : escapeMrkdwn(notification.summary.trim());
  if (note.trim()) blocks.push(mrkdwnSection(note));

  blocks.push({ type: "section", fields: factFields(notification) });

  if (notification.kind === "release_succeeded" && notification.changelog?.length) {
    blocks.push(mrkdwnSection(changelogText(notification.changelog)));
  }
  if (notification.incident) {
    blocks.push(
      mrkdwnSection(`*Incident:* ${incidentText(notification.incident)}`, INCIDENT_SECTION_MAX),
    );
  }

  const context = contextElements(notification);
  if (context.length > 0) blocks.push({ type: "context", elements: context });

  return { text: fallbackText(notification, style, title), blocks: capBlocks(blocks) };
}

/**
 * Keeps a message within {@link SLACK_LIMITS.blocksPerMessage}: the first 49 blocks stay and
 * a context block says how many were left out (Slack refuses the whole message otherwise).
 */
export function capBlocks(
  blocks: SlackBlock[],
  max: number = SLACK_LIMITS.blocksPerMessage,
): SlackBlock[] {
  if (blocks.length <= max) return blocks;
  const kept = blocks.slice(0, Math.max(0, max - 1));
  const omitted = blocks.length - kept.length;
  kept.push({
    type: "context",
    elements: [
      {
        type: "mrkdwn",
        text: `… ${omitted} more block${omitted === 1 ? "" : "s"} omitted (Slack shows at most ${max} per message)`,
      },
    ],
  });
  return kept;
}

function mrkdwnSection(text: string, max: number = SLACK_LIMITS.sectionText): SlackSectionBlock {
  const limit = Math.min(max, SLACK_LIMITS.sectionText);
  return { type: "section", text: { type: "mrkdwn", text: truncateMrkdwn(text, limit) } };
}

function field(label: string, value: string): SlackTextObject {
  return {
    type: "mrkdwn",
    text: truncateMrkdwn(
      `*${label}*\n${value}`,
      Math.min(FACT_FIELD_MAX, SLACK_LIMITS.sectionFieldText),
    ),
  };
}

function factFields(n: Notification): SlackTextObject[] {
  const fields = [
    field("Service", escapeMrkdwn(n.service) || "—"),
    field("Environment", escapeMrkdwn(n.environment) || "—"),
    field("Version", escapeMrkdwn(n.version) || "—"),
    field("Commit", n.sha ? `\`${escapeMrkdwn(n.sha.slice(0, 12))}\`` : "—"),
  ];
  if (n.weight !== undefined) fields.push(field("Canary weight", `${n.weight}%`));
  return fields.slice(0, SLACK_LIMITS.sectionFields);
}

function changelogText(lines: string[]): string {
  const heading = "*Changelog*";
  const budget = SLACK_LIMITS.sectionText - 80; // room for the "… and N more" line
  let text = heading;
  let shown = 0;
  for (const line of lines) {
    const item = `\n• ${truncateMrkdwn(markdownToMrkdwn(line.replace(/\s+/g, " ").trim()), CHANGELOG_LINE_MAX)}`;
    if (text.length + item.length > budget) break;
    text += item;
    shown++;
  }
  const rest = lines.length - shown;
  if (rest > 0) text += `\n… and ${rest} more change${rest === 1 ? "" : "s"} (see the changelog)`;
  return text;
}

function incidentText(incident: NonNullable<Notification["incident"]>): string {
  if (incident.url) return mrkdwnLink(incident.url, incident.id);
  const id = escapeMrkdwn(incident.id);
  return incident.path ? `${id} (\`${escapeMrkdwn(incident.path)}\`)` : id;
}

function contextElements(n: Notification): SlackTextObject[] {
  const elements: SlackTextObject[] = [];
  if (n.reportPath)
    elements.push({ type: "mrkdwn", text: `Report: \`${escapeMrkdwn(n.reportPath)}\`` });
  const dashboards = dashboardLinksOf(n).filter((d) => d.url.trim());
  dashboards.slice(0, MAX_DASHBOARD_LINKS).forEach(({ name, url }, i) => {
    const label = name?.trim() || (dashboards.length === 1 ? "Dashboard" : `Dashboard ${i + 1}`);
    elements.push({ type: "mrkdwn", text: mrkdwnLink(url, label) });
  });
  if (dashboards.length > MAX_DASHBOARD_LINKS) {
    elements.push({
      type: "mrkdwn",
      text: `+${dashboards.length - MAX_DASHBOARD_LINKS} more dashboards`,
    });
  }
  return elements.slice(0, SLACK_LIMITS.contextElements).map((e) => ({
    ...e,
    text: truncateMrkdwn(e.text, Math.min(CONTEXT_ELEMENT_MAX, SLACK_LIMITS.contextElementText)),
  }));
}

function fallbackText(n: Notification, style: KindStyle, title: string): string {
  let text = `${style.emoji} ${escapeMrkdwn(n.summary.trim() || title)}`;
  if (n.incident) text += ` — incident ${incidentText(n.incident)}`;
  return truncateMrkdwn(text, SLACK_LIMITS.fallbackText);
}
