import type { ChangeRecord } from "@shipgate/core";
import { ShipgateError } from "@shipgate/core";
import type {
  GitPullRequestQueryType,
  GitVersionType,
} from "azure-devops-node-api/interfaces/GitInterfaces";
import { type AzureClient, parseVendor } from "./azure-client.js";
import {
  type AzurePullRequest,
  commitChangesSchema,
  commitRefListSchema,
  identityLogin,
  pullRequestQuerySchema,
} from "./azure-schemas.js";
import { findAzureTag } from "./azure-tag-lookup.js";

/** How {@link listAzureChanges} pages and batches. */
export interface AzureChangesOptions {
  /** Commits per Commits - Get Commits Batch page. Default 1000. */
  commitPageSize?: number;
  /** Commit ids per Pull Request Query request. Default 200. */
  pullRequestQueryBatch?: number;
  /**
   * Read each pull request's changed files (Commits - Get Changes of its merge commit: one
   * request per pull request, the only per-PR cost). Default true; false leaves `files` empty.
   */
  files?: boolean;
  /** Concurrent requests for changed files. Default 8. */
  concurrency?: number;
}

const asVersionType = (name: "commit") => name as unknown as GitVersionType;
const LAST_MERGE_COMMIT = "lastMergeCommit" as unknown as GitPullRequestQueryType;
// Votes: 10 approved, 5 approved with suggestions, 0 none, -5 waiting, -10 rejected.
const APPROVED = 5;

/**
 * Every pull request completed into the release branch after `fromTag`, up to `toSha`.
 *
 * Requests, for N pull requests whose range holds C commits: the tag's ref (1), the commits
 * in the range (Commits Batch with `itemVersion` = the sha and `compareVersion` = the tag's
 * commit: ⌈C/1000⌉ pages), the pull requests whose last merge commit is one of them (Pull
 * Request Query, type `lastMergeCommit`: ⌈C/200⌉), then, for the changed files, one Commits -
 * Get Changes per pull request (Azure DevOps has no batch API for per-commit changes).
 * Authors, approvers (reviewers who voted ≥ 5) and labels come with the pull requests.
 */
export async function listAzureChanges(
  client: AzureClient,
  options: AzureChangesOptions & { releaseBranch: string; fromTag: string | null; toSha: string },
): Promise<ChangeRecord[]> {
  const repo = await client.repo();
  const git = await client.git();
  const branchRef = `refs/heads/${options.releaseBranch}`;

  let compareSha: string | null = null;
  if (options.fromTag !== null) {
    const tag = await findAzureTag(client, options.fromTag);
    if (!tag) {
      throw new ShipgateError(
        "not_found",
        `Previous release tag ${options.fromTag} does not exist in ${client.project}/${client.repository}`,
        { field: "fromTag" },
      );
    }
    compareSha = tag.sha;
  }

  // 1. The commits in the range.
  const pageSize = Math.max(1, options.commitPageSize ?? 1000);
  const commits: string[] = [];
  for (let skip = 0; ; skip += pageSize) {
    const criteria = {
      itemVersion: { version: options.toSha, versionType: asVersionType("commit") },
      ...(compareSha
        ? { compareVersion: { version: compareSha, versionType: asVersionType("commit") } }
        : {}),
    };
    const raw = await client.send(() =>
      git.getCommitsBatch(criteria, repo.id, client.project, skip, pageSize),
    );
    if (raw === null || raw === undefined) {
      throw new ShipgateError("not_found", `Azure Repos does not know commit ${options.toSha}`, {
        field: "toSha",
      });
    }
    const page = parseVendor(
      commitRefListSchema,
      raw,
      `POST git/repositories/${repo.name}/commitsbatch`,
    );
    commits.push(...page.map((c) => c.commitId.toLowerCase()));
    if (page.length < pageSize) break;
  }
  if (commits.length === 0) return [];

  // 2. The pull requests those commits landed.
  const batch = Math.max(1, options.pullRequestQueryBatch ?? 200);
  const landed = new Map<number, { pr: AzurePullRequest; mergeSha: string }>();
  for (let i = 0; i < commits.length; i += batch) {
    const items = commits.slice(i, i + batch);
    const raw = await client.send(() =>
      git.getPullRequestQuery(
        { queries: [{ type: LAST_MERGE_COMMIT, items }] },
        repo.id,
        client.project,
      ),
    );
    const query = parseVendor(
      pullRequestQuerySchema,
      raw,
      `POST git/repositories/${repo.name}/pullrequestquery`,
    );
    for (const [commit, pullRequests] of Object.entries(query.results[0] ?? {})) {
      for (const pr of pullRequests) {
        if (pr.status !== "completed" || pr.targetRefName !== branchRef) continue;
        landed.set(pr.pullRequestId, {
          pr,
          mergeSha: (pr.lastMergeCommit?.commitId ?? commit).toLowerCase(),
        });
      }
    }
  }
  if (landed.size === 0) return [];

  // 3. Changed files, one request per pull request (bounded concurrency).
  const list = [...landed.values()];
  const files = new Map<number, string[]>();
  if (options.files !== false) {
    let next = 0;
    const worker = async () => {
      while (next < list.length) {
        const { pr, mergeSha } = list[next++]!;
        files.set(pr.pullRequestId, await changedFiles(client, repo.id, repo.name, mergeSha));
      }
    };
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 8, list.length)) }, worker),
    );
  }

  const records = list.map(({ pr, mergeSha }): ChangeRecord => {
    const reviewers = (pr.reviewers ?? [])
      .filter((r) => r.vote >= APPROVED && !r.isContainer)
      .map((r) => identityLogin(r));
    return {
      number: pr.pullRequestId,
      title: pr.title,
      url: `${repo.webUrl}/pullrequest/${pr.pullRequestId}`,
      author: identityLogin(pr.createdBy),
      reviewers: [...new Set(reviewers)],
      labels: (pr.labels ?? []).filter((l) => l.active !== false).map((l) => l.name),
      // A completed pull request is closed when it is merged.
      mergedAt: pr.closedDate ?? pr.creationDate ?? new Date(0).toISOString(),
      mergeSha,
      files: files.get(pr.pullRequestId) ?? [],
    };
  });
  return records.sort(
    (a, b) => Date.parse(a.mergedAt) - Date.parse(b.mergedAt) || a.number - b.number,
  );
}

async function changedFiles(
  client: AzureClient,
  repositoryId: string,
  repositoryName: string,
  commitId: string,
) {
  const git = await client.git();
  const top = 1000;
  const paths: string[] = [];
  for (let skip = 0; ; skip += top) {
    const raw = await client.send(() =>
      git.getChanges(commitId, repositoryId, client.project, top, skip),
    );
    if (raw === null || raw === undefined) return paths;
    const { changes } = parseVendor(
      commitChangesSchema,
      raw,
      `GET git/repositories/${repositoryName}/commits/${commitId}/changes`,
    );
    for (const change of changes) {
      const type = change.item.gitObjectType;
      // Folders come along with their files; only blobs are files (GitObjectType.Blob = 3).
      if (change.item.isFolder || type === "tree" || type === 2) continue;
      paths.push(change.item.path.replace(/^\/+/, ""));
    }
    if (changes.length < top) return [...new Set(paths)];
  }
}
