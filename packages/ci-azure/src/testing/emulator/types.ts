// The Azure DevOps emulator's public types: what it stores, what it records, how to drive it.

/** A commit of the emulated repository. */
export interface Commit {
  id: string;
  parents: string[];
  comment: string;
  author: string;
  date: string;
  seq: number;
  files: string[];
}

/** A pull request as stored by the emulator. */
export interface EmulatedPullRequest {
  pullRequestId: number;
  title: string;
  author: string;
  reviewers: { uniqueName: string; vote: number; isContainer?: boolean }[];
  labels: string[];
  status: "completed" | "active" | "abandoned";
  targetRefName: string;
  sourceRefName: string;
  creationDate: string;
  closedDate: string | null;
  lastMergeCommit: string;
  files: string[];
}

/** An injected failure for the next `times` matching requests. */
export interface AzureFault {
  method?: string;
  /** Matched against the path and query, e.g. `/acme/shop/_apis/build/builds?…`. */
  path: RegExp;
  times?: number;
  respond:
    | { status: number; headers?: Record<string, string>; body?: unknown }
    | { hangMs: number }
    | { destroy: true }
    | { rawBody: string; status?: number }
    /** Answer normally, adding these headers (e.g. Retry-After on a 200: soft throttling). */
    | { extraHeaders: Record<string, string> };
}

/** A request the emulator received. */
export interface AzureRecordedRequest {
  method: string;
  url: string;
  /** The documented route it matched, or null. */
  route: string | null;
  /** HTTP status sent; -1 connection dropped by a fault, -2 the client closed it while the emulator hung. */
  status: number;
  authorized: boolean;
}

/** Options of {@link startAzureDevOpsEmulator}. */
export interface AzureDevOpsEmulatorOptions {
  token?: string;
  organization?: string;
  project?: string;
  repository?: string;
  defaultBranch?: string;
  /** Largest `$top` the list endpoints accept. Default 1000. */
  maxPageSize?: number;
  onUnknownRequest?: (line: string) => void;
}

/** A running emulator. */
export interface AzureDevOpsEmulator {
  /** `http://127.0.0.1:<port>/<organization>`: pass as org_url. */
  readonly orgUrl: string;
  readonly token: string;
  readonly project: string;
  readonly repository: string;
  readonly repositoryId: string;
  readonly requests: AzureRecordedRequest[];
  readonly responses: { route: string; body: unknown }[];
  readonly unknownRequests: string[];
  readonly workItems: Map<number, { id: number; rev: number; fields: Record<string, unknown> }>;
  commit(input?: {
    parents?: string[];
    branch?: string;
    comment?: string;
    author?: string;
    files?: string[];
  }): string;
  branchHead(name: string): string | undefined;
  /** A tag; annotated when `message` is given. */
  tag(name: string, sha: string, message?: string): void;
  /** Completes a pull request into `targetBranch` (default: the default branch) with a merge (or squash) commit. */
  pullRequest(input: {
    title: string;
    author?: string;
    approvers?: string[];
    otherReviewers?: { uniqueName: string; vote: number; isContainer?: boolean }[];
    labels?: string[];
    files?: string[];
    targetBranch?: string;
    squash?: boolean;
  }): EmulatedPullRequest;
  status(input: {
    sha: string;
    name: string;
    genre?: string;
    state: string;
    targetUrl?: string;
  }): number;
  build(input: {
    sha: string;
    definition: string;
    status: string;
    result?: string;
    branch?: string;
    /** Stages of the run; each may wait on an approval with these steps. */
    stages?: {
      name: string;
      approval?: {
        status: string;
        steps: { approver: string; status: string; comment?: string }[];
      };
    }[];
  }): number;
  policy(input: {
    buildDefinition?: string;
    statusName?: string;
    statusGenre?: string;
    isBlocking: boolean;
    branch?: string;
  }): number;
  fail(fault: AzureFault): void;
  resetLog(): void;
  close(): Promise<void>;
}
