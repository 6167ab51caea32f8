import type { ApprovalGate, SignOff } from "@shipgate/core";
import { z } from "zod";
import type { GitHubClient } from "./octokit-client.js";

/**
 * Where sign-offs come from:
 * - `pull_request_reviews` (default): the approving reviews on the merged pull request
 *   that landed the release commit. Works on every plan; `signedAt` is the review's
 *   submission time and `where` its URL.
 * - `environment_reviews`: GitHub Actions deployment reviews ("required reviewers" on an
 *   environment) given on workflow runs for the release commit, for the requested
 *   environment. GitHub does not record when a deployment review was given, so `signedAt`
 *   is the workflow run's last update, and `where` the run's page (reviews have no page of
 *   their own).
 */
export type ApprovalSource = "pull_request_reviews" | "environment_reviews";

const reviewAnswer = z.object({
  repository: z.object({
    object: z
      .object({
        associatedPullRequests: z
          .object({
            nodes: z.array(
              z
                .object({
                  number: z.number(),
                  merged: z.boolean(),
                  mergeCommit: z.object({ oid: z.string() }).nullable(),
                  reviews: z
                    .object({
                      nodes: z.array(
                        z
                          .object({
                            author: z.object({ login: z.string() }).nullable(),
                            state: z.string(),
                            submittedAt: z.string().nullable(),
                            url: z.string(),
                            body: z.string(),
                          })
                          .nullable(),
                      ),
                    })
                    .nullable(),
                })
                .nullable(),
            ),
          })
          .nullable()
          .optional(),
      })
      .nullable(),
  }),
});

const REVIEWS_QUERY = `query ShipgateSignOffs($owner: String!, $name: String!, $sha: GitObjectID!) {
  repository(owner: $owner, name: $name) {
    object(oid: $sha) {
      ... on Commit {
        associatedPullRequests(first: 5) {
          nodes {
            number merged
            mergeCommit { oid }
            reviews(last: 100) { nodes { author { login } state submittedAt url body } }
          }
        }
      }
    }
  }
}`;

const workflowRunSchema = z.object({
  id: z.number(),
  html_url: z.string(),
  updated_at: z.string(),
});
const environmentApprovalSchema = z.object({
  state: z.string(),
  comment: z.string().nullable().optional(),
  user: z.object({ login: z.string() }),
  environments: z.array(z.object({ name: z.string().optional() })),
});

/**
 * Who currently approves, from a pull request's reviews in order: a later "changes
 * requested" or a dismissal withdraws an approval; plain comments change nothing.
 */
export function currentApprovals(
  reviews: { author: string; state: string; submittedAt: string; url: string; body: string }[],
): SignOff[] {
  const latest = new Map<string, SignOff | null>();
  for (const r of reviews) {
    if (r.state === "APPROVED") {
      latest.set(r.author, {
        approver: r.author,
        signedAt: r.submittedAt,
        where: r.url,
        ...(r.body ? { comment: r.body } : {}),
      });
    } else if (r.state === "CHANGES_REQUESTED" || r.state === "DISMISSED") {
      latest.set(r.author, null);
    }
  }
  return [...latest.values()].filter((s): s is SignOff => s !== null);
}

/** Reports who signed off a release on GitHub; see {@link ApprovalSource}. */
export function createGitHubApprovalGate(
  client: GitHubClient,
  source: ApprovalSource = "pull_request_reviews",
): ApprovalGate {
  if (source === "environment_reviews") {
    return {
      name: "github-environment-reviews",
      listSignOffs({ sha, environment }, { signal }) {
        return client.run(
          signal,
          {
            action: `list deployment reviews for ${sha.slice(0, 12)}`,
            permission: "actions: read",
          },
          async (gh) => {
            const runs = await gh.pages(
              "GET /repos/{owner}/{repo}/actions/runs",
              { head_sha: sha, per_page: 100 },
              (data) =>
                Array.isArray(data) ? data : (data as { workflow_runs?: unknown }).workflow_runs,
              workflowRunSchema,
            );
            const signOffs: SignOff[] = [];
            for (const run of runs.items) {
              const { data: approvals } = await gh.rest(
                "GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals",
                { run_id: run.id },
                z.array(environmentApprovalSchema),
              );
              for (const a of approvals) {
                if (a.state !== "approved") continue;
                if (!a.environments.some((e) => e.name === environment)) continue;
                signOffs.push({
                  approver: a.user.login,
                  signedAt: run.updated_at,
                  where: run.html_url,
                  ...(a.comment ? { comment: a.comment } : {}),
                });
              }
            }
            return signOffs;
          },
        );
      },
    };
  }
  return {
    name: "github-pull-request-reviews",
    listSignOffs({ sha }, { signal }) {
      return client.run(
        signal,
        {
          action: `list pull request reviews for ${sha.slice(0, 12)}`,
          permission: "pull requests: read",
        },
        async (gh) => {
          const answer = await gh.graphql(
            REVIEWS_QUERY,
            { owner: client.owner, name: client.repo, sha },
            reviewAnswer,
          );
          const pulls = (answer.repository.object?.associatedPullRequests?.nodes ?? []).filter(
            (pr) => pr?.merged && pr.mergeCommit?.oid === sha,
          );
          return pulls.flatMap((pr) =>
            currentApprovals(
              (pr?.reviews?.nodes ?? []).flatMap((r) =>
                r?.author && r.submittedAt
                  ? [
                      {
                        author: r.author.login,
                        state: r.state,
                        submittedAt: r.submittedAt,
                        url: r.url,
                        body: r.body,
                      },
                    ]
                  : [],
              ),
            ),
          );
        },
      );
    },
  };
}
