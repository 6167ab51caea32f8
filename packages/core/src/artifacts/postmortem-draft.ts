import type { IncidentDetails } from "../contracts/incident-sink.js";
import { formatCount, formatSpacedDuration, oneLine } from "./format.js";

/** A piece of a postmortem section, in plain text; each renderer escapes for its format. */
export type PostmortemBlock =
  | { kind: "paragraph"; text: string }
  | { kind: "list"; items: string[] }
  | { kind: "code"; lines: string[] }
  | { kind: "table"; header: string[]; rows: string[][] }
  /** A part the responders write: rendered as a visible prompt. */
  | { kind: "placeholder"; text: string };

/** The sections of the draft, in order. */
export type PostmortemSectionKey =
  | "timeline"
  | "detection"
  | "rollback"
  | "impact"
  | "culprit"
  | "root_cause"
  | "went_well"
  | "action_items";

/** Options of the draft's renderers. */
export interface PostmortemOptions {
  /**
   * At most this many timeline rows (bodies with a size limit: issues, alerts): the first
   * and last halves are kept, with one row saying how many were left out. Default: all.
   */
  maxTimelineRows?: number;
}

/** One section of the postmortem draft. */
export interface PostmortemSection {
  key: PostmortemSectionKey;
  title: string;
  blocks: PostmortemBlock[];
}

const count = formatCount;
const minutes = (m: number) => formatSpacedDuration(m * 60_000);
const round2 = (n: number) => Math.round(n * 100) / 100;

/** A section that says one thing in a paragraph. */
function oneBlockSection(
  key: PostmortemSectionKey,
  title: string,
  text: string,
): PostmortemSection {
  return { key, title, blocks: [{ kind: "paragraph", text }] };
}

/** A section the responders write, with the question it answers as a visible prompt. */
function toBeWritten(key: PostmortemSectionKey, title: string, prompt: string): PostmortemSection {
  return { key, title, blocks: [{ kind: "placeholder", text: `To be written: ${prompt}` }] };
}

/**
 * The postmortem draft of an incident, as sections every incident sink renders in its own
 * format (markdown file and issues, work-item HTML, PagerDuty text): timeline, detection,
 * rollback, impact estimate, likely culprit (its author CC'd), and empty root cause, what
 * went well and action items for the responders. A fact the incident does not carry is
 * said to be missing, never invented.
 */
export function postmortemSections(
  incident: IncidentDetails,
  options: PostmortemOptions = {},
): PostmortemSection[] {
  return [
    timelineSection(incident, options.maxTimelineRows),
    detectionSection(incident),
    rollbackSection(incident),
    impactSection(incident),
    culpritSection(incident),
    toBeWritten("root_cause", "Root cause", "why did the change break production?"),
    toBeWritten("went_well", "What went well", "what limited the damage, what to keep."),
    toBeWritten("action_items", "Action items", "each action with an owner and a due date."),
  ];
}

function timelineSection(incident: IncidentDetails, maxRows?: number): PostmortemSection {
  const all = (incident.timeline ?? []).map((e) => [
    e.at.replace("T", " ").replace(/\.\d+Z$|Z$/, "Z"),
    e.detail,
  ]);
  let timeline = all;
  if (maxRows !== undefined && all.length > maxRows && maxRows >= 3) {
    const head = Math.ceil((maxRows - 1) / 2);
    const tail = maxRows - 1 - head;
    timeline = [
      ...all.slice(0, head),
      ["…", `${all.length - head - tail} events left out; the release report has them all`],
      ...all.slice(all.length - tail),
    ];
  }
  return {
    key: "timeline",
    title: "Timeline (UTC)",
    blocks: timeline.length
      ? [
          {
            kind: "table",
            header: ["time (UTC)", "event"],
            rows: timeline,
          },
        ]
      : [{ kind: "paragraph", text: "No timeline was recorded." }],
  };
}

function detectionSection(incident: IncidentDetails): PostmortemSection {
  const d = incident.detection;
  if (!d) {
    return oneBlockSection(
      "detection",
      "Detection",
      `Detected by shipgate: ${incident.breachReason}.`,
    );
  }
  const items = [`Metric: ${d.metric}, reported by ${d.source}`];
  for (const r of d.readings) {
    items.push(
      `${r.metric}: ${r.value} against the objective ${r.threshold}${r.breached ? " — BREACHED" : " — within"}`,
    );
  }
  items.push(
    `Window: ${d.observedMs === null ? "" : `${formatSpacedDuration(d.observedMs)} observed of `}a ${d.windowMinutes}-minute window${d.weight === null ? "" : `, at ${d.weight}% canary weight`}`,
  );
  items.push(
    d.sampleCount === null
      ? "Sample size: not reported by the source"
      : `Sample size: ${count(d.sampleCount)} requests${d.errorCount === null ? "" : `, ${count(d.errorCount)} failed`}`,
  );
  if (d.detectedAt) items.push(`Detected at: ${d.detectedAt}`);
  const blocks: PostmortemBlock[] = [{ kind: "list", items }];
  blocks.push(
    d.queries.length
      ? { kind: "paragraph", text: "Queries / monitors the source reported:" }
      : { kind: "paragraph", text: "The source reported no query or monitor name." },
  );
  if (d.queries.length) blocks.push({ kind: "code", lines: d.queries });
  blocks.push({ kind: "paragraph", text: "The judge's reasoning:" });
  blocks.push({ kind: "list", items: d.reasoning.length ? d.reasoning : [incident.breachReason] });
  return { key: "detection", title: "Detection", blocks };
}

function rollbackSection(incident: IncidentDetails): PostmortemSection {
  const r = incident.rollback;
  if (!r) {
    return oneBlockSection("rollback", "Rollback", incident.rollbackMessage);
  }
  const duration = r.durationMs === null ? null : formatSpacedDuration(r.durationMs);
  return {
    key: "rollback",
    title: "Rollback",
    blocks: [
      {
        kind: "paragraph",
        text:
          duration === null
            ? "The rollback did not finish."
            : r.verified
              ? `Previous version restored and verified in ${duration}.`
              : `Rollback ran for ${duration} but was NOT VERIFIED.`,
      },
      {
        kind: "list",
        items: [
          `Method: ${r.method}`,
          `Started: ${r.startedAt}`,
          `Ended: ${r.endedAt ?? "not finished"}`,
          `Duration: ${duration ?? "unknown"}`,
          `Verified: ${r.verified ? "yes" : "NO"}`,
        ],
      },
      { kind: "paragraph", text: "Verification evidence:" },
      { kind: "list", items: r.evidence },
    ],
  };
}

function impactSection(incident: IncidentDetails): PostmortemSection {
  const impact = incident.impact;
  if (!impact || impact.exposure.length === 0) {
    return oneBlockSection("impact", "Impact estimate", "No canary step served traffic.");
  }
  const spans = impact.exposure
    .map(
      (e) =>
        `${e.weight}% of traffic for ${minutes(e.minutes)}${e.phase === "stabilization" ? " (after promotion)" : ""}`,
    )
    .join(", then ");
  const blocks: PostmortemBlock[] = [
    {
      kind: "paragraph",
      text: `The new version served ${spans}: canary weight × minutes ≈ ${round2(impact.fullTrafficMinutes)} minutes of full traffic.`,
    },
    {
      kind: "paragraph",
      text:
        impact.requests === null
          ? "The SLO source gave no request counts, so the impact is in traffic share × time only."
          : `In requests: the canary served ${count(impact.requests)} requests${impact.failedRequests === null ? "" : `, of which ${count(impact.failedRequests)} failed`}.`,
    },
    {
      kind: "table",
      header: ["weight", "minutes", "request share", "requests", "failed"],
      rows: impact.exposure.map((e) => [
        `${e.weight}%${e.phase === "stabilization" ? " (stabilization)" : ""}`,
        String(round2(e.minutes)),
        `${e.weight}%`,
        e.requests === null ? "—" : count(e.requests),
        e.failedRequests === null ? "—" : count(e.failedRequests),
      ]),
    },
  ];
  return { key: "impact", title: "Impact estimate", blocks };
}

/** Who to CC on the incident: the likely culprit's author (`CC: @alice`), or null. */
export function culpritCc(incident: IncidentDetails): string | null {
  const culprit = incident.suspects.find((s) => s.likelyCulprit);
  return culprit ? `CC: @${culprit.change.author}` : null;
}

function culpritSection(incident: IncidentDetails): PostmortemSection {
  const culprit = incident.suspects.find((s) => s.likelyCulprit);
  if (!culprit) {
    return oneBlockSection(
      "culprit",
      "Likely culprit",
      incident.suspects.length
        ? `None of the ${incident.suspects.length} change(s) stands out.`
        : "No changes were merged in this release.",
    );
  }
  const c = culprit.change;
  return {
    key: "culprit",
    title: "Likely culprit",
    blocks: [
      {
        kind: "paragraph",
        text: `Likely culprit: #${c.number} ${c.title} by @${c.author}${c.url ? ` (${c.url})` : ""} — ${culprit.reason}`,
      },
      { kind: "paragraph", text: culpritCc(incident)! },
    ],
  };
}

const mdCell = (text: string) => oneLine(text).replace(/\|/g, "\\|");

/** One section's body in markdown (without its heading). */
export function renderSectionMarkdown(section: PostmortemSection): string {
  const out: string[] = [];
  for (const block of section.blocks) {
    switch (block.kind) {
      case "paragraph":
        out.push(oneLine(block.text), "");
        break;
      case "placeholder":
        out.push(`_${oneLine(block.text)}_`, "");
        break;
      case "list":
        out.push(...block.items.map((i) => `- ${oneLine(i)}`), "");
        break;
      case "code":
        out.push("```text", ...block.lines.map(oneLine), "```", "");
        break;
      case "table":
        out.push(
          `| ${block.header.map(mdCell).join(" | ")} |`,
          `| ${block.header.map(() => "---").join(" | ")} |`,
          ...block.rows.map((r) => `| ${r.map(mdCell).join(" | ")} |`),
          "",
        );
        break;
    }
  }
  return out.join("\n");
}

/** The draft in markdown, each section under a heading of `headingLevel` (default 2). */
export function renderPostmortemMarkdown(
  incident: IncidentDetails,
  options: PostmortemOptions & { headingLevel?: number } = {},
): string {
  const hashes = "#".repeat(options.headingLevel ?? 2);
  return postmortemSections(incident, options)
    .map((s) => `${hashes} ${s.title}\n\n${renderSectionMarkdown(s).trimEnd()}\n`)
    .join("\n")
    .trimEnd();
}

const html = (text: string) =>
  String(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");

/** The draft as HTML (work items), each section under `<h{headingLevel}>` (default 3). */
export function renderPostmortemHtml(
  incident: IncidentDetails,
  options: PostmortemOptions & { headingLevel?: number } = {},
): string {
  const h = `h${options.headingLevel ?? 3}`;
  const out: string[] = [];
  for (const section of postmortemSections(incident, options)) {
    out.push(`<${h}>${html(section.title)}</${h}>`);
    for (const block of section.blocks) {
      switch (block.kind) {
        case "paragraph":
          out.push(`<p>${html(block.text)}</p>`);
          break;
        case "placeholder":
          out.push(`<p><i>${html(block.text)}</i></p>`);
          break;
        case "list":
          out.push(`<ul>${block.items.map((i) => `<li>${html(i)}</li>`).join("")}</ul>`);
          break;
        case "code":
          out.push(`<pre>${block.lines.map(html).join("\n")}</pre>`);
          break;
        case "table":
          out.push(
            `<table><tr>${block.header.map((c) => `<th align="left">${html(c)}</th>`).join("")}</tr>${block.rows
              .map((r) => `<tr>${r.map((c) => `<td>${html(c)}</td>`).join("")}</tr>`)
              .join("")}</table>`,
          );
          break;
      }
    }
  }
  return out.join("\n");
}

/** The draft as plain text (alert details), sections under upper-case titles. */
export function renderPostmortemText(
  incident: IncidentDetails,
  options: PostmortemOptions = {},
): string {
  const out: string[] = [];
  for (const section of postmortemSections(incident, options)) {
    out.push(section.title.toUpperCase());
    for (const block of section.blocks) {
      switch (block.kind) {
        case "paragraph":
        case "placeholder":
          out.push(oneLine(block.text));
          break;
        case "list":
          out.push(...block.items.map((i) => `- ${oneLine(i)}`));
          break;
        case "code":
          out.push(...block.lines.map((l) => `  ${oneLine(l)}`));
          break;
        case "table":
          out.push(...block.rows.map((r) => r.map(oneLine).join("  ")));
          break;
      }
    }
    out.push("");
  }
  return out.join("\n").trimEnd();
}
