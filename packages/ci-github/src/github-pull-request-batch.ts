import type { ChangeRecord } from "@shipgate/core";
import { z } from "zod";
import type { BoundGitHub } from "./octokit-client.js";

/** Commits per GraphQL query (aliases); GitHub allows up to 100 nodes per connection page. */
export const COMMITS_PER_QUERY = 100;
/** Pull requests per follow-up query for labels/reviews/files beyond the first 100. */
const PULLS_PER_FOLLOW_UP = 50;
/** Pull requests asked for per commit; a landed commit normally has exactly one. */
const PULLS_PER_COMMIT = 5;

const pageInfo = z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() });
const labelsConnection = z.object({
  nodes: z.array(z.object({ name: z.string() }).nullable()),
  pageInfo,
});
const reviewsConnection = z.object({
  nodes: z.array(
    z
      .object({
        author: z.object({ login: z.string() }).nullable(),
        submittedAt: z.string().nullable(),
      })
      .nullable(),
  ),
  pageInfo,
});
const filesConnection = z.object({
  nodes: z.array(z.object({ path: z.string() }).nullable()),
  pageInfo,
});
const pullRequest = z.object({
  id: z.string(),
  number: z.number().int(),
  title: z.string(),
  url: z.string(),
  merged: z.boolean(),
  mergedAt: z.string().nullable(),
  mergeCommit: z.object({ oid: z.string() }).nullable(),
  author: z.object({ login: z.string() }).nullable(),
  labels: labelsConnection.nullable(),
  reviews: reviewsConnection.nullable(),
  files: filesConnection.nullable(),
});
const commitsAnswer = z.object({
  repository: z.record(
    z.string(),
    z
      .object({
        oid: z.string().optional(),
        associatedPullRequests: z
          .object({ nodes: z.array(pullRequest.nullable()) })
          .nullable()
          .optional(),
      })
      .nullable(),
  ),
});
const followUpAnswer = z.record(
  z.string(),
  z
    .object({
      labels: labelsConnection.nullable().optional(),
      reviews: reviewsConnection.nullable().optional(),
      files: filesConnection.nullable().optional(),
    })
    .nullable(),
);

const CHANGE_FIELDS = `
fragment Change on PullRequest {
  id number title url merged mergedAt
  mergeCommit { oid }
  author { login }
  labels(first: 100) { nodes { name } pageInfo { hasNextPage endCursor } }
  reviews(first: 100, states: [APPROVED]) { nodes { author { login } submittedAt } pageInfo { hasNextPage endCursor } }
  files(first: 100) { nodes { path } pageInfo { hasNextPage endCursor } }
}`;

type Connection = "labels" | "reviews" | "files";

interface Collected {
  record: ChangeRecord;
  nodeId: string;
  /** Position of the landing commit in the first-parent chain (oldest first). */
  order: number;
  /** Cursors of connections with more pages. */
  more: Partial<Record<Connection, string>>;
  /** Reviewer logins in review order, before de-duplication. */
  approvals: string[];
}

/**
 * Fetches the pull requests that landed the given commits, with authors, approving
 * reviewers, labels and changed files, in as few GraphQL queries as GitHub allows: one query
 * per {@link COMMITS_PER_QUERY} commits (aliases over `Commit.associatedPullRequests`), then
 * one follow-up per 50 pull requests that have more than 100 labels, approvals or files.
 *
 * A pull request counts when it is merged and its merge commit is one of `landed` — that is
 * what "merged into this release" means; pull requests that merely contain a commit (a PR
 * into another branch) are left out.
 */
export async function fetchLandedPullRequests(
  gh: BoundGitHub,
  owner: string,
  name: string,
  landed: string[],
): Promise<{ changes: ChangeRecord[]; requests: number }> {
  const order = new Map(landed.map((sha, i) => [sha, i]));
  const collected = new Map<number, Collected>();
  let requests = 0;

  for (let start = 0; start < landed.length; start += COMMITS_PER_QUERY) {
    const batch = landed.slice(start, start + COMMITS_PER_QUERY);
    const declarations = batch.map((_, i) => `$c${i}: GitObjectID!`).join(", ");
    const selections = batch
      .map(
        (_, i) =>
          `c${i}: object(oid: $c${i}) { ... on Commit { oid associatedPullRequests(first: ${PULLS_PER_COMMIT}) { nodes { ...Change } } } }`,
      )
      .join("\n    ");
    const query = `query ShipgateLandedPullRequests($owner: String!, $name: String!, ${declarations}) {
  repository(owner: $owner, name: $name) {
    ${selections}
  }
}
${CHANGE_FIELDS}`;
    const variables: Record<string, unknown> = { owner, name };
    batch.forEach((sha, i) => {
      variables[`c${i}`] = sha;
    });
    const answer = await gh.graphql(query, variables, commitsAnswer);
    requests += 1;
    for (const commit of Object.values(answer.repository)) {
      for (const pr of commit?.associatedPullRequests?.nodes ?? []) {
        if (!pr?.merged || !pr.mergedAt || !pr.mergeCommit) continue;
        const at = order.get(pr.mergeCommit.oid);
        if (at === undefined || collected.has(pr.number)) continue;
        collected.set(pr.number, toCollected(pr, at));
      }
    }
  }

  // Rare: more than 100 labels, approvals or files on a pull request.
  for (;;) {
    const pending = [...collected.values()].filter((c) => Object.keys(c.more).length > 0);
    if (pending.length === 0) break;
    for (let start = 0; start < pending.length; start += PULLS_PER_FOLLOW_UP) {
      const batch = pending.slice(start, start + PULLS_PER_FOLLOW_UP);
      const selections = batch
        .map((c, i) => {
          const parts: string[] = [];
          if (c.more.labels)
            parts.push(
              `labels(first: 100, after: ${JSON.stringify(c.more.labels)}) { nodes { name } pageInfo { hasNextPage endCursor } }`,
            );
          if (c.more.reviews)
            parts.push(
              `reviews(first: 100, states: [APPROVED], after: ${JSON.stringify(c.more.reviews)}) { nodes { author { login } submittedAt } pageInfo { hasNextPage endCursor } }`,
            );
          if (c.more.files)
            parts.push(
              `files(first: 100, after: ${JSON.stringify(c.more.files)}) { nodes { path } pageInfo { hasNextPage endCursor } }`,
            );
          return `p${i}: node(id: ${JSON.stringify(c.nodeId)}) { ... on PullRequest { ${parts.join(" ")} } }`;
        })
        .join("\n  ");
      const answer = await gh.graphql(
        `query ShipgatePullRequestPages {\n  ${selections}\n}`,
        {},
        followUpAnswer,
      );
      requests += 1;
      batch.forEach((c, i) => {
        const node = answer[`p${i}`];
        c.more = {};
        if (!node) return;
        if (node.labels) {
          c.record.labels.push(...node.labels.nodes.flatMap((l) => (l ? [l.name] : [])));
          if (node.labels.pageInfo.hasNextPage && node.labels.pageInfo.endCursor)
            c.more.labels = node.labels.pageInfo.endCursor;
        }
        if (node.reviews) {
          c.approvals.push(
            ...node.reviews.nodes.flatMap((r) => (r?.author ? [r.author.login] : [])),
          );
          if (node.reviews.pageInfo.hasNextPage && node.reviews.pageInfo.endCursor)
            c.more.reviews = node.reviews.pageInfo.endCursor;
        }
        if (node.files) {
          c.record.files.push(...node.files.nodes.flatMap((f) => (f ? [f.path] : [])));
          if (node.files.pageInfo.hasNextPage && node.files.pageInfo.endCursor)
            c.more.files = node.files.pageInfo.endCursor;
        }
      });
    }
  }

  const changes = [...collected.values()]
    .sort(
      (a, b) => Date.parse(a.record.mergedAt) - Date.parse(b.record.mergedAt) || a.order - b.order,
    )
    .map((c) => ({ ...c.record, reviewers: [...new Set(c.approvals)] }));
  return { changes, requests };
}

function toCollected(pr: z.infer<typeof pullRequest>, order: number): Collected {
  const more: Collected["more"] = {};
  for (const key of ["labels", "reviews", "files"] as const) {
    const info = pr[key]?.pageInfo;
    if (info?.hasNextPage && info.endCursor) more[key] = info.endCursor;
  }
  return {
    nodeId: pr.id,
    order,
    more,
    approvals: (pr.reviews?.nodes ?? []).flatMap((r) => (r?.author ? [r.author.login] : [])),
    record: {
      number: pr.number,
      title: pr.title,
      url: pr.url,
      // A deleted account shows as GitHub's "ghost" user.
      author: pr.author?.login ?? "ghost",
      reviewers: [],
      labels: (pr.labels?.nodes ?? []).flatMap((l) => (l ? [l.name] : [])),
      mergedAt: pr.mergedAt!,
      mergeSha: pr.mergeCommit!.oid,
      files: (pr.files?.nodes ?? []).flatMap((f) => (f ? [f.path] : [])),
    },
  };
}
