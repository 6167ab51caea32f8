import { dashboardLinksOf, type IncidentDetails, renderPostmortemMarkdown } from "@shipgate/core";

// An issue body holds at most 65,536 characters; a long watch must not push it over.
const MAX_TIMELINE_ROWS = 120;

/** What the hidden marker in an incident issue records, so it can be found again. */
export interface IncidentMarker {
  dedupKey: string;
  service: string;
  environment: string;
  version: string;
  /** The release whose incident this is (absent in issues filed before shipgate recorded it). */
  releaseKey?: string;
}

const MARKER = /<!-- shipgate-incident (\{.*?\}) -->/;

/** Markdown for a GitHub issue describing an incident, with a hidden machine-readable marker. */
export function renderIncidentIssue(incident: IncidentDetails): { title: string; body: string } {
  const marker: IncidentMarker = {
    dedupKey: incident.dedupKey,
    service: incident.service,
    environment: incident.environment,
    version: incident.version,
    ...(incident.releaseKey ? { releaseKey: incident.releaseKey } : {}),
  };
  const suspects =
    incident.suspects.length === 0
      ? ["_No pull requests were merged in this release._"]
      : incident.suspects.map((s) => {
          const pr = s.change.url
            ? `[#${s.change.number}](${s.change.url})`
            : `#${s.change.number}`;
          const culprit = s.likelyCulprit ? " — **likely culprit**" : "";
          return `- ${pr} ${escapeInline(s.change.title)} by @${s.change.author} (score ${s.score})${culprit}: ${escapeInline(s.reason)}`;
        });
  const lines = [
    `<!-- shipgate-incident ${JSON.stringify(marker).replaceAll("--", "\\u002d\\u002d")} -->`,
    `**${incident.service} ${incident.version}** was rolled back in **${incident.environment}**.`,
    "",
    "| | |",
    "| --- | --- |",
    `| Severity | ${incident.severity} |`,
    `| Breach | ${escapeInline(incident.breachReason)} |`,
    `| At weight | ${incident.breachWeight === null ? "n/a" : `${incident.breachWeight}%`} |`,
    `| Commit | \`${incident.sha}\` |`,
    `| Opened | ${incident.openedAt} |`,
    `| Rollback | ${incident.rollbackVerified ? "verified" : "NOT verified"}: ${escapeInline(incident.rollbackMessage)} |`,
    `| Report | \`${incident.reportPath}\` |`,
    ...(incident.captain ? [`| Release captain | ${escapeInline(incident.captain)} |`] : []),
    "",
    "### Suspect changes",
    ...suspects,
    "",
    "## Postmortem draft",
    "",
    renderPostmortemMarkdown(incident, { headingLevel: 3, maxTimelineRows: MAX_TIMELINE_ROWS }),
  ];
  const dashboards = dashboardLinksOf(incident);
  if (dashboards.length > 0) {
    lines.push(
      "",
      "### Dashboards",
      ...dashboards.map((d) => (d.name ? `- [${escapeInline(d.name)}](${d.url})` : `- ${d.url}`)),
    );
  }
  const releaseKey = incident.releaseKey ? ` · release key \`${incident.releaseKey}\`` : "";
  lines.push("", `_Filed by shipgate · dedup key \`${incident.dedupKey}\`${releaseKey}_`);
  return { title: incident.title, body: `${lines.join("\n")}\n` };
}

/** Reads the marker back from an issue body; `undefined` when it is not a shipgate incident. */
export function parseIncidentMarker(body: string | null | undefined): IncidentMarker | undefined {
  const match = body ? MARKER.exec(body) : null;
  if (!match?.[1]) return undefined;
  try {
    const value = JSON.parse(match[1]) as Partial<IncidentMarker>;
    if (
      typeof value.service === "string" &&
      typeof value.environment === "string" &&
      typeof value.version === "string" &&
      typeof value.dedupKey === "string" &&
      (value.releaseKey === undefined || typeof value.releaseKey === "string")
    ) {
      return value as IncidentMarker;
    }
  } catch {
    // A hand-edited marker is not ours to act on.
  }
  return undefined;
}

/** Keeps table cells and list items on one line. */
function escapeInline(text: string): string {
  return text.replace(/\r?\n/g, " ").replaceAll("|", "\\|");
}
