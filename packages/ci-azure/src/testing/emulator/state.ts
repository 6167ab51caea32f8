import { createHash } from "node:crypto";
import {
  pageBySkip,
  pageByToken,
  pageSizeParam,
  reachableCommits,
} from "@shipgate/core/testing/emulator";
import type {
  AzureDevOpsEmulator,
  AzureDevOpsEmulatorOptions,
  Commit,
  EmulatedPullRequest,
} from "./types.js";

/** A SHA-1 hex digest: ids of emulated commits and tags. */
export const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");
/** A stable GUID derived from a text. */
export const uuidOf = (text: string) => {
  const h = sha1(text);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

/** Starts an Azure DevOps emulator on 127.0.0.1 with a free port. */

/**
 * The emulated organization: one project and Git repository with a real commit graph, pull
 * requests, statuses, builds with approvals, branch policies and work items, and how each
 * looks on the wire.
 */
export function createAzureState(options: AzureDevOpsEmulatorOptions) {
  const org = options.organization ?? "acme";
  const projectName = options.project ?? "shop";
  const repoName = options.repository ?? projectName;
  const defaultBranch = options.defaultBranch ?? "main";
  const maxPage = options.maxPageSize ?? 1000;
  const projectId = uuidOf(`project:${projectName}`);
  const repositoryId = uuidOf(`repo:${repoName}`);

  const commits = new Map<string, Commit>();
  const refs = new Map<string, string>(); // full ref name → object id
  const tagObjects = new Map<
    string,
    { name: string; commit: string; message: string; date: string }
  >();
  const pullRequests: EmulatedPullRequest[] = [];
  const statuses: {
    sha: string;
    id: number;
    state: string;
    name: string;
    genre: string;
    targetUrl: string;
    date: string;
  }[] = [];
  const builds: {
    id: number;
    definition: { id: number; name: string };
    status: string;
    result: string | null;
    sha: string;
    branch: string;
    queueTime: string;
    records: Record<string, unknown>[];
  }[] = [];
  const definitions = new Map<string, number>();
  const approvals = new Map<
    string,
    { id: string; status: string; createdOn: string; steps: Record<string, unknown>[] }
  >();
  const policies: Record<string, unknown>[] = [];
  const workItems = new Map<number, { id: number; rev: number; fields: Record<string, unknown> }>();
  const unknownRequests: string[] = [];
  let seq = 0;
  let ids = 100;
  let clock = Date.parse("2026-01-01T00:00:00.000Z");
  const tick = () => {
    clock += 60_000;
    return new Date(clock).toISOString();
  };
  let base = "";
  const orgBase = () => `${base}/${org}`;
  const identity = (uniqueName: string) => ({
    displayName: uniqueName.split("@")[0],
    url: `${orgBase()}/_apis/Identities/${uuidOf(uniqueName)}`,
    _links: {
      avatar: { href: `${orgBase()}/_apis/GraphProfile/MemberAvatars/${uuidOf(uniqueName)}` },
    },
    id: uuidOf(uniqueName),
    uniqueName,
    imageUrl: `${orgBase()}/_api/_common/identityImage?id=${uuidOf(uniqueName)}`,
    descriptor: `aad.${Buffer.from(uniqueName).toString("base64url")}`,
  });
  const repoUrl = () => `${orgBase()}/${projectId}/_apis/git/repositories/${repositoryId}`;
  const webRepoUrl = () =>
    `${orgBase()}/${encodeURIComponent(projectName)}/_git/${encodeURIComponent(repoName)}`;
  const projectRef = () => ({
    id: projectId,
    name: projectName,
    url: `${orgBase()}/_apis/projects/${projectId}`,
    state: "wellFormed",
    revision: 11,
    visibility: "private",
    lastUpdateTime: "2025-12-01T00:00:00Z",
  });

  // ---- repository graph -----------------------------------------------------------------
  const addCommit: AzureDevOpsEmulator["commit"] = (input = {}) => {
    const branchRef = input.branch ? `refs/heads/${input.branch}` : undefined;
    const parents =
      input.parents ?? (branchRef && refs.has(branchRef) ? [refs.get(branchRef)!] : []);
    seq += 1;
    const comment = input.comment ?? `commit ${seq}`;
    const id = sha1(`commit:${seq}:${comment}:${parents.join(",")}`);
    commits.set(id, {
      id,
      parents,
      comment,
      author: input.author ?? "dev@example.com",
      date: tick(),
      seq,
      files: input.files ?? [`src/file-${seq}.ts`],
    });
    if (branchRef) refs.set(branchRef, id);
    return id;
  };

  const ancestors = (start: string) => reachableCommits(start, (id) => commits.get(id)?.parents);

  const peel = (objectId: string) => tagObjects.get(objectId)?.commit ?? objectId;

  /** Resolves a version descriptor (type as name or enum number) to a commit id. */
  const resolveVersion = (
    version: string | undefined,
    type: string | undefined,
  ): string | undefined => {
    if (!version) return undefined;
    const kind = String(type ?? "branch").toLowerCase();
    if (kind === "branch" || kind === "0") return refs.get(`refs/heads/${version}`);
    if (kind === "tag" || kind === "1") {
      const id = refs.get(`refs/tags/${version}`);
      return id ? peel(id) : undefined;
    }
    const lower = version.toLowerCase();
    return commits.has(lower) ? lower : undefined;
  };

  const gitUserDate = (who: string, date: string) => ({
    name: who.split("@")[0],
    email: who,
    date,
  });

  const commitRef = (c: Commit) => ({
    commitId: c.id,
    author: gitUserDate(c.author, c.date),
    committer: gitUserDate(c.author, c.date),
    comment: c.comment,
    changeCounts: { Edit: c.files.length },
    url: `${repoUrl()}/commits/${c.id}`,
    remoteUrl: `${webRepoUrl()}/commit/${c.id}`,
  });

  const tagEntity = (objectId: string) => {
    const t = tagObjects.get(objectId)!;
    return {
      name: `refs/tags/${t.name}`,
      objectId,
      taggedObject: { objectId: t.commit, objectType: "commit" },
      taggedBy: gitUserDate("release-bot@example.com", t.date),
      message: t.message,
      url: `${repoUrl()}/annotatedTags/${objectId}`,
    };
  };

  const prEntity = (pr: EmulatedPullRequest) => ({
    repository: {
      id: repositoryId,
      name: repoName,
      url: `${orgBase()}/_apis/git/repositories/${repositoryId}`,
      project: projectRef(),
    },
    pullRequestId: pr.pullRequestId,
    codeReviewId: pr.pullRequestId,
    status: pr.status,
    createdBy: identity(pr.author),
    creationDate: pr.creationDate,
    closedDate: pr.closedDate,
    title: pr.title,
    description: `${pr.title}\n`,
    sourceRefName: pr.sourceRefName,
    targetRefName: pr.targetRefName,
    mergeStatus: "succeeded",
    isDraft: false,
    mergeId: uuidOf(`merge:${pr.pullRequestId}`),
    lastMergeSourceCommit: {
      commitId: sha1(`source:${pr.pullRequestId}`),
      url: `${repoUrl()}/commits/${sha1(`source:${pr.pullRequestId}`)}`,
    },
    lastMergeTargetCommit: {
      commitId: commits.get(pr.lastMergeCommit)?.parents[0] ?? pr.lastMergeCommit,
      url: `${repoUrl()}/commits/x`,
    },
    lastMergeCommit: {
      commitId: pr.lastMergeCommit,
      url: `${repoUrl()}/commits/${pr.lastMergeCommit}`,
    },
    reviewers: pr.reviewers.map((r) => ({
      reviewerUrl: `${repoUrl()}/pullRequests/${pr.pullRequestId}/reviewers/${uuidOf(r.uniqueName)}`,
      vote: r.vote,
      hasDeclined: false,
      isRequired: false,
      isFlagged: false,
      ...identity(r.uniqueName),
      isContainer: Boolean(r.isContainer),
    })),
    labels: pr.labels.map((name) => ({
      id: uuidOf(`label:${name}`),
      name,
      active: true,
      url: `${orgBase()}/_apis/labels/${name}`,
    })),
    url: `${repoUrl()}/pullRequests/${pr.pullRequestId}`,
    supportsIterations: true,
    completionOptions: { mergeStrategy: "noFastForward" },
  });

  const vssError = (message: string, typeKey: string) => ({
    $id: "1",
    innerException: null,
    message,
    typeName: `Microsoft.TeamFoundation.${typeKey}, Microsoft.TeamFoundation`,
    typeKey,
    errorCode: 0,
    eventId: 3000,
  });
  const wrapped = (value: unknown[]) => ({ count: value.length, value });

  /** `$top` + `continuationToken` paging, as Builds, Refs and Policy configurations do. */
  const tokenPage = <T>(items: T[], url: URL, defaultTop: number) => {
    const top = pageSizeParam(url.searchParams, ["$top"], defaultTop, maxPage);
    const { items: page, nextToken } = pageByToken(
      items,
      url.searchParams.get("continuationToken"),
      top,
    );
    const headers: Record<string, string> = {};
    if (nextToken) headers["x-ms-continuationtoken"] = nextToken;
    return { page, headers };
  };
  /** `$top`/`$skip` (or `top`/`skip`) paging. */
  const skipPage = <T>(items: T[], url: URL, defaultTop: number) =>
    pageBySkip(url.searchParams, items, {
      topNames: ["$top", "top"],
      skipNames: ["$skip", "skip"],
      defaultTop,
      maxTop: maxPage,
    });

  const buildEntity = (b: (typeof builds)[number]) => ({
    _links: {
      self: { href: `${orgBase()}/${projectId}/_apis/build/Builds/${b.id}` },
      web: { href: `${orgBase()}/${projectId}/_build/results?buildId=${b.id}` },
      timeline: { href: `${orgBase()}/${projectId}/_apis/build/builds/${b.id}/Timeline` },
    },
    properties: {},
    tags: [],
    validationResults: [],
    plans: [{ planId: uuidOf(`plan:${b.id}`) }],
    id: b.id,
    buildNumber: `2026.1.${b.id}`,
    status: b.status,
    ...(b.result ? { result: b.result } : {}),
    queueTime: b.queueTime,
    ...(b.status !== "notStarted" ? { startTime: b.queueTime } : {}),
    ...(b.status === "completed"
      ? { finishTime: new Date(Date.parse(b.queueTime) + 30_000).toISOString() }
      : {}),
    url: `${orgBase()}/${projectId}/_apis/build/Builds/${b.id}`,
    definition: {
      drafts: [],
      id: b.definition.id,
      name: b.definition.name,
      url: `${orgBase()}/${projectId}/_apis/build/Definitions/${b.definition.id}?revision=1`,
      uri: `vstfs:///Build/Definition/${b.definition.id}`,
      path: "\\",
      type: "build",
      queueStatus: "enabled",
      revision: 1,
      project: projectRef(),
    },
    buildNumberRevision: 1,
    project: projectRef(),
    uri: `vstfs:///Build/Build/${b.id}`,
    sourceBranch: b.branch,
    sourceVersion: b.sha,
    queue: {
      id: 1,
      name: "Azure Pipelines",
      pool: { id: 1, name: "Azure Pipelines", isHosted: true },
    },
    priority: "normal",
    reason: "individualCI",
    requestedFor: identity("dev@example.com"),
    requestedBy: identity("ci-bot@example.com"),
    lastChangedDate: b.queueTime,
    lastChangedBy: identity("ci-bot@example.com"),
    orchestrationPlan: { planId: uuidOf(`plan:${b.id}`) },
    logs: {
      id: 0,
      type: "Container",
      url: `${orgBase()}/${projectId}/_apis/build/builds/${b.id}/logs`,
    },
    repository: {
      id: repositoryId,
      type: "TfsGit",
      name: repoName,
      url: `${webRepoUrl()}`,
      clean: null,
      checkoutSubmodules: false,
    },
    retainedByRelease: false,
    triggeredByBuild: null,
    appendCommitMessageToRunName: true,
  });

  const workItemEntity = (item: { id: number; rev: number; fields: Record<string, unknown> }) => ({
    id: item.id,
    rev: item.rev,
    fields: item.fields,
    _links: {
      self: { href: `${orgBase()}/${projectId}/_apis/wit/workItems/${item.id}` },
      workItemUpdates: { href: `${orgBase()}/${projectId}/_apis/wit/workItems/${item.id}/updates` },
      html: { href: `${orgBase()}/${projectId}/_workitems/edit/${item.id}` },
    },
    url: `${orgBase()}/${projectId}/_apis/wit/workItems/${item.id}`,
  });

  const definitionId = (name: string) => {
    if (!definitions.has(name)) definitions.set(name, definitions.size + 10);
    return definitions.get(name)!;
  };

  return {
    org,
    projectName,
    repoName,
    defaultBranch,
    projectId,
    repositoryId,
    commits,
    refs,
    tagObjects,
    pullRequests,
    statuses,
    builds,
    definitions,
    approvals,
    policies,
    workItems,
    unknownRequests,
    tick,
    orgBase,
    identity,
    repoUrl,
    webRepoUrl,
    projectRef,
    addCommit,
    ancestors,
    peel,
    resolveVersion,
    gitUserDate,
    commitRef,
    tagEntity,
    prEntity,
    vssError,
    wrapped,
    tokenPage,
    skipPage,
    buildEntity,
    workItemEntity,
    definitionId,
    /** The next id of a status, build or policy. */
    nextId: () => ++ids,
    /** The emulator's clock, as an ISO date. */
    now: () => new Date(clock).toISOString(),
    /** The emulator's origin, once it listens. */
    get base() {
      return base;
    },
    set base(value: string) {
      base = value;
    },
  };
}

/** The emulated organization, as route handlers and seeding helpers share it. */
export type AzureState = ReturnType<typeof createAzureState>;
