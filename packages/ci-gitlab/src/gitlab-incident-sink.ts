import {
  dashboardLinksOf,
  type IncidentDetails,
  type IncidentRef,
  type IncidentSink,
  renderPostmortemMarkdown,
} from "@shipgate/core";
import { type GitLabClient, parseVendor } from "./gitlab-client.js";
import { type GitLabListedIssue, issueListSchema, issueSchema } from "./gitlab-schemas.js";

/** Options of {@link createGitLabIncidentSink}. */
export interface GitLabIncidentSinkOptions {
  /** Labels put on every incident. Default `["shipgate"]`. */
  labels?: string[];
}

/** The label that ties an incident to one service and environment, so `resolveOpen` finds it. */
export function gitlabIncidentScopeLabel(service: string, environment: string): string {
  // Commas separate labels in GitLab's `labels` parameter.
  return `shipgate:${service}@${environment}`.replaceAll(",", "_");
}

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

/**
 * `text` made safe inside a one-line HTML comment: `%`, `<`, `>`, control characters and
 * line separators are percent-encoded, so no key can end the comment (`-->`), open another
 * or span lines, and two different keys never encode alike.
 */
function commentText(text: string): string {
  return text.replace(/[%<>\p{Cc}\p{Zl}\p{Zp}]/gu, (c) => encodeURIComponent(c));
}

/** The description line naming the release whose incident an issue is: what `findOpened` looks for. */
function releaseKeyMarker(releaseKey: string): string {
  return `<!-- shipgate release key: ${commentText(releaseKey)} -->`;
}

/** The incident's description, in GitLab-flavoured markdown. */
export function renderGitLabIncident(incident: IncidentDetails): string {
  const lines = [
    `**${incident.service} ${incident.version}** was rolled back in **${incident.environment}**: ${incident.breachReason}`,
    "",
    "| | |",
    "|---|---|",
    `| Service | ${cell(incident.service)} |`,
    `| Environment | ${cell(incident.environment)} |`,
    `| Version | ${cell(incident.version)} (\`${incident.sha}\`) |`,
    `| Severity | ${incident.severity} |`,
    `| Opened | ${incident.openedAt} |`,
    `| Breach | ${cell(incident.breachReason)} |`,
    `| Canary weight at breach | ${incident.breachWeight === null ? "n/a" : `${incident.breachWeight}%`} |`,
    `| Rollback verified | ${incident.rollbackVerified ? "yes" : "**no**"}: ${cell(incident.rollbackMessage)} |`,
    `| Release report | \`${cell(incident.reportPath)}\` |`,
    ...(incident.captain ? [`| Release captain | ${cell(incident.captain)} |`] : []),
    "",
    "### Suspect changes",
    "",
  ];
  if (incident.suspects.length === 0) {
    lines.push("No merge request in this release is suspected.");
  } else {
    lines.push("| Merge request | Title | Author | Score | Why |", "|---|---|---|---|---|");
    for (const suspect of [...incident.suspects].sort((a, b) => b.score - a.score)) {
      const { change } = suspect;
      const ref = change.url ? `[!${change.number}](${change.url})` : `!${change.number}`;
      const culprit = suspect.likelyCulprit ? " **likely culprit**" : "";
      lines.push(
        `| ${ref}${culprit} | ${cell(change.title)} | @${cell(change.author)} | ${suspect.score} | ${cell(suspect.reason)} |`,
      );
    }
  }
  lines.push(
    "",
    "## Postmortem draft",
    "",
    renderPostmortemMarkdown(incident, { headingLevel: 3 }),
  );
  const dashboards = dashboardLinksOf(incident);
  if (dashboards.length > 0) {
    lines.push(
      "",
      "### Dashboards",
      "",
      ...dashboards.map((d) => (d.name ? `- [${cell(d.name)}](${d.url})` : `- ${d.url}`)),
    );
  }
  lines.push("", `<!-- shipgate dedup key: ${commentText(incident.dedupKey)} -->`);
  if (incident.releaseKey) lines.push(releaseKeyMarker(incident.releaseKey));
  return lines.join("\n");
}

/**
 * An {@link IncidentSink} that files a GitLab **incident** (`POST /projects/:id/issues` with
 * `issue_type=incident`) whose description carries the breach, the rollback result and the
 * suspect merge requests (likely culprit first). Each incident is labelled `shipgate`,
 * `severity:<severity>` and a scope label (`shipgate:<service>@<environment>`) by which
 * `resolveOpen` later finds and closes the open ones after a successful release. The
 * description ends with the release key, by which `findOpened` finds the incident a crashed
 * release already filed.
 */
export function createGitLabIncidentSink(
  client: GitLabClient,
  options: GitLabIncidentSinkOptions = {},
): IncidentSink {
  const baseLabels = options.labels ?? ["shipgate"];
  return {
    name: "gitlab",
    open(incident, { signal }) {
      return client.call(signal, "opening a GitLab incident", async (): Promise<IncidentRef> => {
        const labels = [
          ...baseLabels,
          `severity:${incident.severity}`,
          gitlabIncidentScopeLabel(incident.service, incident.environment),
        ];
        const raw = await client.api.issues.create(client.project, incident.title, {
          description: renderGitLabIncident(incident),
          issueType: "incident",
          labels: labels.join(","),
        });
        const issue = parseVendor(issueSchema, raw, `POST /projects/${client.project}/issues`);
        return incidentRef(issue);
      });
    },
    resolveOpen(scope, { signal }) {
      return client.call(signal, "closing GitLab incidents", async (): Promise<IncidentRef[]> => {
        const open = await listIncidents(client, {
          labels: [gitlabIncidentScopeLabel(scope.service, scope.environment)],
          state: "opened",
        });
        const closed: IncidentRef[] = [];
        for (const issue of open) {
          await client.api.issues.edit(client.project, issue.iid, { stateEvent: "close" });
          closed.push(incidentRef(issue));
        }
        return closed;
      });
    },
    findOpened(releaseKey, { signal }) {
      const marker = releaseKeyMarker(releaseKey);
      return client.call(
        signal,
        "looking up a release's GitLab incident",
        async (): Promise<IncidentRef | null> => {
          // Closed ones too: someone may have closed it while the release lay crashed.
          const filed = await listIncidents(client, { labels: baseLabels, state: "all" });
          const issue = filed.find((i) => i.description?.split(/\r?\n/).includes(marker));
          return issue ? incidentRef(issue) : null;
        },
      );
    },
  };
}

/** Where an issue is, as the sink reports it. */
function incidentRef(issue: { iid: number; web_url: string }): IncidentRef {
  return { sink: "gitlab", id: String(issue.iid), url: issue.web_url };
}

/**
 * The project's incidents carrying every one of `labels`, in `state` (`opened`, or `all`),
 * newest first, all pages (gitbeaker follows the Link header). Call inside `client.call`.
 */
async function listIncidents(
  client: GitLabClient,
  query: { labels: string[]; state: "opened" | "all" },
): Promise<GitLabListedIssue[]> {
  const raw = await client.api.issues.all({
    projectId: client.project,
    ...(query.labels.length > 0 ? { labels: query.labels.join(",") } : {}),
    state: query.state,
    issueType: "incident",
    perPage: 100,
  });
  return parseVendor(issueListSchema, raw, `GET /projects/${client.project}/issues`);
}
