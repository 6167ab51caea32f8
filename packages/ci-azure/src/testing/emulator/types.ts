// The Azure DevOps emulator's public types: what it stores, what it records, how to drive it.

import type { EmulatorRecordedRequest, InjectedFault } from "@shipgate/core/testing/emulator";

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
export type AzureFault = InjectedFault;

/** A request the emulator received. */
export type AzureRecordedRequest = EmulatorRecordedRequest;

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
