import { type GitLabState, sha1 } from "./state.js";
import type { GitLabEmulator } from "./types.js";

/** The emulator's seeding methods: commits, branches, tags, merge requests, CI and deployments. */
export function gitLabSeeding(
  s: GitLabState,
): Pick<
  GitLabEmulator,
  | "commit"
  | "setBranch"
  | "branchHead"
  | "tag"
  | "mergeRequest"
  | "pipeline"
  | "status"
  | "deployment"
> {
  const {
    addCommit,
    branches,
    defaultBranch,
    deployments,
    environments,
    mergeRequest,
    nextId,
    pipelines,
    projectId,
    projectWeb,
    statuses,
    tags,
    tick,
    userEntity,
  } = s;
  return {
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
      const id = nextId();
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
      const id = nextId();
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
      const id = nextId();
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
  };
}
