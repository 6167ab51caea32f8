import type {
  EmulatedCheckRun,
  EmulatedCommit,
  EmulatedIssue,
  EmulatedRepository,
  EmulatedStatus,
  EmulatedTagObject,
  EmulatedWorkflowRun,
} from "./github-emulator-state.js";

/** The `verification` of an unsigned commit or tag: what the emulator serves for every one. */
function unsignedVerification() {
  return { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null };
}

/**
 * Builds REST payloads in GitHub's wire format (field names, nesting and required fields as
 * in the api.github.com OpenAPI description). `api` is the REST base URL, `web` the web base.
 */
export class GitHubPayloads {
  constructor(
    private readonly repo: EmulatedRepository,
    private readonly api: string,
    private readonly web: string,
  ) {}

  get repoApi(): string {
    return `${this.api}/repos/${this.repo.owner}/${this.repo.name}`;
  }

  get repoWeb(): string {
    return `${this.web}/${this.repo.owner}/${this.repo.name}`;
  }

  nodeId(kind: string, id: number | string): string {
    return Buffer.from(`${kind}:${id}`).toString("base64");
  }

  /** `simple-user`. */
  user(login: string): Record<string, unknown> {
    const id = this.repo.userId(login);
    const u = `${this.api}/users/${login}`;
    return {
      login,
      id,
      node_id: this.nodeId("User", id),
      avatar_url: `${this.web}/avatars/u/${id}?v=4`,
      gravatar_id: "",
      url: u,
      html_url: `${this.web}/${login}`,
      followers_url: `${u}/followers`,
      following_url: `${u}/following{/other_user}`,
      gists_url: `${u}/gists{/gist_id}`,
      starred_url: `${u}/starred{/owner}{/repo}`,
      subscriptions_url: `${u}/subscriptions`,
      organizations_url: `${u}/orgs`,
      repos_url: `${u}/repos`,
      events_url: `${u}/events{/privacy}`,
      received_events_url: `${u}/received_events`,
      type: "User",
      user_view_type: "public",
      site_admin: false,
    };
  }

  /** `minimal-repository`. */
  minimalRepository(): Record<string, unknown> {
    const r = this.repoApi;
    const templated: [string, string][] = [
      ["archive_url", "/{archive_format}{/ref}"],
      ["assignees_url", "/assignees{/user}"],
      ["blobs_url", "/git/blobs{/sha}"],
      ["branches_url", "/branches{/branch}"],
      ["collaborators_url", "/collaborators{/collaborator}"],
      ["comments_url", "/comments{/number}"],
      ["commits_url", "/commits{/sha}"],
      ["compare_url", "/compare/{base}...{head}"],
      ["contents_url", "/contents/{+path}"],
      ["contributors_url", "/contributors"],
      ["deployments_url", "/deployments"],
      ["downloads_url", "/downloads"],
      ["events_url", "/events"],
      ["forks_url", "/forks"],
      ["git_commits_url", "/git/commits{/sha}"],
      ["git_refs_url", "/git/refs{/sha}"],
      ["git_tags_url", "/git/tags{/sha}"],
      ["hooks_url", "/hooks"],
      ["issue_comment_url", "/issues/comments{/number}"],
      ["issue_events_url", "/issues/events{/number}"],
      ["issues_url", "/issues{/number}"],
      ["keys_url", "/keys{/key_id}"],
      ["labels_url", "/labels{/name}"],
      ["languages_url", "/languages"],
      ["merges_url", "/merges"],
      ["milestones_url", "/milestones{/number}"],
      ["notifications_url", "/notifications{?since,all,participating}"],
      ["pulls_url", "/pulls{/number}"],
      ["releases_url", "/releases{/id}"],
      ["stargazers_url", "/stargazers"],
      ["statuses_url", "/statuses/{sha}"],
      ["subscribers_url", "/subscribers"],
      ["subscription_url", "/subscription"],
      ["tags_url", "/tags"],
      ["teams_url", "/teams"],
      ["trees_url", "/git/trees{/sha}"],
    ];
    return {
      id: 1296269,
      node_id: this.nodeId("Repository", 1296269),
      name: this.repo.name,
      full_name: `${this.repo.owner}/${this.repo.name}`,
      owner: this.user(this.repo.owner),
      private: true,
      html_url: this.repoWeb,
      description: null,
      fork: false,
      url: r,
      ...Object.fromEntries(templated.map(([key, suffix]) => [key, `${r}${suffix}`])),
    };
  }

  gitUser(login: string, date: string): Record<string, unknown> {
    return { name: login, email: `${login}@users.noreply.example.com`, date };
  }

  /** `commit`; `withFiles` for the single-commit endpoint. */
  commit(c: EmulatedCommit, withFiles = false): Record<string, unknown> {
    const body: Record<string, unknown> = {
      url: `${this.repoApi}/commits/${c.sha}`,
      sha: c.sha,
      node_id: this.nodeId("Commit", c.sha),
      html_url: `${this.repoWeb}/commit/${c.sha}`,
      comments_url: `${this.repoApi}/commits/${c.sha}/comments`,
      commit: {
        url: `${this.repoApi}/git/commits/${c.sha}`,
        author: this.gitUser(c.author, c.date),
        committer: this.gitUser(c.author, c.date),
        message: c.message,
        comment_count: 0,
        tree: { sha: c.sha.split("").reverse().join(""), url: `${this.repoApi}/git/trees/x` },
        verification: unsignedVerification(),
      },
      author: this.user(c.author),
      committer: this.user(c.author),
      parents: c.parents.map((p) => ({
        sha: p,
        url: `${this.repoApi}/commits/${p}`,
        html_url: `${this.repoWeb}/commit/${p}`,
      })),
    };
    if (withFiles) {
      body.stats = { additions: c.files.length, deletions: 0, total: c.files.length };
      body.files = c.files.map((f) => this.diffEntry(f, c.sha));
    }
    return body;
  }

  /** `diff-entry`. */
  diffEntry(filename: string, sha: string): Record<string, unknown> {
    return {
      sha,
      filename,
      status: "modified",
      additions: 1,
      deletions: 0,
      changes: 1,
      blob_url: `${this.repoWeb}/blob/${sha}/${encodeURI(filename)}`,
      raw_url: `${this.repoWeb}/raw/${sha}/${encodeURI(filename)}`,
      contents_url: `${this.repoApi}/contents/${encodeURI(filename)}?ref=${sha}`,
      patch: "@@ -1 +1 @@\n-old\n+new",
    };
  }

  /** `check-run`. */
  checkRun(run: EmulatedCheckRun): Record<string, unknown> {
    return {
      id: run.id,
      head_sha: run.headSha,
      node_id: this.nodeId("CheckRun", run.id),
      external_id: "",
      url: `${this.repoApi}/check-runs/${run.id}`,
      html_url: `${this.repoWeb}/runs/${run.id}`,
      details_url: `${this.repoWeb}/actions/runs/${run.id}/job/${run.id}`,
      status: run.status,
      conclusion: run.conclusion,
      started_at: run.startedAt,
      completed_at: run.completedAt,
      output: {
        title: null,
        summary: null,
        text: null,
        annotations_count: 0,
        annotations_url: `${this.repoApi}/check-runs/${run.id}/annotations`,
      },
      name: run.name,
      check_suite: { id: run.id + 1 },
      app: this.app(run.appId),
      pull_requests: [],
    };
  }

  /** `integration` (the app behind a check run). */
  app(id: number): Record<string, unknown> {
    return {
      id,
      slug: "github-actions",
      node_id: this.nodeId("App", id),
      owner: this.user("github"),
      name: "GitHub Actions",
      description: "Automate your workflow from idea to production",
      external_url: `${this.web}/features/actions`,
      html_url: `${this.web}/apps/github-actions`,
      created_at: "2018-07-30T09:30:17Z",
      updated_at: "2024-04-10T20:33:16Z",
      permissions: { checks: "write", contents: "write", metadata: "read" },
      events: ["check_run", "push"],
    };
  }

  /** `simple-commit-status`. */
  status(s: EmulatedStatus): Record<string, unknown> {
    return {
      url: `${this.repoApi}/statuses/${s.sha}`,
      avatar_url: `${this.web}/avatars/u/1?v=4`,
      id: s.id,
      node_id: this.nodeId("StatusContext", s.id),
      state: s.state,
      description: s.description,
      target_url: s.targetUrl,
      context: s.context,
      created_at: s.createdAt,
      updated_at: s.createdAt,
    };
  }

  /** `combined-commit-status`. */
  combinedStatus(sha: string, latest: EmulatedStatus[], page: EmulatedStatus[]) {
    const states = latest.map((s) => s.state);
    const state =
      states.includes("error") || states.includes("failure")
        ? "failure"
        : states.length === 0 || states.includes("pending")
          ? "pending"
          : "success";
    return {
      state,
      statuses: page.map((s) => this.status(s)),
      sha,
      total_count: latest.length,
      repository: this.minimalRepository(),
      commit_url: `${this.repoApi}/commits/${sha}`,
      url: `${this.repoApi}/commits/${sha}/status`,
    };
  }

  /** `git-ref`. */
  gitRef(ref: string, sha: string): Record<string, unknown> {
    const type = this.repo.tagObjects.has(sha) ? "tag" : "commit";
    return {
      ref,
      node_id: this.nodeId("Ref", ref),
      url: `${this.repoApi}/git/${ref}`,
      object: {
        type,
        sha,
        url: `${this.repoApi}/git/${type === "tag" ? "tags" : "commits"}/${sha}`,
      },
    };
  }

  /** `git-tag`. */
  gitTag(t: EmulatedTagObject): Record<string, unknown> {
    return {
      node_id: this.nodeId("Tag", t.sha),
      tag: t.tag,
      sha: t.sha,
      url: `${this.repoApi}/git/tags/${t.sha}`,
      message: t.message,
      tagger: { date: t.taggerDate, email: t.taggerEmail, name: t.taggerName },
      object: {
        sha: t.objectSha,
        type: t.objectType,
        url: `${this.repoApi}/git/${t.objectType === "tag" ? "tags" : "commits"}/${t.objectSha}`,
      },
      verification: unsignedVerification(),
    };
  }

  /** `branch-protection` with only required status checks set. */
  protection(branch: string): Record<string, unknown> | undefined {
    const p = this.repo.protection.get(branch);
    if (!p) return undefined;
    const url = `${this.repoApi}/branches/${branch}/protection`;
    return {
      url,
      required_status_checks: {
        url: `${url}/required_status_checks`,
        strict: p.strict,
        contexts: p.contexts,
        contexts_url: `${url}/required_status_checks/contexts`,
        checks: p.checks,
      },
      enforce_admins: { url: `${url}/enforce_admins`, enabled: false },
      required_linear_history: { enabled: false },
      allow_force_pushes: { enabled: false },
      allow_deletions: { enabled: false },
      block_creations: { enabled: false },
      required_conversation_resolution: { enabled: false },
    };
  }

  /** `issue`. */
  issue(i: EmulatedIssue): Record<string, unknown> {
    const url = `${this.repoApi}/issues/${i.number}`;
    return {
      id: i.id,
      node_id: this.nodeId("Issue", i.id),
      url,
      repository_url: this.repoApi,
      labels_url: `${url}/labels{/name}`,
      comments_url: `${url}/comments`,
      events_url: `${url}/events`,
      html_url: `${this.repoWeb}/issues/${i.number}`,
      number: i.number,
      state: i.state,
      state_reason: i.stateReason,
      title: i.title,
      body: i.body,
      user: this.user(i.author),
      labels: i.labels.map((name, index) => ({
        id: 7000 + index,
        node_id: this.nodeId("Label", name),
        url: `${this.repoApi}/labels/${encodeURIComponent(name)}`,
        name,
        description: null,
        color: "d73a4a",
        default: false,
      })),
      assignee: null,
      assignees: [],
      milestone: null,
      locked: false,
      active_lock_reason: null,
      comments: i.comments.length,
      closed_at: i.closedAt,
      created_at: i.createdAt,
      updated_at: i.updatedAt,
      author_association: "MEMBER",
    };
  }

  /** `issue-comment`. */
  issueComment(
    issue: EmulatedIssue,
    c: EmulatedIssue["comments"][number],
  ): Record<string, unknown> {
    return {
      id: c.id,
      node_id: this.nodeId("IssueComment", c.id),
      url: `${this.repoApi}/issues/comments/${c.id}`,
      html_url: `${this.repoWeb}/issues/${issue.number}#issuecomment-${c.id}`,
      body: c.body,
      user: this.user(c.author),
      created_at: c.createdAt,
      updated_at: c.createdAt,
      issue_url: `${this.repoApi}/issues/${issue.number}`,
      author_association: "MEMBER",
    };
  }

  /** `workflow-run`. */
  workflowRun(run: EmulatedWorkflowRun): Record<string, unknown> {
    const url = `${this.repoApi}/actions/runs/${run.id}`;
    const head = this.repo.commits.get(run.headSha);
    return {
      id: run.id,
      name: run.name,
      node_id: this.nodeId("WorkflowRun", run.id),
      head_branch: run.headBranch,
      head_sha: run.headSha,
      path: `.github/workflows/${run.name}.yml`,
      display_title: run.name,
      run_number: run.id - 1000,
      event: "push",
      status: run.status,
      conclusion: run.conclusion,
      workflow_id: 161335,
      url,
      html_url: `${this.repoWeb}/actions/runs/${run.id}`,
      pull_requests: [],
      created_at: run.createdAt,
      updated_at: run.updatedAt,
      jobs_url: `${url}/jobs`,
      logs_url: `${url}/logs`,
      check_suite_url: `${this.repoApi}/check-suites/${run.id + 1}`,
      artifacts_url: `${url}/artifacts`,
      cancel_url: `${url}/cancel`,
      rerun_url: `${url}/rerun`,
      workflow_url: `${this.repoApi}/actions/workflows/161335`,
      head_commit: head
        ? {
            id: head.sha,
            tree_id: head.sha.split("").reverse().join(""),
            message: head.message,
            timestamp: head.date,
            author: { name: head.author, email: `${head.author}@users.noreply.example.com` },
            committer: { name: head.author, email: `${head.author}@users.noreply.example.com` },
          }
        : null,
      repository: this.minimalRepository(),
      head_repository: this.minimalRepository(),
    };
  }

  /** `environment-approvals`. */
  environmentApproval(
    approval: EmulatedWorkflowRun["approvals"][number],
    index: number,
  ): Record<string, unknown> {
    return {
      environments: approval.environments.map((name, i) => ({
        id: 56780428 + index * 10 + i,
        node_id: this.nodeId("Environment", name),
        name,
        url: `${this.repoApi}/environments/${encodeURIComponent(name)}`,
        html_url: `${this.repoWeb}/deployments/activity_log?environments_filter=${encodeURIComponent(name)}`,
        created_at: "2025-11-23T22:00:40Z",
        updated_at: "2025-11-23T22:00:40Z",
      })),
      state: approval.state,
      user: this.user(approval.user),
      comment: approval.comment,
    };
  }
}
