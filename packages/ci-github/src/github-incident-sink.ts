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
export function listOpenIssues(gh: BoundGitHub, labels: string[]): Promise<GitHubIssue[]> {
  return listIssues(gh, labels, "open");
}

/**
 * Every issue in `state` carrying all of `labels`, newest first (GitHub's default order),
 * all pages, pull requests left out (GitHub's issues endpoint lists both).
 */
async function listIssues(
  gh: BoundGitHub,
  labels: string[],
  state: "open" | "all",
): Promise<GitHubIssue[]> {
  const { items } = await gh.pages(
    "GET /repos/{owner}/{repo}/issues",
    { state, per_page: 100, ...(labels.length > 0 ? { labels: labels.join(",") } : {}) },
    (data) => data,
    issueSchema,
  );
  return items.filter((issue) => issue.pull_request === undefined);
}

/**
 * Files incidents as GitHub issues, labelled (default `incident`, `shipgate`), listing the
 * breach, the rollback and the suspect pull requests. `resolveOpen` closes the open ones of
 * the same service and environment with a comment once a later release succeeds. The issue
 * body carries a hidden marker (service, environment, version, dedup key and release key) so
 * shipgate can find its own issues again: `findOpened` looks the release key up among the
 * labelled issues, open or closed, so a recovery after a crash finds the issue instead of
 * filing a second.
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
    findOpened(releaseKey, { signal }) {
      return client.run(
        signal,
        { action: "look up the incident issue of a release", permission: "issues: read" },
        async (gh) => {
          // Closed ones too: someone may have closed the issue between the crash and the
          // recovery, and it is still the one this release filed.
          const filed = (await listIssues(gh, labels, "all")).find(
            (issue) => parseIncidentMarker(issue.body)?.releaseKey === releaseKey,
          );
          return filed ? refOf(filed) : null;
        },
      );
    },
  };
}
