import { z } from "zod";

// The fields of GitLab REST v4 / GraphQL responses that the adapter reads, and nothing more:
// a response missing one of them (or with the wrong type) is `invalid_response`, extra
// fields are ignored. The emulator's documented-field table (gitlab-emulator.ts) is the
// wider contract these are a subset of.

const sha = z.string().regex(/^[0-9a-f]{40}$/i, "expected a 40-hex sha");
const user = z.object({ username: z.string().min(1) });

/** GET /projects/:id (https://docs.gitlab.com/api/projects/#get-a-single-project). */
export const projectSchema = z.object({
  id: z.number(),
  path_with_namespace: z.string(),
  web_url: z.string(),
});

/** GET /projects/:id/repository/commits/:sha (https://docs.gitlab.com/api/commits/#get-a-single-commit). */
export const commitSchema = z.object({
  id: sha,
  created_at: z.string(),
  committed_date: z.string().nullish(),
  parent_ids: z.array(z.string()).nullish(),
});

/** GET /projects/:id/repository/tags/:tag_name (https://docs.gitlab.com/api/tags/#get-a-single-repository-tag). */
export const tagSchema = z.object({
  name: z.string(),
  message: z.string().nullable(),
  target: z.string(),
  commit: commitSchema,
});

/** GET /projects/:id/repository/compare (https://docs.gitlab.com/api/repositories/#compare-branches-tags-or-commits). */
export const compareSchema = z.object({
  commits: z.array(z.object({ id: sha })),
  compare_same_ref: z.boolean().optional(),
});

/** GET /projects/:id/repository/commits (https://docs.gitlab.com/api/commits/#list-repository-commits). */
export const commitListSchema = z.array(z.object({ id: sha }));

/** GET /projects/:id/pipelines (https://docs.gitlab.com/api/pipelines/#list-project-pipelines). */
export const pipelineListSchema = z.array(
  z.object({
    id: z.number(),
    sha: z.string(),
    ref: z.string(),
    status: z.string(),
    source: z.string().nullish(),
    created_at: z.string().nullable(),
    updated_at: z.string().nullable(),
    web_url: z.string().nullable(),
  }),
);

/** GET /projects/:id/repository/commits/:sha/statuses (https://docs.gitlab.com/api/commits/#list-the-statuses-of-a-commit). */
export const commitStatusListSchema = z.array(
  z.object({
    id: z.number(),
    name: z.string(),
    status: z.string(),
    allow_failure: z.boolean(),
    target_url: z.string().nullable(),
    created_at: z.string().nullable(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
  }),
);

/** GET /projects/:id/merge_requests (https://docs.gitlab.com/api/merge_requests/#list-project-merge-requests). */
export const mergeRequestSchema = z.object({
  iid: z.number().int().positive(),
  title: z.string(),
  web_url: z.string(),
  state: z.string(),
  target_branch: z.string(),
  author: user,
  labels: z.array(z.string()),
  merged_at: z.string().nullable(),
  updated_at: z.string(),
  sha: z.string().nullable(),
  merge_commit_sha: z.string().nullable(),
  squash_commit_sha: z.string().nullable(),
});
export type GitLabMergeRequest = z.output<typeof mergeRequestSchema>;
export const mergeRequestListSchema = z.array(mergeRequestSchema);

/** GET /projects/:id/merge_requests/:iid/approvals (https://docs.gitlab.com/api/merge_request_approvals/#retrieve-approvals-for-a-merge-request). */
export const mergeRequestApprovalsSchema = z.object({ approved_by: z.array(z.object({ user })) });

/** GET /projects/:id/merge_requests/:iid/diffs (https://docs.gitlab.com/api/merge_requests/#list-merge-request-diffs). */
export const mergeRequestDiffListSchema = z.array(
  z.object({ old_path: z.string(), new_path: z.string(), deleted_file: z.boolean().optional() }),
);

/** GraphQL `project.mergeRequests(iids:)` (https://docs.gitlab.com/api/graphql/reference/#mergerequest). */
export const graphqlMergeRequestBatchSchema = z.object({
  project: z
    .object({
      mergeRequests: z.object({
        nodes: z.array(
          z.object({
            iid: z.string(),
            approvedBy: z.object({ nodes: z.array(user) }).nullable(),
            diffStats: z.array(z.object({ path: z.string() })).nullable(),
          }),
        ),
      }),
    })
    .nullable(),
});

/** POST /projects/:id/issues (https://docs.gitlab.com/api/issues/#new-issue). */
export const issueSchema = z.object({
  id: z.number(),
  iid: z.number(),
  web_url: z.string(),
  title: z.string(),
});
/** GET /projects/:id/issues (https://docs.gitlab.com/api/issues/#list-project-issues). */
export const issueListSchema = z.array(issueSchema.extend({ description: z.string().nullable() }));
export type GitLabListedIssue = z.output<typeof issueListSchema>[number];

/** GET /projects/:id/deployments (https://docs.gitlab.com/api/deployments/#list-project-deployments). */
export const deploymentListSchema = z.array(
  z.object({ id: z.number(), iid: z.number(), sha: z.string(), status: z.string() }),
);

/** GET /projects/:id/deployments/:deployment_id (https://docs.gitlab.com/api/deployments/#get-a-specific-deployment). */
export const deploymentSchema = z.object({
  id: z.number(),
  iid: z.number(),
  sha: z.string(),
  environment: z.object({ id: z.number(), name: z.string() }),
  deployable: z.object({ web_url: z.string().nullish() }).nullish(),
  approvals: z
    .array(
      z.object({
        user,
        status: z.string(),
        created_at: z.string(),
        comment: z.string().nullish(),
      }),
    )
    .optional(),
});
