import {
  dashboardLinksOf,
  type IncidentDetails,
  type IncidentRef,
  type IncidentSink,
  renderPostmortemHtml,
} from "@shipgate/core";
import type {
  JsonPatchOperation,
  Operation,
} from "azure-devops-node-api/interfaces/common/VSSInterfaces";
import { type AzureClient, parseVendor } from "./azure-client.js";
import { wiqlResultSchema, workItemSchema } from "./azure-schemas.js";

/** Options of {@link createAzureIncidentSink}. */
export interface AzureIncidentSinkOptions {
  /** Work item type. Default `Bug` (Agile, Scrum, CMMI); `Issue` in the Basic process. */
  workItemType?: string;
  /** Tags on every incident. Default `["shipgate"]`. */
  tags?: string[];
  /** State that closes an incident in `resolveOpen`. Default `Closed` (`Done` in Scrum and Basic). */
  resolvedState?: string;
  /** Area path, if incidents belong somewhere else than the project's root. */
  areaPath?: string;
}

/** The tag that ties an incident to one service and environment, so `resolveOpen` finds it. */
export function azureIncidentScopeTag(service: string, environment: string): string {
  // Tags are separated by semicolons.
  return `shipgate:${service}@${environment}`.replaceAll(";", "_");
}

// The client types JSON Patch operations as numbers; the wire format (RFC 6902) is "add".
const ADD = "add" as unknown as Operation;
const add = (field: string, value: string): JsonPatchOperation => ({
  op: ADD,
  path: `/fields/${field}`,
  value,
});

const html = (text: string) =>
  text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");

/** The incident's description as work-item HTML. */
export function renderAzureIncident(incident: IncidentDetails): string {
  const row = (label: string, value: string) =>
    `<tr><th align="left">${label}</th><td>${value}</td></tr>`;
  const parts = [
    `<p><b>${html(incident.service)} ${html(incident.version)}</b> was rolled back in <b>${html(incident.environment)}</b>: ${html(incident.breachReason)}</p>`,
    "<table>",
    row("Service", html(incident.service)),
    row("Environment", html(incident.environment)),
    row("Version", `${html(incident.version)} (<code>${html(incident.sha)}</code>)`),
    row("Severity", html(incident.severity)),
    row("Opened", html(incident.openedAt)),
    row("Breach", html(incident.breachReason)),
    row(
      "Canary weight at breach",
      incident.breachWeight === null ? "n/a" : `${incident.breachWeight}%`,
    ),
    row(
      "Rollback verified",
      `${incident.rollbackVerified ? "yes" : "<b>no</b>"}: ${html(incident.rollbackMessage)}`,
    ),
    row("Release report", `<code>${html(incident.reportPath)}</code>`),
    ...(incident.captain ? [row("Release captain", html(incident.captain))] : []),
    "</table>",
    "<h3>Suspect changes</h3>",
  ];
  if (incident.suspects.length === 0) {
    parts.push("<p>No pull request in this release is suspected.</p>");
  } else {
    parts.push("<ol>");
    for (const suspect of [...incident.suspects].sort((a, b) => b.score - a.score)) {
      const { change } = suspect;
      const label = `PR ${change.number}`;
      const link = change.url ? `<a href="${html(change.url)}">${label}</a>` : label;
      const culprit = suspect.likelyCulprit ? " <b>likely culprit</b>" : "";
      parts.push(
        `<li>${link}${culprit}: ${html(change.title)} by ${html(change.author)} (score ${suspect.score}): ${html(suspect.reason)}</li>`,
      );
    }
    parts.push("</ol>");
  }
  parts.push("<h2>Postmortem draft</h2>", renderPostmortemHtml(incident, { headingLevel: 3 }));
  const dashboards = dashboardLinksOf(incident);
  if (dashboards.length > 0) {
    parts.push(
      "<h3>Dashboards</h3><ul>",
      ...dashboards.map((d) => `<li><a href="${html(d.url)}">${html(d.name ?? d.url)}</a></li>`),
      "</ul>",
    );
  }
  parts.push(`<!-- shipgate dedup key: ${html(incident.dedupKey)} -->`);
  return parts.join("\n");
}

const SEVERITY: Record<IncidentDetails["severity"], string> = {
  critical: "1 - Critical",
  error: "2 - High",
  warning: "3 - Medium",
  info: "4 - Low",
};

/**
 * An {@link IncidentSink} that files an Azure Boards work item (default type `Bug`) whose
 * description carries the breach, the rollback result and the suspect pull requests (likely
 * culprit first). For a Bug the text goes into Repro Steps (the field its form shows) and the
 * severity into Microsoft.VSTS.Common.Severity; other types use System.Description. Tags:
 * `shipgate`, `severity:<s>` and `shipgate:<service>@<environment>`, by which `resolveOpen`
 * (a WIQL query) finds the open ones and moves them to `resolvedState`.
 */
export function createAzureIncidentSink(
  client: AzureClient,
  options: AzureIncidentSinkOptions = {},
): IncidentSink {
  const type = options.workItemType ?? "Bug";
  const isBug = type.toLowerCase() === "bug";
  const resolvedState = options.resolvedState ?? "Closed";
  const baseTags = options.tags ?? ["shipgate"];
  const webUrl = (id: number, links: { html?: { href: string } | undefined } | undefined) =>
    links?.html?.href ??
    `${client.orgUrl}/${encodeURIComponent(client.project)}/_workitems/edit/${id}`;

  return {
    name: "azure-devops",
    open(incident, { signal }) {
      return client.call(
        signal,
        "opening an Azure Boards work item",
        async (): Promise<IncidentRef> => {
          const wit = await client.wit();
          const tags = [
            ...baseTags,
            `severity:${incident.severity}`,
            azureIncidentScopeTag(incident.service, incident.environment),
          ];
          const document = [
            add("System.Title", incident.title.slice(0, 255)),
            add(
              isBug ? "Microsoft.VSTS.TCM.ReproSteps" : "System.Description",
              renderAzureIncident(incident),
            ),
            add("System.Tags", tags.join("; ")),
            ...(isBug ? [add("Microsoft.VSTS.Common.Severity", SEVERITY[incident.severity])] : []),
            ...(options.areaPath ? [add("System.AreaPath", options.areaPath)] : []),
          ];
          const raw = await client.send(
            () => wit.createWorkItem(null, document, client.project, type),
            false,
          );
          const item = parseVendor(
            workItemSchema,
            raw,
            `POST ${client.project}/_apis/wit/workitems/$${type}`,
          );
          return { sink: "azure-devops", id: String(item.id), url: webUrl(item.id, item._links) };
        },
      );
    },
    resolveOpen(scope, { signal }) {
      return client.call(
        signal,
        "closing Azure Boards work items",
        async (): Promise<IncidentRef[]> => {
          const wit = await client.wit();
          const tag = azureIncidentScopeTag(scope.service, scope.environment).replaceAll("'", "''");
          const state = resolvedState.replaceAll("'", "''");
          const query =
            "SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project" +
            ` AND [System.Tags] CONTAINS '${tag}' AND [System.State] <> '${state}' AND [System.State] <> 'Removed'`;
          const raw = await client.send(() =>
            wit.queryByWiql({ query }, { project: client.project }),
          );
          const { workItems } = parseVendor(
            wiqlResultSchema,
            raw,
            `POST ${client.project}/_apis/wit/wiql`,
          );
          const closed: IncidentRef[] = [];
          for (const { id } of workItems) {
            const document = [add("System.State", resolvedState)];
            const updated = await client.send(
              () => wit.updateWorkItem(null, document, id, client.project),
              false,
            );
            const item = parseVendor(
              workItemSchema,
              updated,
              `PATCH ${client.project}/_apis/wit/workitems/${id}`,
            );
            closed.push({
              sink: "azure-devops",
              id: String(item.id),
              url: webUrl(item.id, item._links),
            });
          }
          return closed;
        },
      );
    },
  };
}
