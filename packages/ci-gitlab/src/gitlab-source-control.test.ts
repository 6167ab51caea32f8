import type { ShipgateError } from "@shipgate/core";
import {
  itChecksReleaseScenarioSourceControl,
  itListsReleaseScenarioChanges,
  startedPerTest,
} from "@shipgate/core/testing";
import { describe, expect, it } from "vitest";
import { type CreateGitLabProviderOptions, createGitLabProvider } from "./gitlab-provider.js";
import { type GitLabEmulator, startGitLabEmulator } from "./testing/gitlab-emulator.js";
import {
  gitLabProviderOptions,
  live,
  seededGitLabProviderPerTest,
  seedGitLabReleaseScenario,
} from "./testing/gitlab-test-scenario.js";

const start = startedPerTest(startGitLabEmulator);

function providerFor(gitlab: GitLabEmulator, extra: Partial<CreateGitLabProviderOptions> = {}) {
  return createGitLabProvider(
    gitLabProviderOptions(gitlab, { transport: { retryBaseDelayMs: 1 }, ...extra }),
  );
}

const seeded = seededGitLabProviderPerTest({ transport: { retryBaseDelayMs: 1 } });

/** A fresh emulator seeded with the release scenario, and GitLab's source control over it. */
async function setup(extra: Partial<CreateGitLabProviderOptions> = {}) {
  const { emulator: gitlab, s, provider } = await seeded(extra);
  return { gitlab, s, sourceControl: provider.sourceControl };
}

function apiCalls(gitlab: GitLabEmulator) {
  return gitlab.requests.map((r) => `${r.method} ${r.route ?? r.url}`);
}

describe("GitLab listChanges", () => {
  // Each strategy lands a different commit: merge commit, squash commit, the feature commit.
  itListsReleaseScenarioChanges(setup, {
    person: (name) => name,
    url: ({ gitlab }, number) => `${gitlab.url}/acme/shop/-/merge_requests/${number}`,
  });

  it("asks GitLab for the range once, lists merged merge requests since the tag, and batches the details", async () => {
    const { gitlab, s, sourceControl } = await setup();
    gitlab.resetLog();
    await sourceControl.listChanges({ fromTag: "v1.0.0", toSha: s.toSha }, live());

    expect(apiCalls(gitlab)).toEqual([
      "GET GET /projects/:id/repository/tags/:tag_name",
      "GET GET /projects/:id/repository/compare",
      "GET GET /projects/:id/merge_requests",
      "POST POST /api/graphql",
    ]);
    const list = new URL(gitlab.requests[2]!.url, gitlab.url);
    expect(Object.fromEntries(list.searchParams)).toMatchObject({
      state: "merged",
      target_branch: "main",
      per_page: "100",
      order_by: "created_at",
      sort: "asc",
    });
    // One day of slack before the tag's commit (the emulator's clock starts 2026-01-01T00:00Z).
    const updatedAfter = Date.parse(list.searchParams.get("updated_after")!);
    expect(updatedAfter).toBeGreaterThan(Date.parse("2025-12-31T00:00:00Z"));
    expect(updatedAfter).toBeLessThan(Date.parse("2025-12-31T01:00:00Z"));
  });

  it("finds every one of 250 merge requests whichever way GitLab paginates", async () => {
    for (const pagination of ["offset", "offset-without-totals", "keyset"] as const) {
      const gitlab = await start({ pagination });
      gitlab.commit({ branch: "main" });
      gitlab.tag("v1", gitlab.branchHead("main")!, "v1");
      for (let i = 0; i < 250; i += 1)
        gitlab.mergeRequest({ title: `change ${i}`, approvers: [`r${i % 3}`] });
      const { sourceControl } = providerFor(gitlab);
      gitlab.resetLog();
      const changes = (
        await sourceControl.listChanges(
          { fromTag: "v1", toSha: gitlab.branchHead("main")! },
          live(),
        )
      )._unsafeUnwrap();
      expect(
        changes.map((c) => c.number),
        pagination,
      ).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
      expect(changes.every((c) => c.reviewers.length === 1 && c.files.length === 1)).toBe(true);
      const listPages = gitlab.requests.filter(
        (r) => r.route === "GET /projects/:id/merge_requests",
      ).length;
      const graphqlCalls = gitlab.requests.filter((r) => r.route === "POST /api/graphql").length;
      expect(listPages, pagination).toBe(3);
      expect(graphqlCalls, pagination).toBe(3);
    }
  });

  it("splits the GraphQL batch when GitLab reports the query too complex", async () => {
    const gitlab = await start({ graphqlMaxNodes: 30 });
    gitlab.commit({ branch: "main" });
    gitlab.tag("v1", gitlab.branchHead("main")!, "v1");
    for (let i = 0; i < 100; i += 1)
      gitlab.mergeRequest({ title: `change ${i}`, approvers: ["bob"] });
    const { sourceControl } = providerFor(gitlab);
    const changes = (
      await sourceControl.listChanges({ fromTag: "v1", toSha: gitlab.branchHead("main")! }, live())
    )._unsafeUnwrap();
    expect(changes).toHaveLength(100);
    expect(changes.every((c) => c.reviewers[0] === "bob")).toBe(true);
  });

  it("reads approvals and diffs per merge request in rest mode", async () => {
    const { gitlab, s, sourceControl } = await setup({ changes: { details: "rest" } });
    gitlab.resetLog();
    const changes = (
      await sourceControl.listChanges({ fromTag: "v1.0.0", toSha: s.toSha }, live())
    )._unsafeUnwrap();
    expect(changes.map((c) => [c.number, c.reviewers, c.files])).toEqual([
      [2, ["bob", "carol"], ["src/api/export.ts", "src/db/query.ts"]],
      [3, ["alice"], ["src/cart/total.ts"]],
      [4, [], ["README.md"]],
    ]);
    expect(gitlab.requests.filter((r) => r.route?.endsWith("/approvals"))).toHaveLength(3);
    expect(gitlab.requests.filter((r) => r.route === "POST /api/graphql")).toHaveLength(0);
  });

  it("uses the project's full path for GraphQL when configured with a numeric id", async () => {
    const gitlab = await start();
    const s = seedGitLabReleaseScenario(gitlab);
    const { sourceControl } = providerFor(gitlab, { project: gitlab.projectId });
    const changes = (
      await sourceControl.listChanges({ fromTag: "v1.0.0", toSha: s.toSha }, live())
    )._unsafeUnwrap();
    expect(changes.map((c) => c.reviewers)).toEqual([["bob", "carol"], ["alice"], []]);
    expect(gitlab.requests.filter((r) => r.route === "GET /projects/:id")).toHaveLength(1);
  });

  it("rejects a malformed sha without a request", async () => {
    const gitlab = await start();
    const { sourceControl } = providerFor(gitlab);
    const error = (
      await sourceControl.listChanges({ fromTag: null, toSha: "main" }, live())
    )._unsafeUnwrapErr();
    expect(error.kind).toBe("invalid_input");
    expect(gitlab.requests).toHaveLength(0);
  });
});

describe("GitLab commits and tags", () => {
  itChecksReleaseScenarioSourceControl(setup);

  it("asks for a commit and its merge base with the release branch: two requests at most", async () => {
    const { gitlab, s, sourceControl } = await setup();
    gitlab.resetLog();
    await sourceControl.getCommit(s.redSha, live());
    expect(apiCalls(gitlab)).toEqual([
      "GET GET /projects/:id/repository/commits/:sha",
      "GET GET /projects/:id/repository/merge_base",
    ]);
  });

  it("reports a commit with no history in common with the branch as off the branch", async () => {
    const { gitlab, sourceControl } = await setup();
    const orphan = gitlab.commit({ branch: "orphan", parents: [] });
    expect((await sourceControl.getCommit(orphan, live()))._unsafeUnwrap()).toMatchObject({
      exists: true,
      onReleaseBranch: false,
    });
  });

  it("treats an older GitLab's 400 'already exists' as a conflict too", async () => {
    const { gitlab, s, sourceControl } = await setup();
    gitlab.fail({
      method: "POST",
      path: /repository\/tags/,
      respond: { status: 400, body: { message: "Tag v2 already exists" } },
    });
    const error = (
      await sourceControl.createAnnotatedTag({ name: "v2", sha: s.toSha, message: "v2" }, live())
    )._unsafeUnwrapErr();
    expect(error.kind).toBe("conflict");
  });

  it("refuses an empty message, which GitLab would turn into a lightweight tag", async () => {
    const { gitlab, s, sourceControl } = await setup();
    const error: ShipgateError = (
      await sourceControl.createAnnotatedTag({ name: "v2", sha: s.toSha, message: "  " }, live())
    )._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "invalid_input", field: "message" });
    expect(gitlab.requests).toHaveLength(0);
  });
});
