import {
  type CiReleaseScenarioFacts,
  releaseScenarioFacts,
  type SeededProviderPerTestOptions,
  seededProvider,
  seededProviderPerTest,
} from "@shipgate/core/testing";
import { type CreateGitLabProviderOptions, createGitLabProvider } from "../gitlab-provider.js";
import { type GitLabEmulator, startGitLabEmulator } from "./gitlab-emulator.js";

/** The facts of {@link seedGitLabReleaseScenario}, for assertions. */
export interface GitLabReleaseScenario extends CiReleaseScenarioFacts {
  /** A lightweight tag. */
  lightweightTag: { name: string; sha: string };
}

/** Call options whose signal never fires, for calls a test lets run to the end. */
export function live(): { signal: AbortSignal } {
  return { signal: new AbortController().signal };
}

/**
 * Seeds an emulator with a small, realistic release: one merge request before the previous
 * tag, three after it (merge commit, squash, fast-forward), one into another branch, a
 * feature branch never merged, pipelines and statuses for green/red/pending commits, and a
 * blocked production deployment with approvals.
 */
export function seedGitLabReleaseScenario(gl: GitLabEmulator): GitLabReleaseScenario {
  const releaseBranch = "main";
  gl.commit({ branch: releaseBranch, title: "Initial commit" });
  gl.mergeRequest({
    title: "chore: set up CI",
    author: "erin",
    approvers: ["bob"],
    files: [".gitlab-ci.yml"],
  });
  const previous = gl.branchHead(releaseBranch)!;
  gl.tag("v1.0.0", previous, "Release v1.0.0");
  gl.tag("v1.0.0-light", previous);

  gl.mergeRequest({
    title: "feat(api): add bulk export endpoint",
    author: "alice",
    labels: ["enhancement"],
    approvers: ["bob", "carol"],
    files: ["src/api/export.ts", "src/db/query.ts"],
    // A comment long after the merge moves updated_at; the change must still be found.
    updatedAfterMergeMinutes: 60 * 24 * 30,
  });
  gl.mergeRequest({
    title: "fix(cart)!: change total rounding",
    author: "carol",
    labels: ["bug", "breaking"],
    approvers: ["alice"],
    files: ["src/cart/total.ts"],
    strategy: "squash",
  });
  gl.mergeRequest({
    title: "docs: readme",
    author: "dave",
    files: ["README.md"],
    strategy: "fast-forward",
  });

  // A merge request into another branch is not part of this release.
  gl.commit({ branch: "develop", parents: [previous], title: "develop base" });
  gl.mergeRequest({ title: "experiment", author: "frank", targetBranch: "develop" });

  const offBranchSha = gl.commit({
    branch: "feature/never-merged",
    parents: [previous],
    title: "wip",
  });
  const toSha = gl.branchHead(releaseBranch)!;

  const greenSha = toSha;
  gl.pipeline({ sha: greenSha, status: "success" });
  gl.status({ sha: greenSha, name: "unit", status: "success" });
  gl.status({ sha: greenSha, name: "lint", status: "success" });
  gl.status({ sha: greenSha, name: "flaky-e2e", status: "success", allowFailure: true });

  const redSha = previous;
  gl.pipeline({ sha: redSha, status: "failed" });
  gl.status({ sha: redSha, name: "unit", status: "failed" });

  const pendingSha = offBranchSha;
  gl.pipeline({ sha: pendingSha, ref: "feature/never-merged", status: "running" });
  gl.status({ sha: pendingSha, name: "unit", status: "running", ref: "feature/never-merged" });
  gl.status({ sha: pendingSha, name: "lint", status: "pending", ref: "feature/never-merged" });

  gl.deployment({
    sha: toSha,
    environment: "production",
    approvals: [
      { username: "olivia", status: "approved", comment: "LGTM" },
      { username: "mallory", status: "rejected", comment: "not on a Friday" },
      { username: "trent", status: "approved" },
    ],
  });
  // An older deployment of another sha, with its own approvals: not this release's.
  gl.deployment({
    sha: previous,
    environment: "production",
    status: "success",
    approvals: [{ username: "zoe", status: "approved" }],
  });

  return releaseScenarioFacts({
    releaseBranch,
    previous,
    toSha,
    offBranchSha,
    greenSha,
    redSha,
    pendingSha,
  });
}

/** The options that reach `gl` (its project, token and URL); `extra` adds to or replaces them. */
export function gitLabProviderOptions(
  gl: GitLabEmulator,
  extra: Partial<CreateGitLabProviderOptions> = {},
): CreateGitLabProviderOptions {
  return { project: gl.projectPath, token: gl.token, baseUrl: gl.url, ...extra };
}

/**
 * Seeds `gl` with {@link seedGitLabReleaseScenario} and creates a provider over it; `extra`
 * (given the scenario) adds to or replaces the options.
 */
export function seededGitLabProvider(
  gl: GitLabEmulator,
  extra:
    | Partial<CreateGitLabProviderOptions>
    | ((s: GitLabReleaseScenario) => Partial<CreateGitLabProviderOptions>) = {},
) {
  return seededProvider(
    () => seedGitLabReleaseScenario(gl),
    (o) => gitLabProviderOptions(gl, o),
    createGitLabProvider,
    extra,
  );
}

/**
 * Gives each test of the calling file its own emulator, seeded with
 * {@link seedGitLabReleaseScenario}, and a provider over it created with `defaults` and then the
 * test's own options (their `transport` settings merged); closed after the test. Call at the
 * top of a test file.
 */
export function seededGitLabProviderPerTest(
  defaults: Partial<CreateGitLabProviderOptions> = {},
  options: SeededProviderPerTestOptions<
    GitLabReleaseScenario,
    ReturnType<typeof createGitLabProvider>
  > = {},
) {
  return seededProviderPerTest(
    startGitLabEmulator,
    (gl: GitLabEmulator, extra: Partial<CreateGitLabProviderOptions>) =>
      seededGitLabProvider(gl, {
        ...defaults,
        ...extra,
        transport: { ...defaults.transport, ...extra.transport },
      }),
    options,
  );
}
