import {
  type CreateGitHubProviderOptions,
  createGitHubProvider,
  type GitHubProvider,
} from "../github-provider.js";
import { type GitHubEmulator, startGitHubEmulator } from "./github-emulator.js";

/** An obviously fake token; the emulator accepts only this one. */
export const TEST_TOKEN = "test-token-not-real-0123456789";

/** Tiny waits (rate limits, retries, write spacing) for tests that build their own provider. */
export const FAST_TIMING = {
  rateLimitSecondMs: 1,
  retryBaseMs: 1,
  writeIntervalMs: 0,
  notificationIntervalMs: 0,
} as const;

/** The seeded repository of the tests, and the facts about it the tests assert. */
export interface GitHubScenario {
  gh: GitHubEmulator;
  root: string;
  /** Squash-merged #2 (alice; approved by bob). Checks: `test` failed. */
  featSha: string;
  /** Merge-committed #3 (carol; 3 commits; approved by alice and dave). Checks all green. */
  fixSha: string;
  /** Rebase-merged #4 (erin; 2 commits; only a comment review). Checks still running. */
  docsSha: string;
  /** Head of `experiment`, branched off after #2. */
  offBranchSha: string;
  /** A commit that was never pushed. */
  missingSha: string;
  /** Lines written to the provider's log. */
  logs: string[];
  provider(overrides?: Partial<CreateGitHubProviderOptions>): GitHubProvider;
  close(): Promise<void>;
}

/**
 * Seeds a small repository — an annotated `v1.0.0`, three pull requests merged by squash,
 * merge commit and rebase, checks and statuses in three states, branch protection — and
 * returns a provider factory pointed at the emulator with tiny waits.
 */
export async function startGitHubScenario(): Promise<GitHubScenario> {
  const gh = await startGitHubEmulator({ validateResponses: true, acceptToken: TEST_TOKEN });
  const r = gh.repository;
  const root = r.push("main", { message: "initial commit", files: ["README.md"] });
  r.tag("v1.0.0", root, { annotated: true, message: "Release v1.0.0\n" });
  r.tag("v0.9.0-light", root, { annotated: false });
  r.number(); // #1 is an old issue, as in most repositories.
  const feat = r.mergePullRequest({
    title: "feat(api): add bulk export endpoint",
    author: "alice",
    labels: ["enhancement"],
    reviews: [{ user: "bob" }],
    files: ["src/api/export.ts", "src/db/query.ts"],
  });
  const offBranchSha = r.commit({ parents: [feat.mergeSha], message: "experiment" });
  r.setBranch("experiment", offBranchSha);
  const fix = r.mergePullRequest({
    title: "fix(cart)!: change total rounding",
    author: "carol",
    reviews: [{ user: "alice" }, { user: "dave", state: "CHANGES_REQUESTED" }, { user: "dave" }],
    files: ["src/cart/total.ts"],
    method: "merge",
    commits: 3,
  });
  const docs = r.mergePullRequest({
    title: "Update README",
    author: "erin",
    labels: ["documentation"],
    reviews: [{ user: "bob", state: "COMMENTED" }],
    files: ["README.md"],
    method: "rebase",
    commits: 2,
  });

  r.addCheckRun(feat.mergeSha, { name: "build" });
  r.addCheckRun(feat.mergeSha, { name: "test", conclusion: "failure" });
  r.addCheckRun(fix.mergeSha, { name: "build" });
  r.addCheckRun(fix.mergeSha, { name: "test", conclusion: "failure" });
  r.addCheckRun(fix.mergeSha, { name: "test" }); // a re-run that passed
  r.addStatus(fix.mergeSha, { context: "ci/lint", state: "pending" });
  r.addStatus(fix.mergeSha, {
    context: "ci/lint",
    state: "success",
    targetUrl: "https://ci.example.com/lint/1",
  });
  r.addCheckRun(docs.mergeSha, { name: "build", status: "in_progress" });
  r.addStatus(docs.mergeSha, { context: "ci/lint", state: "pending" });
  r.protect("main", ["build", "test"]);

  r.addWorkflowRun({
    headSha: fix.mergeSha,
    name: "deploy",
    approvals: [
      { user: "erin", state: "approved", comment: "go", environments: ["production"] },
      { user: "frank", state: "rejected", comment: "no", environments: ["production"] },
      { user: "gina", state: "approved", comment: "", environments: ["staging"] },
    ],
  });

  const logs: string[] = [];
  return {
    gh,
    root,
    featSha: feat.mergeSha,
    fixSha: fix.mergeSha,
    docsSha: docs.mergeSha,
    offBranchSha,
    missingSha: "0123456789abcdef0123456789abcdef01234567",
    logs,
    provider(overrides = {}) {
      return createGitHubProvider({
        owner: "acme",
        repo: "shop",
        token: TEST_TOKEN,
        tokenEnv: "GITHUB_TOKEN",
        baseUrl: gh.url,
        requestTimeoutMs: 2_000,
        log: { warn: (m) => logs.push(m), debug: (m) => logs.push(m) },
        timing: FAST_TIMING,
        ...overrides,
      });
    },
    close: () => gh.close(),
  };
}

/**
 * {@link startGitHubScenario} for a test file shared by its tests: `reset()` clears injected
 * faults and the request log, and `close()` fails when the emulator answered outside
 * GitHub's published contract.
 */
export async function startContractCheckedGitHubScenario(): Promise<
  GitHubScenario & { reset(): void }
> {
  const s = await startGitHubScenario();
  return {
    ...s,
    reset() {
      s.gh.clearFaults();
      s.gh.requests.length = 0;
    },
    async close() {
      await s.close();
      if (s.gh.specViolations.length > 0)
        throw new Error(`answers outside GitHub's contract:\n${s.gh.specViolations.join("\n")}`);
    },
  };
}
