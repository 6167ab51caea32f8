import type { ChangeRecord } from "@shipgate/core";
import { ShipgateError } from "@shipgate/core";
import { type GitLabClient, parseVendor } from "./gitlab-client.js";
import {
  commitListSchema,
  compareSchema,
  type GitLabMergeRequest,
  graphqlMergeRequestBatchSchema,
  mergeRequestApprovalsSchema,
  mergeRequestDiffListSchema,
  mergeRequestListSchema,
  tagSchema,
} from "./gitlab-schemas.js";

/** How {@link listGitLabChanges} fetches what the merge request list does not carry. */
export interface GitLabChangesOptions {
  /**
   * Where approvals and changed files come from. `graphql` (default): one GraphQL query per
   * batch of merge requests. `rest`: `GET …/approvals` and `GET …/diffs` per merge request
   * (for instances where GraphQL is disabled).
   */
  details?: "graphql" | "rest";
  /** Merge requests per GraphQL query; halved automatically if GitLab finds the query too complex. Default 100. */
  graphqlBatchSize?: number;
  /** Concurrent requests in `rest` mode. Default 8. */
  restConcurrency?: number;
  /**
   * Slack subtracted from the previous tag's commit time before using it as `updated_after`,
   * against clock skew between the machine that made the commit and GitLab. Default 1 day.
   */
  updatedAfterSlackMs?: number;
}

const DETAILS_QUERY = `query shipgateMergeRequestDetails($fullPath: ID!, $iids: [String!], $first: Int) {
  project(fullPath: $fullPath) {
    mergeRequests(iids: $iids, first: $first) {
      nodes { iid approvedBy { nodes { username } } diffStats { path } }
    }
  }
}`;

interface Landed {
  mr: GitLabMergeRequest;
  mergeSha: string;
}

interface Details {
  reviewers: string[];
  files: string[];
}

/**
 * Every merge request merged into the release branch after `fromTag`, up to `toSha`.
 *
 * Requests, for N merge requests: 1 tag lookup, 1 compare (the commits in the range),
 * ⌈M/100⌉ pages of merged merge requests targeting the branch and updated since the tag's
 * commit (M ≥ N; `updated_at` ≥ `merged_at`, so nothing merged after the tag is missed),
 * then ⌈N/100⌉ GraphQL queries for approvals and changed files (plus one project lookup when
 * `project` is a numeric id). A merge request belongs to the release when the commit that
 * landed it (`merge_commit_sha`, else `squash_commit_sha`, else `sha` for fast-forward
 * merges) is one of the compared commits.
 *
 * Without `fromTag` the commit set is the whole history of `toSha` (`GET /repository/commits`,
 * pages of 100) and every merged merge request is considered.
 */
export async function listGitLabChanges(
  client: GitLabClient,
  options: GitLabChangesOptions & { releaseBranch: string; fromTag: string | null; toSha: string },
): Promise<ChangeRecord[]> {
  const { project } = client;
  const { commits, updatedAfter } = await commitRange(client, options);
  if (commits.size === 0) return [];

  const raw = await client.api.mergeRequests.all({
    projectId: project,
    state: "merged",
    targetBranch: options.releaseBranch,
    // created_at never changes: a merge request updated while we page cannot shift an
    // unread one onto a page we have already read (updated_at ordering could skip one).
    orderBy: "created_at",
    sort: "asc",
    perPage: 100,
    ...(updatedAfter ? { updatedAfter } : {}),
  });
  const mergeRequests = parseVendor(
    mergeRequestListSchema,
    raw,
    `GET /projects/${project}/merge_requests`,
  );

  const landed = new Map<number, Landed>();
  for (const mr of mergeRequests) {
    if (mr.state !== "merged" || mr.target_branch !== options.releaseBranch) continue;
    const mergeSha = [mr.merge_commit_sha, mr.squash_commit_sha, mr.sha].find(
      (candidate): candidate is string =>
        typeof candidate === "string" && commits.has(candidate.toLowerCase()),
    );
    if (mergeSha) landed.set(mr.iid, { mr, mergeSha: mergeSha.toLowerCase() });
  }
  if (landed.size === 0) return [];

  const list = [...landed.values()];
  const details =
    options.details === "rest"
      ? await restDetails(client, list, options.restConcurrency ?? 8)
      : await graphqlDetails(client, list, options.graphqlBatchSize ?? 100);

  const records = list.map(({ mr, mergeSha }): ChangeRecord => {
    const found = details.get(mr.iid) ?? { reviewers: [], files: [] };
    return {
      number: mr.iid,
      title: mr.title,
      url: /^https?:\/\//.test(mr.web_url) ? mr.web_url : null,
      author: mr.author.username,
      reviewers: found.reviewers,
      labels: mr.labels,
      // Merge requests merged before GitLab recorded merged_at carry only updated_at.
      mergedAt: mr.merged_at ?? mr.updated_at,
      mergeSha,
      files: found.files,
    };
  });
  return records.sort(
    (a, b) => Date.parse(a.mergedAt) - Date.parse(b.mergedAt) || a.number - b.number,
  );
}

async function commitRange(
  client: GitLabClient,
  options: { fromTag: string | null; toSha: string; updatedAfterSlackMs?: number },
): Promise<{ commits: Set<string>; updatedAfter: string | undefined }> {
  const { project } = client;
  if (options.fromTag === null) {
    const raw = await client.api.commits.all(project, { refName: options.toSha, perPage: 100 });
    const all = parseVendor(commitListSchema, raw, `GET /projects/${project}/repository/commits`);
    return { commits: new Set(all.map((c) => c.id.toLowerCase())), updatedAfter: undefined };
  }
  let tagRaw: unknown;
  try {
    tagRaw = await client.api.tags.show(project, options.fromTag);
  } catch (thrown) {
    if (ShipgateError.isInstance(thrown) && thrown.kind === "not_found") {
      throw new ShipgateError(
        "not_found",
        `Previous release tag ${options.fromTag} does not exist in ${project}`,
        {
          field: "fromTag",
          ...(thrown.request ? { request: thrown.request } : {}),
          cause: thrown,
        },
      );
    }
    throw thrown;
  }
  const tag = parseVendor(
    tagSchema,
    tagRaw,
    `GET /projects/${project}/repository/tags/${options.fromTag}`,
  );
  const compareRaw = await client.api.repositories.compare(project, tag.commit.id, options.toSha);
  const compare = parseVendor(
    compareSchema,
    compareRaw,
    `GET /projects/${project}/repository/compare`,
  );
  const since = Date.parse(tag.commit.committed_date ?? tag.commit.created_at);
  const slack = options.updatedAfterSlackMs ?? 86_400_000;
  return {
    commits: new Set(compare.commits.map((c) => c.id.toLowerCase())),
    updatedAfter: Number.isNaN(since) ? undefined : new Date(since - slack).toISOString(),
  };
}

async function graphqlDetails(
  client: GitLabClient,
  list: Landed[],
  batchSize: number,
): Promise<Map<number, Details>> {
  // GraphQL needs the full path; a numeric project id costs one lookup.
  const fullPath = /^\d+$/.test(client.project)
    ? (await client.projectInfo()).pathWithNamespace
    : client.project;
  const out = new Map<number, Details>();
  const iids = list.map((l) => l.mr.iid);
  const size = Math.max(1, Math.min(100, Math.floor(batchSize)));
  for (let i = 0; i < iids.length; i += size)
    await graphqlBatch(client, fullPath, iids.slice(i, i + size), out);
  for (const iid of iids) {
    if (!out.has(iid)) {
      throw new ShipgateError(
        "invalid_response",
        `GitLab GraphQL did not return merge request !${iid} of ${fullPath}`,
        {
          request: "POST /api/graphql",
        },
      );
    }
  }
  return out;
}

async function graphqlBatch(
  client: GitLabClient,
  fullPath: string,
  iids: number[],
  out: Map<number, Details>,
) {
  let data: unknown;
  try {
    data = await client.graphql(DETAILS_QUERY, {
      fullPath,
      iids: iids.map(String),
      first: iids.length,
    });
  } catch (thrown) {
    // GitLab caps query complexity; a smaller batch is a cheaper query.
    if (
      iids.length > 1 &&
      ShipgateError.isInstance(thrown) &&
      thrown.kind === "bad_query" &&
      /complexity/i.test(thrown.message)
    ) {
      const half = Math.ceil(iids.length / 2);
      await graphqlBatch(client, fullPath, iids.slice(0, half), out);
      await graphqlBatch(client, fullPath, iids.slice(half), out);
      return;
    }
    throw thrown;
  }
  const parsed = parseVendor(graphqlMergeRequestBatchSchema, data, "POST /api/graphql");
  if (parsed.project === null) {
    throw new ShipgateError("not_found", `GitLab GraphQL cannot see project ${fullPath}`, {
      request: "POST /api/graphql",
      hint: "Check `project` and that the token has the read_api scope",
    });
  }
  for (const node of parsed.project.mergeRequests.nodes) {
    out.set(Number(node.iid), {
      reviewers: distinct((node.approvedBy?.nodes ?? []).map((u) => u.username)),
      files: distinct((node.diffStats ?? []).map((d) => d.path)),
    });
  }
}

async function restDetails(
  client: GitLabClient,
  list: Landed[],
  concurrency: number,
): Promise<Map<number, Details>> {
  const out = new Map<number, Details>();
  const { project } = client;
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const { mr } = list[next++]!;
      const [approvalsRaw, diffsRaw] = await Promise.all([
        client.api.approvals.showConfiguration(project, { mergerequestIId: mr.iid }),
        client.api.mergeRequests.allDiffs(project, mr.iid, { perPage: 100 }),
      ]);
      const approvals = parseVendor(
        mergeRequestApprovalsSchema,
        approvalsRaw,
        `GET merge_requests/${mr.iid}/approvals`,
      );
      const diffs = parseVendor(
        mergeRequestDiffListSchema,
        diffsRaw,
        `GET merge_requests/${mr.iid}/diffs`,
      );
      out.set(mr.iid, {
        reviewers: distinct(approvals.approved_by.map((a) => a.user.username)),
        files: distinct(diffs.map((d) => d.new_path)),
      });
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, list.length)) }, worker),
  );
  return out;
}

function distinct(values: string[]): string[] {
  return [...new Set(values)];
}
