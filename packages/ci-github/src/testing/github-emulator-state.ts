import { createHash } from "node:crypto";
import { reachableCommits } from "@shipgate/core/testing/emulator";

/** A commit in the emulated repository. */
export interface EmulatedCommit {
  sha: string;
  parents: string[];
  message: string;
  author: string;
  /** ISO 8601, second precision like git. */
  date: string;
  files: string[];
  /** Creation order; breaks ties between commits with the same date. */
  seq: number;
}

/** A review on an emulated pull request. */
export interface EmulatedReview {
  id: number;
  user: string;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED";
  submittedAt: string;
  body: string;
}

/** An emulated pull request. */
export interface EmulatedPullRequest {
  number: number;
  nodeId: string;
  title: string;
  author: string;
  labels: string[];
  reviews: EmulatedReview[];
  files: string[];
  baseRef: string;
  state: "OPEN" | "CLOSED" | "MERGED";
  mergedAt: string | null;
  mergeCommitSha: string | null;
  /** Every commit GitHub associates with the PR (its own commits and what landed it). */
  commits: string[];
  createdAt: string;
}

/** A check run as the Checks API stores it. */
export interface EmulatedCheckRun {
  id: number;
  headSha: string;
  name: string;
  status: "queued" | "in_progress" | "completed" | "waiting" | "requested" | "pending";
  conclusion:
    | "success"
    | "failure"
    | "neutral"
    | "cancelled"
    | "skipped"
    | "timed_out"
    | "action_required"
    | null;
  startedAt: string | null;
  completedAt: string | null;
  appId: number;
}

/** A commit status (the older Statuses API). */
export interface EmulatedStatus {
  id: number;
  sha: string;
  context: string;
  state: "error" | "failure" | "pending" | "success";
  targetUrl: string | null;
  description: string | null;
  createdAt: string;
}

/** An annotated tag object. */
export interface EmulatedTagObject {
  sha: string;
  tag: string;
  message: string;
  objectSha: string;
  objectType: "commit" | "tag";
  taggerName: string;
  taggerEmail: string;
  taggerDate: string;
}

/** An issue and its comments. */
export interface EmulatedIssue {
  number: number;
  id: number;
  title: string;
  body: string | null;
  labels: string[];
  state: "open" | "closed";
  stateReason: "completed" | "reopened" | "not_planned" | null;
  author: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  comments: { id: number; body: string; author: string; createdAt: string }[];
}

/** An Actions workflow run and the environment reviews given on it. */
export interface EmulatedWorkflowRun {
  id: number;
  name: string;
  headSha: string;
  headBranch: string;
  status: "completed" | "in_progress" | "waiting" | "queued";
  conclusion: string | null;
  createdAt: string;
  updatedAt: string;
  approvals: {
    user: string;
    state: "approved" | "rejected" | "pending";
    comment: string;
    environments: string[];
  }[];
}

/** Required status checks of a protected branch. */
export interface EmulatedProtection {
  contexts: string[];
  checks: { context: string; app_id: number | null }[];
  strict: boolean;
}

/**
 * The emulated repository: a commit graph with refs, and the GitHub objects around it.
 * Pure data and seeding helpers; HTTP lives in the emulator server.
 */
export class EmulatedRepository {
  readonly commits = new Map<string, EmulatedCommit>();
  /** Full ref name (`refs/heads/main`, `refs/tags/v1`) → object sha (commit or tag object). */
  readonly refs = new Map<string, string>();
  readonly tagObjects = new Map<string, EmulatedTagObject>();
  readonly pullRequests = new Map<number, EmulatedPullRequest>();
  readonly checkRuns: EmulatedCheckRun[] = [];
  readonly statuses: EmulatedStatus[] = [];
  readonly issues = new Map<number, EmulatedIssue>();
  readonly workflowRuns: EmulatedWorkflowRun[] = [];
  /** Branch → protection; a branch missing here is not protected. */
  readonly protection = new Map<string, EmulatedProtection>();
  /** Logins → numeric ids, assigned on first sight. */
  readonly users = new Map<string, number>();

  private clockMs: number;
  private seq = 0;
  private nextId = 1000;
  private nextNumber = 1;

  constructor(
    readonly owner: string,
    readonly name: string,
    startDate = "2026-01-01T00:00:00Z",
  ) {
    this.clockMs = Date.parse(startDate);
  }

  /** Monotonic emulated time, one minute per tick, second precision. */
  tick(minutes = 1): string {
    this.clockMs += minutes * 60_000;
    return new Date(this.clockMs).toISOString().replace(".000Z", "Z");
  }

  id(): number {
    this.nextId += 1;
    return this.nextId;
  }

  /** Issue and pull request numbers share one sequence, as on GitHub. */
  number(): number {
    const n = this.nextNumber;
    this.nextNumber += 1;
    return n;
  }

  userId(login: string): number {
    let id = this.users.get(login);
    if (id === undefined) {
      id = 5000 + this.users.size;
      this.users.set(login, id);
    }
    return id;
  }

  /** Creates a commit object (does not move any branch). `sha` pins it (replayed fixtures). */
  commit(input: {
    sha?: string;
    parents: string[];
    message: string;
    author?: string;
    date?: string;
    files?: string[];
  }): string {
    for (const p of input.parents) {
      if (!this.commits.has(p)) throw new Error(`emulator: unknown parent ${p}`);
    }
    this.seq += 1;
    const date = input.date ?? this.tick();
    const sha =
      input.sha ??
      createHash("sha1")
        .update(`${this.seq}\0${input.message}\0${input.parents.join(",")}\0${date}`)
        .digest("hex");
    this.commits.set(sha, {
      sha,
      parents: [...input.parents],
      message: input.message,
      author: input.author ?? "octocat",
      date,
      files: input.files ?? [],
      seq: this.seq,
    });
    return sha;
  }

  branchHead(branch: string): string | undefined {
    return this.refs.get(`refs/heads/${branch}`);
  }

  setBranch(branch: string, sha: string): void {
    this.refs.set(`refs/heads/${branch}`, sha);
  }

  /** Adds a commit on top of `branch` (creating the branch for a root commit). */
  push(
    branch: string,
    input: { message: string; author?: string; date?: string; files?: string[] },
  ): string {
    const head = this.branchHead(branch);
    const sha = this.commit({ ...input, parents: head ? [head] : [] });
    this.setBranch(branch, sha);
    return sha;
  }

  /** Creates a lightweight or annotated tag. */
  tag(name: string, sha: string, options: { annotated?: boolean; message?: string } = {}): string {
    if (!this.commits.has(sha)) throw new Error(`emulator: unknown commit ${sha}`);
    if (options.annotated === false) {
      this.refs.set(`refs/tags/${name}`, sha);
      return sha;
    }
    const tagSha = this.createTagObject({
      tag: name,
      message: options.message ?? `Release ${name}\n`,
      objectSha: sha,
      objectType: "commit",
    });
    this.refs.set(`refs/tags/${name}`, tagSha);
    return tagSha;
  }

  createTagObject(input: {
    tag: string;
    message: string;
    objectSha: string;
    objectType: "commit" | "tag";
    taggerName?: string;
    taggerEmail?: string;
    taggerDate?: string;
  }): string {
    this.seq += 1;
    const sha = createHash("sha1")
      .update(`tag\0${this.seq}\0${input.tag}\0${input.objectSha}`)
      .digest("hex");
    this.tagObjects.set(sha, {
      sha,
      tag: input.tag,
      message: input.message,
      objectSha: input.objectSha,
      objectType: input.objectType,
      taggerName: input.taggerName ?? "Octo Cat",
      taggerEmail: input.taggerEmail ?? "octocat@example.com",
      taggerDate: input.taggerDate ?? this.tick(0),
    });
    return sha;
  }

  /**
   * Opens and merges a pull request into `base` the way GitHub does for each merge method:
   * `squash` adds one commit on the base branch; `merge` adds the PR's commits plus a merge
   * commit whose second parent is the PR head; `rebase` replays the PR's commits onto the base.
   */
  mergePullRequest(input: {
    title: string;
    author: string;
    base?: string;
    labels?: string[];
    reviews?: { user: string; state?: EmulatedReview["state"]; body?: string }[];
    files?: string[];
    method?: "squash" | "merge" | "rebase";
    commits?: number;
  }): { number: number; mergeSha: string } {
    const base = input.base ?? "main";
    const head = this.branchHead(base);
    if (!head) throw new Error(`emulator: branch ${base} has no commits`);
    const number = this.number();
    const createdAt = this.tick(0);
    const files = input.files ?? [`src/change-${number}.ts`];
    const count = Math.max(1, input.commits ?? 1);
    const method = input.method ?? "squash";
    const prCommits: string[] = [];
    let tip = head;
    for (let i = 0; i < count; i++) {
      tip = this.commit({
        parents: [tip],
        message: `${input.title} (part ${i + 1})`,
        author: input.author,
        files,
      });
      prCommits.push(tip);
    }
    const reviews = (input.reviews ?? []).map((r) => ({
      id: this.id(),
      user: r.user,
      state: r.state ?? ("APPROVED" as const),
      submittedAt: this.tick(0),
      body: r.body ?? "",
    }));
    let mergeSha: string;
    const associated = [...prCommits];
    if (method === "squash") {
      mergeSha = this.commit({
        parents: [head],
        message: `${input.title} (#${number})`,
        author: input.author,
        files,
      });
      associated.push(mergeSha);
    } else if (method === "merge") {
      mergeSha = this.commit({
        parents: [head, tip],
        message: `Merge pull request #${number}\n\n${input.title}`,
        author: input.author,
        files,
      });
      associated.push(mergeSha);
    } else {
      mergeSha = tip;
    }
    this.setBranch(base, mergeSha);
    const mergedAt = this.commits.get(mergeSha)!.date;
    this.pullRequests.set(number, {
      number,
      nodeId: `PR_kwDO${Buffer.from(`${this.owner}/${this.name}#${number}`).toString("base64url")}`,
      title: input.title,
      author: input.author,
      labels: input.labels ?? [],
      reviews,
      files,
      baseRef: base,
      state: "MERGED",
      mergedAt,
      mergeCommitSha: mergeSha,
      commits: associated,
      createdAt,
    });
    return { number, mergeSha };
  }

  addCheckRun(
    sha: string,
    input: {
      name: string;
      status?: EmulatedCheckRun["status"];
      conclusion?: EmulatedCheckRun["conclusion"];
      appId?: number;
    },
  ): EmulatedCheckRun {
    const status = input.status ?? "completed";
    const startedAt = status === "queued" ? null : this.tick(0);
    const run: EmulatedCheckRun = {
      id: this.id(),
      headSha: sha,
      name: input.name,
      status,
      conclusion: status === "completed" ? (input.conclusion ?? "success") : null,
      startedAt,
      completedAt: status === "completed" ? this.tick() : null,
      appId: input.appId ?? 15368,
    };
    this.checkRuns.push(run);
    return run;
  }

  addStatus(
    sha: string,
    input: { context: string; state: EmulatedStatus["state"]; targetUrl?: string | null },
  ): EmulatedStatus {
    const status: EmulatedStatus = {
      id: this.id(),
      sha,
      context: input.context,
      state: input.state,
      targetUrl: input.targetUrl ?? null,
      description: `${input.context} is ${input.state}`,
      createdAt: this.tick(),
    };
    this.statuses.push(status);
    return status;
  }

  protect(branch: string, contexts: string[]): void {
    this.protection.set(branch, {
      contexts,
      checks: contexts.map((context) => ({ context, app_id: null })),
      strict: true,
    });
  }

  addWorkflowRun(input: {
    headSha: string;
    name?: string;
    approvals: EmulatedWorkflowRun["approvals"];
  }): EmulatedWorkflowRun {
    const createdAt = this.tick();
    const run: EmulatedWorkflowRun = {
      id: this.id(),
      name: input.name ?? "deploy",
      headSha: input.headSha,
      headBranch: "main",
      status: "completed",
      conclusion: "success",
      createdAt,
      updatedAt: this.tick(),
      approvals: input.approvals,
    };
    this.workflowRuns.push(run);
    return run;
  }

  /** Resolves a branch, tag (peeled) or full/abbreviated sha to a commit sha. */
  resolveCommit(rev: string): string | undefined {
    const fromRef =
      this.refs.get(`refs/heads/${rev}`) ?? this.refs.get(`refs/tags/${rev}`) ?? this.refs.get(rev);
    if (fromRef) return this.peel(fromRef);
    if (this.commits.has(rev)) return rev;
    if (/^[0-9a-f]{7,39}$/.test(rev)) {
      const matches = [...this.commits.keys()].filter((s) => s.startsWith(rev));
      if (matches.length === 1) return matches[0];
    }
    return undefined;
  }

  /** Follows tag objects down to the commit. */
  peel(sha: string): string | undefined {
    let current = sha;
    for (let depth = 0; depth < 10; depth++) {
      const tag = this.tagObjects.get(current);
      if (!tag) return this.commits.has(current) ? current : undefined;
      current = tag.objectSha;
    }
    return undefined;
  }

  /** Every commit reachable from `sha`, itself included. */
  ancestors(sha: string): Set<string> {
    return reachableCommits(sha, (id) => this.commits.get(id)?.parents);
  }

  /** Commits in chronological order (date, then creation order). */
  chronological(shas: Iterable<string>): EmulatedCommit[] {
    return [...shas]
      .map((s) => this.commits.get(s)!)
      .sort((a, b) => a.date.localeCompare(b.date) || a.seq - b.seq);
  }

  /** Pull requests GitHub associates with a commit. */
  pullRequestsForCommit(sha: string): EmulatedPullRequest[] {
    return [...this.pullRequests.values()].filter((pr) => pr.commits.includes(sha));
  }
}
