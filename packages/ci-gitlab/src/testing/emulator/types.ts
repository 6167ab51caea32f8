// The GitLab emulator's public types: what it stores, what it records, how to drive it.

import type {
  EmulatorRecordedRequest,
  EmulatorRecordedResponse,
  InjectedFault,
} from "@shipgate/core/testing/emulator";

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
export type GitLabFault = InjectedFault;

/** A request the emulator received. */
export type RecordedRequest = EmulatorRecordedRequest;

/** A 2xx JSON answer, kept for contract checks. */
export type RecordedResponse = EmulatorRecordedResponse;

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

/** Starts a GitLab emulator on 127.0.0.1 with a free port. */
