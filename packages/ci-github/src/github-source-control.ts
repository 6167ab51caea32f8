import { ShipgateError, type SourceControl, type TagInfo } from "@shipgate/core";
import { errAsync } from "neverthrow";
import { z } from "zod";
import { type CommitLink, firstParentChain } from "./first-parent-chain.js";
import { fetchLandedPullRequests } from "./github-pull-request-batch.js";
import type { BoundGitHub, GitHubClient } from "./octokit-client.js";

const FULL_SHA = /^[0-9a-f]{40}$/i;
/** The documented maximum page size of the compare and list-commits endpoints. */
const COMMITS_PER_PAGE = 100;

const commitLinkSchema = z
  .object({ sha: z.string(), parents: z.array(z.object({ sha: z.string() })) })
  .transform((c): CommitLink => ({ sha: c.sha, parents: c.parents.map((p) => p.sha) }));
const compareSchema = z.object({
  status: z.enum(["diverged", "ahead", "behind", "identical"]),
  ahead_by: z.number(),
  behind_by: z.number(),
  total_commits: z.number(),
});
const refSchema = z.object({
  ref: z.string(),
  object: z.object({ type: z.string(), sha: z.string() }),
});
const tagObjectSchema = z.object({
  sha: z.string(),
  tag: z.string(),
  message: z.string(),
  object: z.object({ type: z.string(), sha: z.string() }),
});

/** Counts of GitHub requests made by the last `listChanges`, for benchmarks. */
export interface ListChangesStats {
  commitPages: number;
  graphqlQueries: number;
  landedCommits: number;
}

/** A {@link SourceControl} that also reports what its last `listChanges` cost. */
export interface GitHubSourceControl extends SourceControl {
  readonly lastListChangesStats: ListChangesStats | undefined;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

/**
 * Commits, tags and the pull requests of a release, on GitHub.
 *
 * - `getCommit`: `GET /commits/{sha}` with the `vnd.github.sha` media type (tiny answer;
 *   GitHub's 422 "No commit found" means it does not exist), then
 *   `GET /compare/{branch}...{sha}` — `behind`/`identical` means the commit is an ancestor
 *   of the branch head. Two requests, whatever the history's size.
 * - `getTag`: `GET /git/matching-refs/tags/{name}` (an empty list, not a 404, for a missing
 *   tag, so a wrong repository still fails loudly), peeling annotated tags via `/git/tags`.
 * - `createAnnotatedTag`: a tag object (`POST /git/tags`) and its ref (`POST /git/refs`).
 * - `listChanges`: the range from `compare` (paged, 100 commits a page), its first-parent
 *   chain, then pull request details in batches of 100 commits per GraphQL query.
 */
export function createGitHubSourceControl(
  client: GitHubClient,
  releaseBranch: string,
): GitHubSourceControl {
  let lastStats: ListChangesStats | undefined;

  const readTag = async (gh: BoundGitHub, name: string): Promise<TagInfo | null> => {
    const { data: refs } = await gh.rest(
      "GET /repos/{owner}/{repo}/git/matching-refs/{ref}",
      { ref: `tags/${name}` },
      z.array(refSchema),
    );
    const ref = refs.find((r) => r.ref === `refs/tags/${name}`);
    if (!ref) return null;
    if (ref.object.type !== "tag") {
      return { name, sha: ref.object.sha, annotated: false };
    }
    let objectSha = ref.object.sha;
    let message: string | undefined;
    // Tags of tags exist; follow them down to the commit.
    for (let depth = 0; depth < 5; depth++) {
      const { data: tag } = await gh.rest(
        "GET /repos/{owner}/{repo}/git/tags/{tag_sha}",
        { tag_sha: objectSha },
        tagObjectSchema,
      );
      message ??= tag.message.replace(/\n+$/, "");
      if (tag.object.type !== "tag") {
        return { name, sha: tag.object.sha, annotated: true, message };
      }
      objectSha = tag.object.sha;
    }
    throw new ShipgateError("invalid_response", `Tag ${name} nests more than 5 tag objects`);
  };

  return {
    name: "github",
    get lastListChangesStats() {
      return lastStats;
    },

    getCommit(sha, { signal }) {
      if (!FULL_SHA.test(sha)) {
        return errAsync(
          new ShipgateError(
            "invalid_input",
            `Expected a full 40-character commit sha, got "${sha}"`,
            {
              field: "sha",
            },
          ),
        );
      }
      return client.run(
        signal,
        { action: `look up commit ${sha.slice(0, 12)}`, permission: "contents: read" },
        async (gh) => {
          try {
            await gh.rest(
              "GET /repos/{owner}/{repo}/commits/{ref}",
              { ref: sha, mediaType: { format: "sha" } },
              z.unknown(),
            );
          } catch (error) {
            if (statusOf(error) === 422) {
              return { sha, exists: false, releaseBranch, onReleaseBranch: false };
            }
            throw error;
          }
          const { data } = await gh.rest(
            "GET /repos/{owner}/{repo}/compare/{basehead}",
            { basehead: `${releaseBranch}...${sha}`, per_page: 1 },
            compareSchema,
          );
          const onReleaseBranch = data.status === "behind" || data.status === "identical";
          return { sha, exists: true, releaseBranch, onReleaseBranch };
        },
      );
    },

    getTag(name, { signal }) {
      return client.run(
        signal,
        { action: `read tag ${name}`, permission: "contents: read" },
        (gh) => readTag(gh, name),
      );
    },

    createAnnotatedTag({ name, sha, message }, { signal }) {
      return client.run(
        signal,
        { action: `create tag ${name}`, permission: "contents: write" },
        async (gh) => {
          if (await readTag(gh, name)) {
            throw new ShipgateError(
              "conflict",
              `Tag ${name} already exists in ${client.repository}`,
              {
                field: "name",
              },
            );
          }
          const { data: tag } = await gh.rest(
            "POST /repos/{owner}/{repo}/git/tags",
            { tag: name, message, object: sha, type: "commit" },
            tagObjectSchema,
          );
          try {
            await gh.rest(
              "POST /repos/{owner}/{repo}/git/refs",
              { ref: `refs/tags/${name}`, sha: tag.sha },
              refSchema,
            );
          } catch (error) {
            // Someone else created the ref between our check and our write.
            const vendor = String(
              (error as { response?: { data?: { message?: unknown } } }).response?.data?.message ??
                "",
            );
            if (statusOf(error) === 422 && /already exists/i.test(vendor)) {
              throw new ShipgateError(
                "conflict",
                `Tag ${name} already exists in ${client.repository}`,
                {
                  field: "name",
                  status: 422,
                  vendorMessage: vendor,
                },
              );
            }
            throw error;
          }
          // The forge's repository is the checkout's origin: the tag is published already.
          return { name, sha, annotated: true, message, pushedTo: "origin" };
        },
      );
    },

    listChanges({ fromTag, toSha }, { signal }) {
      return client.run(
        signal,
        {
          action: `list changes ${fromTag ?? "(start)"}...${toSha.slice(0, 12)}`,
          permission: "contents: read and pull requests: read",
        },
        async (gh) => {
          let commits: CommitLink[];
          let commitPages: number;
          if (fromTag === null) {
            // The whole history up to toSha: list-commits walks it newest first.
            const listed = await gh.pages(
              "GET /repos/{owner}/{repo}/commits",
              { sha: toSha, per_page: COMMITS_PER_PAGE },
              (data) => data,
              commitLinkSchema,
            );
            commits = listed.items;
            commitPages = listed.requests;
          } else {
            const compared = await gh.pages(
              "GET /repos/{owner}/{repo}/compare/{basehead}",
              { basehead: `${fromTag}...${toSha}`, per_page: COMMITS_PER_PAGE },
              (data) => (data as { commits?: unknown }).commits,
              commitLinkSchema,
            );
            const summary = compareSchema.safeParse(compared.lastPage);
            if (summary.success && compared.items.length < summary.data.total_commits) {
              throw new ShipgateError(
                "invalid_response",
                `GitHub's comparison ${fromTag}...${toSha} listed ${compared.items.length} of ${summary.data.total_commits} commits`,
                { request: "GET /repos/{owner}/{repo}/compare/{basehead}" },
              );
            }
            commits = compared.items;
            commitPages = compared.requests;
          }
          const landed = firstParentChain(commits);
          const { changes, requests } = await fetchLandedPullRequests(
            gh,
            client.owner,
            client.repo,
            landed,
          );
          lastStats = { commitPages, graphqlQueries: requests, landedCommits: landed.length };
          return changes;
        },
      );
    },
  };
}
