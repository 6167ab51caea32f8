import type { IncidentRef, IncidentSink } from "@shipgate/core";
import { z } from "zod";
import { parseIncidentMarker, renderIncidentIssue } from "./incident-issue-body.js";
import type { BoundGitHub, GitHubClient } from "./octokit-client.js";

const issueSchema = z.object({
  number: z.number().int(),
  html_url: z.string(),
  title: z.string(),
  body: z.string().nullable().optional(),
  state: z.string(),
  pull_request: z.unknown().optional(),
});

/** An issue as the incident sink reads it. */
export type GitHubIssue = z.infer<typeof issueSchema>;

/**
 * Every open issue carrying all of `labels`, all pages, pull requests left out (GitHub's
 * issues endpoint lists both).
 */
export async function listOpenIssues(gh: BoundGitHub, labels: string[]): Promise<GitHubIssue[]> {
  const { items } = await gh.pages(
    "GET /repos/{owner}/{repo}/issues",
    { state: "open", per_page: 100, ...(labels.length > 0 ? { labels: labels.join(",") } : {}) },
    (data) => data,
    issueSchema,
  );
  return items.filter((issue) => issue.pull_request === undefined);
}

/**
 * Files incidents as GitHub issues, labelled (default `incident`, `shipgate`), listing the
 * breach, the rollback and the suspect pull requests. `resolveOpen` closes the open ones of
 * the same service and environment with a comment once a later release succeeds. The issue
 * body carries a hidden marker so shipgate can find its own issues again.
 */
export function createGitHubIncidentSink(
  client: GitHubClient,
  labels: string[] = ["incident", "shipgate"],
): IncidentSink {
  const refOf = (issue: GitHubIssue): IncidentRef => ({
    sink: "github-issues",
    id: `${client.repository}#${issue.number}`,
    url: issue.html_url,
  });
  return {
    name: "github-issues",
    open(incident, { signal }) {
      const { title, body } = renderIncidentIssue(incident);
      return client.run(
        signal,
        { action: "open an incident issue", permission: "issues: write" },
        async (gh) => {
          const { data } = await gh.rest(
            "POST /repos/{owner}/{repo}/issues",
            { title, body, labels },
            issueSchema,
          );
          return refOf(data);
        },
      );
    },
    resolveOpen({ service, environment, version }, { signal }) {
      return client.run(
        signal,
        { action: "resolve open incident issues", permission: "issues: write" },
        async (gh) => {
          const open = (await listOpenIssues(gh, labels)).filter((issue) => {
            const marker = parseIncidentMarker(issue.body);
            return marker?.service === service && marker.environment === environment;
          });
          const resolved: IncidentRef[] = [];
          for (const issue of open) {
            await gh.rest(
              "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
              {
                issue_number: issue.number,
                body: `Resolved by shipgate: ${service} ${version} was released to ${environment} successfully.`,
              },
              z.object({ id: z.number() }),
            );
            const { data } = await gh.rest(
              "PATCH /repos/{owner}/{repo}/issues/{issue_number}",
              { issue_number: issue.number, state: "closed", state_reason: "completed" },
              issueSchema,
            );
            resolved.push(refOf(data));
          }
          return resolved;
        },
      );
    },
  };
}
