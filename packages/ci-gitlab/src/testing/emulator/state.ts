import { createHash } from "node:crypto";
import { reachableCommits } from "@shipgate/core/testing/emulator";
import type {
  EmulatedCommit,
  EmulatedMergeRequest,
  GitLabEmulator,
  GitLabEmulatorOptions,
} from "./types.js";

/** A SHA-1 hex digest: ids of emulated commits and tags. */
export const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");

/**
 * The emulated project: a real commit graph, tags, merge requests, pipelines, statuses,
 * deployments and issues, and how each looks on the wire.
 */
export function createGitLabState(options: GitLabEmulatorOptions) {
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

  const ancestors = (start: string) => reachableCommits(start, (id) => commits.get(id)?.parents);

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

  return {
    projectId,
    projectPath,
    defaultBranch,
    pagination,
    graphqlMaxNodes,
    commits,
    branches,
    tags,
    mergeRequests,
    pipelines,
    statuses,
    deployments,
    environments,
    issues,
    unknownRequests,
    tick,
    projectWeb,
    userEntity,
    addCommit,
    resolveRef,
    ancestors,
    commitEntity,
    tagEntity,
    mrEntity,
    mergeRequest,
    deploymentEntity,
    /** The next id of a pipeline, status or deployment. */
    nextId: () => ++ids,
    /** The emulator's origin, once it listens. */
    get base() {
      return base;
    },
    set base(value: string) {
      base = value;
    },
  };
}

/** The emulated project, as route handlers and seeding helpers share it. */
export type GitLabState = ReturnType<typeof createGitLabState>;
