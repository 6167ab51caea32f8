// GitLab's documented response fields, per route, from its published API reference; tests
// check every 2xx answer the emulator recorded against this table.

import { type DocumentedFieldType, documentedFieldProblems } from "@shipgate/core/testing/emulator";

/** A documented field type; `|null` marks a nullable field. */
export type DocumentedType = DocumentedFieldType;

/** One endpoint's documented response fields (every element, for list endpoints). */
export interface DocumentedEndpoint {
  /** Where the fields were taken from. */
  doc: string;
  list: boolean;
  fields: Record<string, DocumentedType>;
}

const commitFields: Record<string, DocumentedType> = {
  id: "string",
  short_id: "string",
  title: "string",
  message: "string",
  author_name: "string",
  author_email: "string",
  authored_date: "string",
  committer_name: "string",
  committer_email: "string",
  committed_date: "string",
  created_at: "string",
  parent_ids: "array",
  web_url: "string",
};

const tagFields: Record<string, DocumentedType> = {
  name: "string",
  message: "string|null",
  target: "string",
  commit: "object",
  release: "object|null",
  protected: "boolean",
  created_at: "string|null",
};

/** A deployment, as List project deployments answers each one. */
const deploymentFields: Record<string, DocumentedType> = {
  id: "number",
  iid: "number",
  ref: "string",
  sha: "string",
  created_at: "string",
  updated_at: "string",
  status: "string",
  user: "object",
  environment: "object",
  deployable: "object|null",
};

/** The fields issues and merge requests share (GitLab calls both "issuables"). */
const issuableFields: Record<string, DocumentedType> = {
  id: "number",
  iid: "number",
  project_id: "number",
  title: "string",
  description: "string|null",
  state: "string",
  created_at: "string",
  updated_at: "string",
};

const issueFields: Record<string, DocumentedType> = {
  ...issuableFields,
  closed_at: "string|null",
  labels: "array",
  author: "object",
  issue_type: "string",
  type: "string",
  web_url: "string",
};

/**
 * The response fields GitLab documents for each endpoint the adapter calls, with their
 * types, from the REST API reference (docs.gitlab.com/api/…, GitLab 17/18) and the GraphQL
 * reference. The emulator's answers are checked against this table in gitlab-emulator.test.ts;
 * the adapter's zod schemas (gitlab-schemas.ts) read a subset of these fields.
 */
export const GITLAB_DOCUMENTED_FIELDS: Record<string, DocumentedEndpoint> = {
  "GET /projects/:id": {
    doc: "https://docs.gitlab.com/api/projects/#get-a-single-project",
    list: false,
    fields: {
      id: "number",
      name: "string",
      path: "string",
      path_with_namespace: "string",
      web_url: "string",
      default_branch: "string",
    },
  },
  "GET /projects/:id/repository/commits/:sha": {
    doc: "https://docs.gitlab.com/api/commits/#get-a-single-commit",
    list: false,
    fields: commitFields,
  },
  "GET /projects/:id/repository/commits": {
    doc: "https://docs.gitlab.com/api/commits/#list-repository-commits",
    list: true,
    fields: commitFields,
  },
  "GET /projects/:id/repository/merge_base": {
    doc: "https://docs.gitlab.com/api/repositories/#merge-base",
    list: false,
    fields: commitFields,
  },
  "GET /projects/:id/repository/compare": {
    doc: "https://docs.gitlab.com/api/repositories/#compare-branches-tags-or-commits",
    list: false,
    fields: {
      commit: "object|null",
      commits: "array",
      diffs: "array",
      compare_timeout: "boolean",
      compare_same_ref: "boolean",
      web_url: "string",
    },
  },
  "GET /projects/:id/repository/tags/:tag_name": {
    doc: "https://docs.gitlab.com/api/tags/#get-a-single-repository-tag",
    list: false,
    fields: tagFields,
  },
  "POST /projects/:id/repository/tags": {
    doc: "https://docs.gitlab.com/api/tags/#create-a-new-tag",
    list: false,
    fields: tagFields,
  },
  "GET /projects/:id/repository/commits/:sha/statuses": {
    doc: "https://docs.gitlab.com/api/commits/#list-the-statuses-of-a-commit",
    list: true,
    fields: {
      id: "number",
      sha: "string",
      ref: "string|null",
      status: "string",
      name: "string",
      target_url: "string|null",
      description: "string|null",
      created_at: "string",
      started_at: "string|null",
      finished_at: "string|null",
      allow_failure: "boolean",
      coverage: "number|null",
      pipeline_id: "number",
      author: "object",
    },
  },
  "GET /projects/:id/pipelines": {
    doc: "https://docs.gitlab.com/api/pipelines/#list-project-pipelines",
    list: true,
    fields: {
      id: "number",
      iid: "number",
      project_id: "number",
      sha: "string",
      ref: "string",
      status: "string",
      source: "string",
      created_at: "string",
      updated_at: "string",
      web_url: "string",
    },
  },
  "GET /projects/:id/merge_requests": {
    doc: "https://docs.gitlab.com/api/merge_requests/#list-project-merge-requests",
    list: true,
    fields: {
      ...issuableFields,
      merged_by: "object|null",
      merge_user: "object|null",
      merged_at: "string|null",
      closed_by: "object|null",
      closed_at: "string|null",
      target_branch: "string",
      source_branch: "string",
      author: "object",
      assignees: "array",
      reviewers: "array",
      labels: "array",
      draft: "boolean",
      sha: "string",
      merge_commit_sha: "string|null",
      squash_commit_sha: "string|null",
      squash: "boolean",
      detailed_merge_status: "string",
      references: "object",
      web_url: "string",
    },
  },
  "GET /projects/:id/merge_requests/:iid/approvals": {
    doc: "https://docs.gitlab.com/api/merge_request_approvals/#retrieve-approvals-for-a-merge-request",
    list: false,
    fields: {
      id: "number",
      iid: "number",
      project_id: "number",
      title: "string",
      state: "string",
      approved: "boolean",
      approvals_required: "number",
      approvals_left: "number",
      approved_by: "array",
    },
  },
  "GET /projects/:id/merge_requests/:iid/diffs": {
    doc: "https://docs.gitlab.com/api/merge_requests/#list-merge-request-diffs",
    list: true,
    fields: {
      old_path: "string",
      new_path: "string",
      a_mode: "string",
      b_mode: "string",
      diff: "string",
      new_file: "boolean",
      renamed_file: "boolean",
      deleted_file: "boolean",
    },
  },
  "POST /projects/:id/issues": {
    doc: "https://docs.gitlab.com/api/issues/#new-issue",
    list: false,
    fields: issueFields,
  },
  "GET /projects/:id/issues": {
    doc: "https://docs.gitlab.com/api/issues/#list-project-issues",
    list: true,
    fields: issueFields,
  },
  "PUT /projects/:id/issues/:issue_iid": {
    doc: "https://docs.gitlab.com/api/issues/#edit-an-issue",
    list: false,
    fields: issueFields,
  },
  "GET /projects/:id/deployments": {
    doc: "https://docs.gitlab.com/api/deployments/#list-project-deployments",
    list: true,
    fields: deploymentFields,
  },
  "GET /projects/:id/deployments/:deployment_id": {
    doc: "https://docs.gitlab.com/api/deployments/#get-a-specific-deployment",
    list: false,
    fields: {
      ...deploymentFields,
      approvals: "array",
      pending_approval_count: "number",
    },
  },
  "POST /api/graphql": {
    // MergeRequest.iid: String!, approvedBy: UserCoreConnection, diffStats: [DiffStats!]
    doc: "https://docs.gitlab.com/api/graphql/reference/#mergerequest",
    list: false,
    fields: { data: "object" },
  },
};

/** Problems with one response against the documented table; `[]` when it conforms. */
export function documentedShapeProblems(route: string, body: unknown): string[] {
  const spec = GITLAB_DOCUMENTED_FIELDS[route];
  if (!spec) return [`no documented fields for ${route}`];
  const items = spec.list ? body : [body];
  if (!Array.isArray(items)) return [`${route}: expected a JSON array`];
  const problems: string[] = [];
  items.forEach((item, index) => {
    problems.push(...documentedFieldProblems(`${route}[${index}]`, item, spec.fields));
  });
  return problems;
}
