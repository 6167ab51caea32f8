import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

// A local GitLab (REST v4 + the one GraphQL query the adapter sends), on 127.0.0.1, shaped
// after GitLab's published API reference. It keeps a real commit graph, so ancestry, merge
// bases and compares are computed, not scripted. Every 2xx JSON answer is recorded so tests
// can check it against GITLAB_DOCUMENTED_FIELDS below.

/** A documented field type; `|null` marks a nullable field. */
export type DocumentedType =
  | "string"
  | "number"
  | "boolean"
  | "array"
  | "object"
  | "string|null"
  | "number|null"
  | "object|null"
  | "boolean|null";

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

const issueFields: Record<string, DocumentedType> = {
  id: "number",
  iid: "number",
  project_id: "number",
  title: "string",
  description: "string|null",
  state: "string",
  created_at: "string",
  updated_at: "string",
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
      id: "number",
      iid: "number",
      project_id: "number",
      title: "string",
      description: "string|null",
      state: "string",
      created_at: "string",
      updated_at: "string",
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
    fields: {
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
    },
  },
  "GET /projects/:id/deployments/:deployment_id": {
    doc: "https://docs.gitlab.com/api/deployments/#get-a-specific-deployment",
    list: false,
    fields: {
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
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      problems.push(`${route}[${index}]: expected an object`);
      return;
    }
    for (const [field, type] of Object.entries(spec.fields)) {
      const value = (item as Record<string, unknown>)[field];
      if (!(field in item)) problems.push(`${route}[${index}].${field}: missing`);
      else if (!matchesType(value, type))
        problems.push(`${route}[${index}].${field}: expected ${type}, got ${typeOf(value)}`);
    }
  });
  return problems;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function matchesType(value: unknown, type: DocumentedType): boolean {
  const [base, nullable] = type.split("|") as [string, string | undefined];
  if (value === null) return nullable === "null";
  return typeOf(value) === base;
}

// ---------------------------------------------------------------------------------------

/** A commit in the emulated repository. */
export interface EmulatedCommit {
  id: string;
  parents: string[];
  title: string;
  message: string;
  author: string;
  date: string;
  /** Creation order, for topological ordering. */
  seq: number;
}

/** A merge request as the emulator stores it (the API entity is derived from it). */
export interface EmulatedMergeRequest {
  id: number;
  iid: number;
  title: string;
  author: string;
  labels: string[];
  files: string[];
  approvers: { username: string; approvedAt: string }[];
  reviewers: string[];
  state: "merged" | "opened" | "closed";
  targetBranch: string;
  sourceBranch: string;
  sha: string;
  mergeCommitSha: string | null;
  squashCommitSha: string | null;
  squash: boolean;
  createdAt: string;
  updatedAt: string;
  mergedAt: string | null;
  mergeUser: string | null;
}

/** An injected failure: the next `times` requests matching `path` (and `method`) get it instead. */
export interface GitLabFault {
  method?: string;
  /** Matched against the request path (with `/api/v4` and the query). */
  path: RegExp;
  /** Default 1. */
  times?: number;
  respond:
    | { status: number; headers?: Record<string, string>; body?: unknown }
    | { hangMs: number }
    | { destroy: true }
    | { rawBody: string; status?: number; contentType?: string };
}

/** A request the emulator received. */
export interface RecordedRequest {
  method: string;
  /** Path and query as received, e.g. `/api/v4/projects/acme%2Fshop/pipelines?sha=…`. */
  url: string;
  /** The documented route it matched (`GET /projects/:id/pipelines`), or null. */
  route: string | null;
  status: number;
  /** The auth header that was presented, for tests that assert a token never leaks elsewhere. */
  authorized: boolean;
}

/** A 2xx JSON answer, kept for contract checks. */
export interface RecordedResponse {
  route: string;
  body: unknown;
}

/** Options of {@link startGitLabEmulator}. */
export interface GitLabEmulatorOptions {
  token?: string;
  projectId?: number;
  projectPath?: string;
  defaultBranch?: string;
  /**
   * How list endpoints paginate: `offset` (x-page, x-total, x-total-pages, x-next-page and a
   * Link header), `offset-without-totals` (what GitLab sends past 10,000 rows: no x-total,
   * x-total-pages or rel="last"), `keyset` (only a Link rel="next" with a cursor).
   */
  pagination?: "offset" | "offset-without-totals" | "keyset";
  /** GraphQL complexity stand-in: more merge requests than this in one query is an error. Default 100. */
  graphqlMaxNodes?: number;
  /** Called for requests the emulator has no route for (they also land in `unknownRequests`). */
  onUnknownRequest?: (line: string) => void;
}

/** A running emulator. */
export interface GitLabEmulator {
  /** `http://127.0.0.1:<port>`: pass as the GitLab base URL. */
  readonly url: string;
  readonly token: string;
  readonly projectId: number;
  readonly projectPath: string;
  readonly requests: RecordedRequest[];
  readonly responses: RecordedResponse[];
  readonly unknownRequests: string[];
  readonly issues: Record<string, unknown>[];
  /** Adds a commit; with `branch`, on top of that branch (which then moves to it). */
  commit(input?: {
    parents?: string[];
    branch?: string;
    title?: string;
    author?: string;
    date?: string;
  }): string;
  setBranch(name: string, sha: string): void;
  branchHead(name: string): string | undefined;
  /** A tag; annotated when `message` is given. */
  tag(name: string, sha: string, message?: string): void;
  /**
   * Lands a merge request on `targetBranch` (default: the default branch): a feature commit,
   * then a merge commit (`merge`), a squash commit (`squash`) or the feature commit itself
   * (`fast-forward`) on the branch.
   */
  mergeRequest(input: {
    title: string;
    author?: string;
    labels?: string[];
    files?: string[];
    approvers?: string[];
    targetBranch?: string;
    strategy?: "merge" | "squash" | "fast-forward";
    /** Later edits (comments, labels) move updated_at past merged_at. */
    updatedAfterMergeMinutes?: number;
  }): EmulatedMergeRequest;
  pipeline(input: { sha: string; ref?: string; status: string; source?: string }): number;
  status(input: {
    sha: string;
    name: string;
    status: string;
    allowFailure?: boolean;
    ref?: string;
    targetUrl?: string | null;
  }): number;
  deployment(input: {
    sha: string;
    environment: string;
    status?: string;
    approvals?: {
      username: string;
      status: "approved" | "rejected";
      createdAt?: string;
      comment?: string;
    }[];
  }): number;
  /** Inject a failure. */
  fail(fault: GitLabFault): void;
  /** Forget recorded requests and responses (not the repository). */
  resetLog(): void;
  close(): Promise<void>;
}

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");
const json = (value: unknown) => JSON.stringify(value);

/** Starts a GitLab emulator on 127.0.0.1 with a free port. */
export async function startGitLabEmulator(
  options: GitLabEmulatorOptions = {},
): Promise<GitLabEmulator> {
  const token = options.token ?? "test-token-not-real";
  const projectId = options.projectId ?? 42;
  const projectPath = options.projectPath ?? "acme/shop";
  const defaultBranch = options.defaultBranch ?? "main";
  const pagination = options.pagination ?? "offset";
  const graphqlMaxNodes = options.graphqlMaxNodes ?? 100;

  const commits = new Map<string, EmulatedCommit>();
  const branches = new Map<string, string>();
  const tags = new Map<
    string,
    { name: string; commit: string; target: string; message: string | null; createdAt: string }
  >();
  const mergeRequests: EmulatedMergeRequest[] = [];
  const pipelines: Record<string, unknown>[] = [];
  const statuses: Record<string, unknown>[] = [];
  const deployments: {
    id: number;
    iid: number;
    sha: string;
    ref: string;
    status: string;
    environment: string;
    createdAt: string;
    approvals: { username: string; status: string; createdAt: string; comment: string | null }[];
  }[] = [];
  const environments = new Map<string, number>();
  const issues: Record<string, unknown>[] = [];
  const faults: (GitLabFault & { left: number })[] = [];
  const requests: RecordedRequest[] = [];
  const responses: RecordedResponse[] = [];
  const unknownRequests: string[] = [];
  let seq = 0;
  let ids = 1000;
  let clock = Date.parse("2026-01-01T00:00:00.000Z");
  const tick = () => {
    clock += 60_000;
    return new Date(clock).toISOString();
  };

  let base = "";
  const projectWeb = () => `${base}/${projectPath}`;
  const userEntity = (username: string) => ({
    id: Number.parseInt(sha1(username).slice(0, 6), 16),
    username,
    name: username,
    state: "active",
    avatar_url: null,
    web_url: `${base}/${username}`,
  });

  // ---- repository graph -----------------------------------------------------------------
  const addCommit: GitLabEmulator["commit"] = (input = {}) => {
    const parents =
      input.parents ??
      (input.branch && branches.has(input.branch) ? [branches.get(input.branch)!] : []);
    seq += 1;
    const title = input.title ?? `commit ${seq}`;
    const id = sha1(`commit:${seq}:${title}:${parents.join(",")}`);
    commits.set(id, {
      id,
      parents,
      title,
      message: `${title}\n`,
      author: input.author ?? "dev",
      date: input.date ?? tick(),
      seq,
    });
    if (input.branch) branches.set(input.branch, id);
    return id;
  };

  const resolveRef = (ref: string): string | undefined => {
    if (branches.has(ref)) return branches.get(ref);
    if (tags.has(ref)) return tags.get(ref)!.commit;
    const lower = ref.toLowerCase();
    if (/^[0-9a-f]{7,40}$/.test(lower)) {
      if (commits.has(lower)) return lower;
      for (const id of commits.keys()) if (id.startsWith(lower)) return id;
    }
    return undefined;
  };

  const ancestors = (start: string): Set<string> => {
    const seen = new Set<string>();
    const stack = [start];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      for (const p of commits.get(id)?.parents ?? []) stack.push(p);
    }
    return seen;
  };

  const commitEntity = (id: string) => {
    const c = commits.get(id)!;
    return {
      id: c.id,
      short_id: c.id.slice(0, 8),
      created_at: c.date,
      parent_ids: c.parents,
      title: c.title,
      message: c.message,
      author_name: c.author,
      author_email: `${c.author}@example.com`,
      authored_date: c.date,
      committer_name: c.author,
      committer_email: `${c.author}@example.com`,
      committed_date: c.date,
      trailers: {},
      extended_trailers: {},
      web_url: `${projectWeb()}/-/commit/${c.id}`,
    };
  };

  const tagEntity = (name: string) => {
    const t = tags.get(name)!;
    return {
      name: t.name,
      message: t.message,
      target: t.target,
      commit: commitEntity(t.commit),
      release: null,
      protected: false,
      created_at: t.message === null ? null : t.createdAt,
    };
  };

  const mrEntity = (mr: EmulatedMergeRequest) => ({
    id: mr.id,
    iid: mr.iid,
    project_id: projectId,
    title: mr.title,
    description: `Merge request ${mr.title}`,
    state: mr.state,
    imported: false,
    imported_from: "none",
    created_at: mr.createdAt,
    updated_at: mr.updatedAt,
    merged_by: mr.mergeUser ? userEntity(mr.mergeUser) : null,
    merge_user: mr.mergeUser ? userEntity(mr.mergeUser) : null,
    merged_at: mr.mergedAt,
    merge_after: null,
    prepared_at: mr.createdAt,
    closed_by: null,
    closed_at: null,
    target_branch: mr.targetBranch,
    source_branch: mr.sourceBranch,
    user_notes_count: 0,
    upvotes: 0,
    downvotes: 0,
    author: userEntity(mr.author),
    assignees: [],
    assignee: null,
    reviewers: mr.reviewers.map(userEntity),
    source_project_id: projectId,
    target_project_id: projectId,
    labels: mr.labels,
    draft: false,
    work_in_progress: false,
    milestone: null,
    merge_when_pipeline_succeeds: false,
    merge_status: "can_be_merged",
    detailed_merge_status: mr.state === "merged" ? "not_open" : "mergeable",
    sha: mr.sha,
    merge_commit_sha: mr.mergeCommitSha,
    squash_commit_sha: mr.squashCommitSha,
    discussion_locked: null,
    should_remove_source_branch: null,
    force_remove_source_branch: true,
    reference: `!${mr.iid}`,
    references: { short: `!${mr.iid}`, relative: `!${mr.iid}`, full: `${projectPath}!${mr.iid}` },
    web_url: `${projectWeb()}/-/merge_requests/${mr.iid}`,
    time_stats: {
      time_estimate: 0,
      total_time_spent: 0,
      human_time_estimate: null,
      human_total_time_spent: null,
    },
    squash: mr.squash,
    squash_on_merge: mr.squash,
    task_completion_status: { count: 0, completed_count: 0 },
    has_conflicts: false,
    blocking_discussions_resolved: true,
  });

  const mergeRequest: GitLabEmulator["mergeRequest"] = (input) => {
    const target = input.targetBranch ?? defaultBranch;
    if (!branches.has(target)) addCommit({ branch: target, title: "Initial commit" });
    const head = branches.get(target)!;
    const iid = mergeRequests.length + 1;
    const createdAt = tick();
    const feature = addCommit({
      parents: [head],
      title: input.title,
      author: input.author ?? "dev",
    });
    const strategy = input.strategy ?? "merge";
    let mergeCommitSha: string | null = null;
    let squashCommitSha: string | null = null;
    let landed = feature;
    if (strategy === "merge") {
      mergeCommitSha = addCommit({
        parents: [head, feature],
        title: `Merge branch 'mr-${iid}' into '${target}'`,
        author: "gitlab",
      });
      landed = mergeCommitSha;
    } else if (strategy === "squash") {
      squashCommitSha = addCommit({
        parents: [head],
        title: input.title,
        author: input.author ?? "dev",
      });
      landed = squashCommitSha;
    }
    branches.set(target, landed);
    const mergedAt = commits.get(landed)!.date;
    const updatedAt = input.updatedAfterMergeMinutes
      ? new Date(Date.parse(mergedAt) + input.updatedAfterMergeMinutes * 60_000).toISOString()
      : mergedAt;
    const mr: EmulatedMergeRequest = {
      id: 5000 + iid,
      iid,
      title: input.title,
      author: input.author ?? "dev",
      labels: input.labels ?? [],
      files: input.files ?? [`src/change-${iid}.ts`],
      approvers: (input.approvers ?? []).map((username, i) => ({
        username,
        approvedAt: new Date(Date.parse(createdAt) + (i + 1) * 1000).toISOString(),
      })),
      reviewers: input.approvers ?? [],
      state: "merged",
      targetBranch: target,
      sourceBranch: `mr-${iid}`,
      sha: feature,
      mergeCommitSha,
      squashCommitSha,
      squash: strategy === "squash",
      createdAt,
      updatedAt,
      mergedAt,
      mergeUser: "maintainer",
    };
    mergeRequests.push(mr);
    return mr;
  };

  // ---- HTTP -----------------------------------------------------------------------------
  const send = (
    res: ServerResponse,
    record: RecordedRequest,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    record.status = status;
    if (status >= 200 && status < 300 && record.route && body !== undefined)
      responses.push({ route: record.route, body });
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(body === undefined ? "" : json(body));
  };

  const paginate = (
    url: URL,
    items: unknown[],
  ): { page: unknown[]; headers: Record<string, string> } => {
    const perPage = Math.min(
      100,
      Math.max(1, Number(url.searchParams.get("per_page") ?? 20) || 20),
    );
    const link = (params: Record<string, string>, rel: string) => {
      const next = new URL(url.toString());
      for (const [k, v] of Object.entries(params)) next.searchParams.set(k, v);
      return `<${base}${next.pathname}${next.search}>; rel="${rel}"`;
    };
    if (pagination === "keyset") {
      const cursor = url.searchParams.get("cursor");
      const start = cursor ? Number(Buffer.from(cursor, "base64url").toString("utf8")) : 0;
      const page = items.slice(start, start + perPage);
      const headers: Record<string, string> = {};
      if (start + perPage < items.length) {
        headers.link = link(
          {
            cursor: Buffer.from(String(start + perPage)).toString("base64url"),
            pagination: "keyset",
          },
          "next",
        );
      }
      return { page, headers };
    }
    const pageNo = Math.max(1, Number(url.searchParams.get("page") ?? 1) || 1);
    const totalPages = Math.max(1, Math.ceil(items.length / perPage));
    const page = items.slice((pageNo - 1) * perPage, pageNo * perPage);
    const links: string[] = [];
    if (pageNo < totalPages)
      links.push(link({ page: String(pageNo + 1), per_page: String(perPage) }, "next"));
    if (pageNo > 1)
      links.push(link({ page: String(pageNo - 1), per_page: String(perPage) }, "prev"));
    links.push(link({ page: "1", per_page: String(perPage) }, "first"));
    const headers: Record<string, string> = {
      "x-page": String(pageNo),
      "x-per-page": String(perPage),
      "x-next-page": pageNo < totalPages ? String(pageNo + 1) : "",
      "x-prev-page": pageNo > 1 ? String(pageNo - 1) : "",
    };
    if (pagination === "offset") {
      links.push(link({ page: String(totalPages), per_page: String(perPage) }, "last"));
      headers["x-total"] = String(items.length);
      headers["x-total-pages"] = String(totalPages);
    }
    headers.link = links.join(", ");
    return { page, headers };
  };

  const readBody = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    if (text.length === 0) return {};
    try {
      const parsed = JSON.parse(text);
      return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
    } catch {
      return Object.fromEntries(new URLSearchParams(text));
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://emulator.invalid");
    const method = (req.method ?? "GET").toUpperCase();
    const auth =
      req.headers["private-token"] === token || req.headers.authorization === `Bearer ${token}`;
    const record: RecordedRequest = {
      method,
      url: `${url.pathname}${url.search}`,
      route: null,
      status: 0,
      authorized: auth,
    };
    requests.push(record);
    const body = method === "GET" ? {} : await readBody(req);

    const fault = faults.find(
      (f) =>
        f.left > 0 &&
        (!f.method || f.method === method) &&
        f.path.test(`${url.pathname}${url.search}`),
    );
    if (fault) {
      fault.left -= 1;
      const r = fault.respond;
      if ("hangMs" in r) {
        // Hang until the delay passes or the client gives up (then nothing is left to answer).
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, r.hangMs);
          res.on("close", () => {
            clearTimeout(timer);
            resolve();
          });
        });
        if (!res.destroyed) send(res, record, 504, { message: "emulator: hung" });
        return;
      }
      if ("destroy" in r) {
        record.status = -1;
        req.socket.destroy();
        return;
      }
      if ("rawBody" in r) {
        record.status = r.status ?? 200;
        res.writeHead(record.status, { "content-type": r.contentType ?? "application/json" });
        res.end(r.rawBody);
        return;
      }
      send(res, record, r.status, r.body ?? { message: `${r.status}` }, r.headers);
      return;
    }

    if (url.pathname === "/api/graphql" && method === "POST") {
      record.route = "POST /api/graphql";
      if (!auth) return send(res, record, 401, { message: "401 Unauthorized" });
      return send(res, record, 200, graphql(body));
    }
    if (!url.pathname.startsWith("/api/v4/")) return unknown(res, record, method, url);
    const segments = url.pathname.slice("/api/v4/".length).split("/").map(decodeURIComponent);
    if (segments[0] !== "projects" || segments.length < 2) return unknown(res, record, method, url);
    if (!auth) return send(res, record, 401, { message: "401 Unauthorized" });
    const idOrPath = segments[1]!;
    if (idOrPath !== String(projectId) && idOrPath !== projectPath) {
      return send(res, record, 404, { message: "404 Project Not Found" });
    }
    const rest = segments.slice(2);
    const params = { ...Object.fromEntries(url.searchParams), ...body } as Record<string, unknown>;
    return route(res, record, method, url, rest, params);
  };

  const unknown = (res: ServerResponse, record: RecordedRequest, method: string, url: URL) => {
    const line = `${method} ${url.pathname}${url.search}`;
    unknownRequests.push(line);
    options.onUnknownRequest?.(line);
    send(res, record, 404, { error: "404 Not Found" });
  };

  const route = (
    res: ServerResponse,
    record: RecordedRequest,
    method: string,
    url: URL,
    rest: string[],
    params: Record<string, unknown>,
  ) => {
    const is = (m: string, ...pattern: string[]) =>
      method === m &&
      rest.length === pattern.length &&
      pattern.every((p, i) => p.startsWith(":") || p === rest[i]);
    const list = (key: string, items: unknown[]) => {
      record.route = key;
      const { page, headers } = paginate(url, items);
      send(res, record, 200, page, headers);
    };

    if (is("GET")) {
      record.route = "GET /projects/:id";
      return send(res, record, 200, {
        id: projectId,
        description: null,
        name: projectPath.split("/").pop(),
        name_with_namespace: projectPath.replace("/", " / "),
        path: projectPath.split("/").pop(),
        path_with_namespace: projectPath,
        created_at: "2025-01-01T00:00:00.000Z",
        default_branch: defaultBranch,
        web_url: projectWeb(),
      });
    }
    if (is("GET", "repository", "commits")) {
      const refName = String(params.ref_name ?? defaultBranch);
      const [fromRef, toRef] = refName.includes("..") ? refName.split("..") : [undefined, refName];
      const head = resolveRef(toRef!);
      if (!head) return list("GET /projects/:id/repository/commits", []);
      let reachable = ancestors(head);
      if (fromRef) {
        const exclude = ancestors(resolveRef(fromRef) ?? "");
        reachable = new Set([...reachable].filter((id) => !exclude.has(id)));
      }
      const ordered = [...reachable].map((id) => commits.get(id)!).sort((a, b) => b.seq - a.seq);
      return list(
        "GET /projects/:id/repository/commits",
        ordered.map((c) => commitEntity(c.id)),
      );
    }
    if (is("GET", "repository", "commits", ":sha")) {
      record.route = "GET /projects/:id/repository/commits/:sha";
      const id = resolveRef(rest[2]!);
      if (!id) return send(res, record, 404, { message: "404 Commit Not Found" });
      return send(res, record, 200, {
        ...commitEntity(id),
        stats: { additions: 1, deletions: 0, total: 1 },
        status: null,
        project_id: projectId,
        last_pipeline: null,
      });
    }
    if (is("GET", "repository", "commits", ":sha", "statuses")) {
      const id = resolveRef(rest[2]!);
      if (!id) {
        record.route = "GET /projects/:id/repository/commits/:sha/statuses";
        return send(res, record, 404, { message: "404 Commit Not Found" });
      }
      const all = params.all === "true" || params.all === true;
      let found = statuses.filter((s) => s.sha === id);
      if (!all) {
        // Latest per name (and ref), as GitLab does without `all`.
        const latest = new Map<string, Record<string, unknown>>();
        for (const s of found) latest.set(`${s.name}@${s.ref}`, s);
        found = [...latest.values()];
      }
      return list("GET /projects/:id/repository/commits/:sha/statuses", found);
    }
    if (is("GET", "repository", "compare")) {
      record.route = "GET /projects/:id/repository/compare";
      const from = resolveRef(String(params.from ?? ""));
      const to = resolveRef(String(params.to ?? ""));
      if (!from || !to) return send(res, record, 404, { message: "404 Ref Not Found" });
      const exclude = ancestors(from);
      const inRange = [...ancestors(to)]
        .filter((id) => !exclude.has(id))
        .map((id) => commits.get(id)!)
        .sort((a, b) => a.seq - b.seq)
        .map((c) => commitEntity(c.id));
      return send(res, record, 200, {
        commit: inRange.at(-1) ?? null,
        commits: inRange,
        diffs: [],
        compare_timeout: false,
        compare_same_ref: from === to,
        web_url: `${projectWeb()}/-/compare/${from}...${to}`,
      });
    }
    if (is("GET", "repository", "merge_base")) {
      record.route = "GET /projects/:id/repository/merge_base";
      const refs = new URLSearchParams(url.search).getAll("refs[]");
      if (refs.length < 2) return send(res, record, 400, { message: "Provide at least 2 refs" });
      const resolved = refs.map((r) => [r, resolveRef(r)] as const);
      const missing = resolved.filter(([, id]) => !id).map(([r]) => r);
      if (missing.length > 0) {
        return send(res, record, 400, {
          message: `Could not find ref${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}`,
        });
      }
      const sets = resolved.map(([, id]) => ancestors(id!));
      const common = [...sets[0]!].filter((id) => sets.every((s) => s.has(id)));
      if (common.length === 0)
        return send(res, record, 404, { message: "404 Merge Base Not Found" });
      const best = common.map((id) => commits.get(id)!).sort((a, b) => b.seq - a.seq)[0]!;
      return send(res, record, 200, commitEntity(best.id));
    }
    if (is("GET", "repository", "tags", ":name")) {
      record.route = "GET /projects/:id/repository/tags/:tag_name";
      if (!tags.has(rest[2]!)) return send(res, record, 404, { message: "404 Tag Not Found" });
      return send(res, record, 200, tagEntity(rest[2]!));
    }
    if (is("POST", "repository", "tags")) {
      record.route = "POST /projects/:id/repository/tags";
      const name = typeof params.tag_name === "string" ? params.tag_name : "";
      const ref = typeof params.ref === "string" ? params.ref : "";
      if (!name) return send(res, record, 400, { error: "tag_name is missing" });
      if (!ref) return send(res, record, 400, { error: "ref is missing" });
      if (/\s|\.\.|^-|~|\^|:|\\/.test(name))
        return send(res, record, 400, { message: "Tag name invalid" });
      if (tags.has(name)) return send(res, record, 409, { message: `Tag ${name} already exists` });
      const target = resolveRef(ref);
      if (!target) return send(res, record, 400, { message: `Target ${ref} is invalid` });
      const message =
        typeof params.message === "string" && params.message.trim() !== ""
          ? params.message.trim()
          : null;
      tags.set(name, {
        name,
        commit: target,
        target: message === null ? target : sha1(`tag:${name}:${message}`),
        message,
        createdAt: tick(),
      });
      return send(res, record, 201, tagEntity(name));
    }
    if (is("GET", "pipelines")) {
      let found = pipelines;
      if (typeof params.sha === "string") found = found.filter((p) => p.sha === params.sha);
      if (typeof params.ref === "string") found = found.filter((p) => p.ref === params.ref);
      // Newest first (order_by=id, sort=desc are GitLab's defaults).
      return list("GET /projects/:id/pipelines", [...found].reverse());
    }
    if (is("GET", "merge_requests")) {
      let found = mergeRequests.filter(
        (mr) => params.state === undefined || params.state === "all" || mr.state === params.state,
      );
      if (typeof params.target_branch === "string")
        found = found.filter((mr) => mr.targetBranch === params.target_branch);
      if (typeof params.updated_after === "string") {
        const after = Date.parse(params.updated_after);
        found = found.filter((mr) => Date.parse(mr.updatedAt) >= after);
      }
      if (typeof params.updated_before === "string") {
        const before = Date.parse(params.updated_before);
        found = found.filter((mr) => Date.parse(mr.updatedAt) <= before);
      }
      const orderBy = String(params.order_by ?? "created_at");
      const key = (mr: EmulatedMergeRequest) =>
        Date.parse(
          orderBy === "updated_at"
            ? mr.updatedAt
            : orderBy === "merged_at"
              ? (mr.mergedAt ?? mr.updatedAt)
              : mr.createdAt,
        );
      const sign = params.sort === "asc" ? 1 : -1;
      found = [...found].sort((a, b) => sign * (key(a) - key(b) || a.id - b.id));
      return list("GET /projects/:id/merge_requests", found.map(mrEntity));
    }
    if (is("GET", "merge_requests", ":iid", "approvals")) {
      record.route = "GET /projects/:id/merge_requests/:iid/approvals";
      const mr = mergeRequests.find((m) => String(m.iid) === rest[1]);
      if (!mr) return send(res, record, 404, { message: "404 Not found" });
      return send(res, record, 200, {
        id: mr.id,
        iid: mr.iid,
        project_id: projectId,
        title: mr.title,
        description: "",
        state: mr.state,
        created_at: mr.createdAt,
        updated_at: mr.updatedAt,
        merge_status: "can_be_merged",
        approved: mr.approvers.length > 0,
        approvals_required: 0,
        approvals_left: 0,
        require_password_to_approve: false,
        approved_by: mr.approvers.map((a) => ({
          user: userEntity(a.username),
          approved_at: a.approvedAt,
        })),
        suggested_approvers: [],
        approvers: [],
        approver_groups: [],
        user_has_approved: false,
        user_can_approve: false,
        approval_rules_left: [],
        has_approval_rules: false,
        merge_request_approvers_available: false,
        multiple_approval_rules_available: false,
        invalid_approvers_rules: [],
      });
    }
    if (is("GET", "merge_requests", ":iid", "diffs")) {
      const mr = mergeRequests.find((m) => String(m.iid) === rest[1]);
      if (!mr) {
        record.route = "GET /projects/:id/merge_requests/:iid/diffs";
        return send(res, record, 404, { message: "404 Not found" });
      }
      return list(
        "GET /projects/:id/merge_requests/:iid/diffs",
        mr.files.map((path) => ({
          old_path: path,
          new_path: path,
          a_mode: "100644",
          b_mode: "100644",
          diff: "@@ -1 +1 @@\n-old\n+new\n",
          collapsed: false,
          too_large: false,
          new_file: false,
          renamed_file: false,
          deleted_file: false,
          generated_file: false,
        })),
      );
    }
    if (is("POST", "issues")) {
      record.route = "POST /projects/:id/issues";
      if (typeof params.title !== "string" || params.title.length === 0)
        return send(res, record, 400, { error: "title is missing" });
      const iid = issues.length + 1;
      const issueType = typeof params.issue_type === "string" ? params.issue_type : "issue";
      const now = tick();
      const issue = {
        id: 9000 + iid,
        iid,
        project_id: projectId,
        title: params.title,
        description: typeof params.description === "string" ? params.description : null,
        state: "opened",
        created_at: now,
        updated_at: now,
        closed_at: null,
        closed_by: null,
        labels: typeof params.labels === "string" ? params.labels.split(",").filter(Boolean) : [],
        milestone: null,
        assignees: [],
        author: userEntity("shipgate-bot"),
        type: issueType.toUpperCase(),
        issue_type: issueType,
        assignee: null,
        user_notes_count: 0,
        upvotes: 0,
        downvotes: 0,
        due_date: null,
        confidential: false,
        discussion_locked: null,
        web_url: `${projectWeb()}/-/issues/${iid}`,
        references: { short: `#${iid}`, relative: `#${iid}`, full: `${projectPath}#${iid}` },
        severity: "UNKNOWN",
      };
      issues.push(issue);
      return send(res, record, 201, issue);
    }
    if (is("GET", "issues")) {
      let found = issues;
      if (typeof params.state === "string" && params.state !== "all")
        found = found.filter((i) => i.state === params.state);
      if (typeof params.issue_type === "string")
        found = found.filter((i) => i.issue_type === params.issue_type);
      if (typeof params.labels === "string") {
        const wanted = params.labels.split(",").filter(Boolean);
        found = found.filter((i) => wanted.every((l) => (i.labels as string[]).includes(l)));
      }
      return list("GET /projects/:id/issues", [...found].reverse());
    }
    if (is("PUT", "issues", ":iid")) {
      record.route = "PUT /projects/:id/issues/:issue_iid";
      const issue = issues.find((i) => String(i.iid) === rest[1]);
      if (!issue) return send(res, record, 404, { message: "404 Issue Not Found" });
      if (params.state_event === "close") {
        issue.state = "closed";
        issue.closed_at = tick();
      }
      issue.updated_at = tick();
      return send(res, record, 200, issue);
    }
    if (is("GET", "deployments")) {
      let found = deployments;
      if (typeof params.environment === "string")
        found = found.filter((d) => d.environment === params.environment);
      if (typeof params.status === "string")
        found = found.filter((d) => d.status === params.status);
      const sign = params.sort === "desc" ? -1 : 1;
      found = [...found].sort((a, b) => sign * (a.id - b.id));
      return list(
        "GET /projects/:id/deployments",
        found.map((d) => deploymentEntity(d, false)),
      );
    }
    if (is("GET", "deployments", ":id")) {
      record.route = "GET /projects/:id/deployments/:deployment_id";
      const d = deployments.find((x) => String(x.id) === rest[1]);
      if (!d) return send(res, record, 404, { message: "404 Not found" });
      return send(res, record, 200, deploymentEntity(d, true));
    }
    return unknown(res, record, method, url);
  };

  const deploymentEntity = (d: (typeof deployments)[number], extended: boolean) => {
    const jobId = d.id + 70_000;
    const entity: Record<string, unknown> = {
      id: d.id,
      iid: d.iid,
      ref: d.ref,
      sha: d.sha,
      created_at: d.createdAt,
      updated_at: d.createdAt,
      finished_at: d.status === "success" ? d.createdAt : null,
      status: d.status,
      user: userEntity("deployer"),
      environment: {
        id: environments.get(d.environment),
        name: d.environment,
        slug: d.environment,
        external_url: null,
        created_at: d.createdAt,
        updated_at: d.createdAt,
      },
      deployable: {
        id: jobId,
        status: d.status === "blocked" ? "manual" : "success",
        stage: "deploy",
        name: `deploy:${d.environment}`,
        ref: d.ref,
        tag: false,
        web_url: `${projectWeb()}/-/jobs/${jobId}`,
      },
    };
    if (extended) {
      const required = 2;
      const approved = d.approvals.filter((a) => a.status === "approved").length;
      entity.pending_approval_count = Math.max(0, required - approved);
      entity.approvals = d.approvals.map((a) => ({
        user: userEntity(a.username),
        status: a.status,
        created_at: a.createdAt,
        comment: a.comment,
      }));
      entity.approval_summary = { rules: [] };
    }
    return entity;
  };

  const graphql = (body: Record<string, unknown>) => {
    const query = typeof body.query === "string" ? body.query : "";
    const variables = (body.variables ?? {}) as Record<string, unknown>;
    if (!/mergeRequests\s*\(/.test(query) || !/project\s*\(\s*fullPath/.test(query)) {
      unknownRequests.push(`POST /api/graphql ${query.slice(0, 80)}`);
      return { errors: [{ message: "emulator: only project.mergeRequests(iids:) is emulated" }] };
    }
    const iids = Array.isArray(variables.iids) ? variables.iids.map(String) : [];
    const complexity = 3 + iids.length * 3;
    if (iids.length > graphqlMaxNodes) {
      return {
        errors: [
          {
            message: `Query has complexity of ${complexity}, which exceeds max complexity of ${3 + graphqlMaxNodes * 3}`,
          },
        ],
      };
    }
    if (variables.fullPath !== projectPath) return { data: { project: null } };
    const nodes = mergeRequests
      .filter((mr) => iids.includes(String(mr.iid)))
      .map((mr) => {
        const node: Record<string, unknown> = { iid: String(mr.iid) };
        if (/approvedBy/.test(query))
          node.approvedBy = { nodes: mr.approvers.map((a) => ({ username: a.username })) };
        if (/diffStats/.test(query))
          node.diffStats = mr.files.map((path) => ({ path, additions: 1, deletions: 1 }));
        return node;
      });
    return { data: { project: { mergeRequests: { nodes } } } };
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(json({ message: `emulator error: ${String(error)}` }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    token,
    projectId,
    projectPath,
    requests,
    responses,
    unknownRequests,
    issues,
    commit: addCommit,
    setBranch: (name, sha) => branches.set(name, sha),
    branchHead: (name) => branches.get(name),
    tag(name, sha, message) {
      tags.set(name, {
        name,
        commit: sha,
        target: message ? sha1(`tag:${name}:${message}`) : sha,
        message: message ?? null,
        createdAt: tick(),
      });
    },
    mergeRequest,
    pipeline({ sha, ref = defaultBranch, status, source = "push" }) {
      const id = ++ids;
      const at = tick();
      pipelines.push({
        id,
        iid: pipelines.length + 1,
        project_id: projectId,
        sha,
        ref,
        status,
        source,
        created_at: at,
        updated_at: at,
        web_url: `${projectWeb()}/-/pipelines/${id}`,
      });
      return id;
    },
    status({ sha, name, status, allowFailure = false, ref = defaultBranch, targetUrl }) {
      const id = ++ids;
      const at = tick();
      const done = ["success", "failed", "canceled", "skipped"].includes(status);
      statuses.push({
        id,
        sha,
        ref,
        status,
        name,
        target_url: targetUrl === undefined ? `${projectWeb()}/-/jobs/${id}` : targetUrl,
        description: null,
        created_at: at,
        started_at: status === "pending" || status === "created" ? null : at,
        finished_at: done ? at : null,
        allow_failure: allowFailure,
        coverage: null,
        pipeline_id: 1,
        author: userEntity("dev"),
      });
      return id;
    },
    deployment({ sha, environment, status = "blocked", approvals = [] }) {
      if (!environments.has(environment)) environments.set(environment, environments.size + 1);
      const id = ++ids;
      const createdAt = tick();
      deployments.push({
        id,
        iid: deployments.length + 1,
        sha,
        ref: defaultBranch,
        status,
        environment,
        createdAt,
        approvals: approvals.map((a) => ({
          username: a.username,
          status: a.status,
          createdAt: a.createdAt ?? tick(),
          comment: a.comment ?? null,
        })),
      });
      return id;
    },
    fail(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    resetLog() {
      requests.length = 0;
      responses.length = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
