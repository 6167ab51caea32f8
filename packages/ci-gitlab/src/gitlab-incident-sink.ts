import {
  dashboardLinksOf,
  type IncidentDetails,
  type IncidentRef,
  type IncidentSink,
  renderPostmortemMarkdown,
} from "@shipgate/core";
import { type GitLabClient, parseVendor } from "./gitlab-client.js";
import { issueListSchema, issueSchema } from "./gitlab-schemas.js";

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
  lines.push("", `<!-- shipgate dedup key: ${incident.dedupKey} -->`);
  return lines.join("\n");
}

/**
 * An {@link IncidentSink} that files a GitLab **incident** (`POST /projects/:id/issues` with
 * `issue_type=incident`) whose description carries the breach, the rollback result and the
 * suspect merge requests (likely culprit first). Each incident is labelled `shipgate`,
 * `severity:<severity>` and a scope label (`shipgate:<service>@<environment>`) by which
 * `resolveOpen` later finds and closes the open ones after a successful release.
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
        return { sink: "gitlab", id: String(issue.iid), url: issue.web_url };
      });
    },
    resolveOpen(scope, { signal }) {
      return client.call(signal, "closing GitLab incidents", async (): Promise<IncidentRef[]> => {
        const raw = await client.api.issues.all({
          projectId: client.project,
          labels: gitlabIncidentScopeLabel(scope.service, scope.environment),
          state: "opened",
          issueType: "incident",
          perPage: 100,
        });
        const open = parseVendor(issueListSchema, raw, `GET /projects/${client.project}/issues`);
        const closed: IncidentRef[] = [];
        for (const issue of open) {
          await client.api.issues.edit(client.project, issue.iid, { stateEvent: "close" });
          closed.push({ sink: "gitlab", id: String(issue.iid), url: issue.web_url });
        }
        return closed;
      });
    },
  };
}
