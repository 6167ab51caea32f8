import { sharedPerFile } from "@shipgate/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGitHubProvider } from "./github-provider.js";
import { type GitHubEmulator, startGitHubEmulator } from "./testing/github-emulator.js";
import { FAST_TIMING, startContractCheckedGitHubScenario } from "./testing/github-test-scenario.js";

const live = () => ({ signal: new AbortController().signal });

describe("GitHub source control on the seeded repository", () => {
  const s = sharedPerFile(startContractCheckedGitHubScenario);

  it("lists complete change records, oldest merge first, whatever the merge method", async () => {
    const changes = (
      await s.provider().sourceControl.listChanges({ fromTag: "v1.0.0", toSha: s.docsSha }, live())
    )._unsafeUnwrap();
    expect(changes).toEqual([
      {
        number: 2,
        title: "feat(api): add bulk export endpoint",
        url: `${s.gh.url}/acme/shop/pull/2`,
        author: "alice",
        reviewers: ["bob"],
        labels: ["enhancement"],
        mergedAt: expect.any(String),
        mergeSha: s.featSha,
        files: ["src/api/export.ts", "src/db/query.ts"],
      },
      expect.objectContaining({
        number: 3,
        author: "carol",
        // dave's approval after his "changes requested" counts; alice first, in review order.
        reviewers: ["alice", "dave"],
        mergeSha: s.fixSha,
      }),
      expect.objectContaining({ number: 4, author: "erin", reviewers: [], mergeSha: s.docsSha }),
    ]);
  });

  it("asks compare once and GraphQL once for a small range", async () => {
    s.gh.requests.length = 0;
    const sc = s.provider().sourceControl;
    await sc.listChanges({ fromTag: "v1.0.0", toSha: s.docsSha }, live());
    expect(s.gh.requests.map((r) => r.operationId ?? r.kind)).toEqual([
      "repos/compare-commits-with-basehead",
      "graphql",
    ]);
    // The merge-committed PR's own commits hang off the side: only the landed ones are asked about.
    expect(sc.lastListChangesStats).toEqual({
      commitPages: 1,
      graphqlQueries: 1,
      landedCommits: 4,
    });
  });

  it("lists from the beginning of history when there is no previous tag", async () => {
    const changes = (
      await s.provider().sourceControl.listChanges({ fromTag: null, toSha: s.fixSha }, live())
    )._unsafeUnwrap();
    expect(changes.map((c) => c.number)).toEqual([2, 3]);
  });

  it("returns nothing for an empty range", async () => {
    const changes = (
      await s.provider().sourceControl.listChanges({ fromTag: "v1.0.0", toSha: s.root }, live())
    )._unsafeUnwrap();
    expect(changes).toEqual([]);
  });

  it("reports a missing previous tag as not_found", async () => {
    const error = (
      await s.provider().sourceControl.listChanges({ fromTag: "v0.0.1", toSha: s.docsSha }, live())
    )._unsafeUnwrapErr();
    expect(error.kind).toBe("not_found");
    expect(error.request).toMatch(/^GET \/repos\/acme\/shop\/compare\/v0\.0\.1\.\.\./);
  });

  it("reads lightweight and annotated tags", async () => {
    const sc = s.provider().sourceControl;
    expect((await sc.getTag("v0.9.0-light", live()))._unsafeUnwrap()).toEqual({
      name: "v0.9.0-light",
      sha: s.root,
      annotated: false,
    });
    expect((await sc.getTag("v1.0.0", live()))._unsafeUnwrap()).toEqual({
      name: "v1.0.0",
      sha: s.root,
      annotated: true,
      message: "Release v1.0.0",
    });
    // "v1" is a prefix of "v1.0.0" for matching-refs, not the same tag.
    expect((await sc.getTag("v1", live()))._unsafeUnwrap()).toBeNull();
  });

  it("creates a tag object and its ref, and refuses an existing name", async () => {
    const sc = s.provider().sourceControl;
    const created = (
      await sc.createAnnotatedTag(
        { name: "v1.1.0", sha: s.fixSha, message: "Release v1.1.0" },
        live(),
      )
    )._unsafeUnwrap();
    expect(created).toEqual({
      name: "v1.1.0",
      sha: s.fixSha,
      annotated: true,
      message: "Release v1.1.0",
      pushedTo: "origin",
    });
    const tagSha = s.gh.repository.refs.get("refs/tags/v1.1.0")!;
    expect(s.gh.repository.tagObjects.get(tagSha)).toMatchObject({
      tag: "v1.1.0",
      objectSha: s.fixSha,
      objectType: "commit",
      message: "Release v1.1.0",
    });
    const again = await sc.createAnnotatedTag(
      { name: "v1.1.0", sha: s.docsSha, message: "x" },
      live(),
    );
    expect(again._unsafeUnwrapErr().kind).toBe("conflict");
  });

  it("maps GitHub's 'Reference already exists' on a lost race to conflict", async () => {
    s.gh.fault({
      method: "POST",
      path: "/git/refs",
      status: 422,
      body: {
        message: "Reference already exists",
        documentation_url: "https://docs.github.com/rest/git/refs#create-a-reference",
        status: "422",
      },
    });
    const error = (
      await s
        .provider()
        .sourceControl.createAnnotatedTag({ name: "v1.2.0", sha: s.fixSha, message: "m" }, live())
    )._unsafeUnwrapErr();
    expect(error.kind).toBe("conflict");
  });

  it("rejects an abbreviated sha in getCommit", async () => {
    const error = (await s.provider().sourceControl.getCommit("abc123", live()))._unsafeUnwrapErr();
    expect(error.kind).toBe("invalid_input");
  });

  it("decides reachability with two requests, not a walk of the history", async () => {
    s.gh.requests.length = 0;
    const found = (await s.provider().sourceControl.getCommit(s.featSha, live()))._unsafeUnwrap();
    expect(found).toEqual({
      sha: s.featSha,
      exists: true,
      releaseBranch: "main",
      onReleaseBranch: true,
    });
    expect(s.gh.requests.map((r) => r.operationId)).toEqual([
      "repos/get-commit",
      "repos/compare-commits-with-basehead",
    ]);
  });

  it("works against a GitHub Enterprise Server layout (/api/v3 and /api/graphql)", async () => {
    s.gh.requests.length = 0;
    const sc = s.provider({ baseUrl: s.gh.enterpriseUrl }).sourceControl;
    const changes = (
      await sc.listChanges({ fromTag: "v1.0.0", toSha: s.docsSha }, live())
    )._unsafeUnwrap();
    expect(changes.map((c) => c.number)).toEqual([2, 3, 4]);
    expect(
      s.gh.requests.map((r) => r.path.split("?")[0]!.replace(/compare\/.*/, "compare/…")),
    ).toEqual(["/api/v3/repos/acme/shop/compare/…", "/api/graphql"]);
  });
});

describe("large releases", () => {
  let gh: GitHubEmulator;
  let from: string;
  let head: string;
  let bigPr: number;
  beforeAll(async () => {
    gh = await startGitHubEmulator({ validateResponses: true });
    const r = gh.repository;
    from = r.push("main", { message: "start" });
    r.tag("v2.0.0", from);
    // A PR into another branch that shares a commit must not count.
    r.setBranch("release-1.x", from);
    for (let i = 0; i < 230; i++) {
      r.mergePullRequest({
        title: `change ${i}`,
        author: `dev${i % 7}`,
        reviews: [{ user: `rev${i % 3}` }],
        labels: i % 10 === 0 ? ["bug"] : [],
        method: i % 3 === 0 ? "merge" : "squash",
      });
    }
    const big = r.mergePullRequest({
      title: "rename everything",
      author: "mona",
      files: Array.from({ length: 250 }, (_, i) => `src/file-${i}.ts`),
      labels: Array.from({ length: 120 }, (_, i) => `area-${i}`),
    });
    bigPr = big.number;
    r.mergePullRequest({ title: "backport", author: "zed", base: "release-1.x" });
    head = r.branchHead("main")!;
  });
  afterAll(async () => {
    expect(gh.specViolations).toEqual([]);
    await gh.close();
  });

  it("returns every pull request, with >100 files and labels followed up, in few requests", async () => {
    const sc = createGitHubProvider({
      owner: "acme",
      repo: "shop",
      token: "test-token-not-real",
      baseUrl: gh.url,
      timing: FAST_TIMING,
      log: { warn: () => {} },
    }).sourceControl;
    gh.requests.length = 0;
    const changes = (
      await sc.listChanges({ fromTag: "v2.0.0", toSha: head }, live())
    )._unsafeUnwrap();
    expect(changes).toHaveLength(231);
    expect(changes.map((c) => c.number)).toEqual(Array.from({ length: 231 }, (_, i) => i + 1));
    const big = changes.find((c) => c.number === bigPr)!;
    expect(big.files).toHaveLength(250);
    expect(big.labels).toHaveLength(120);
    expect(changes.filter((c) => c.reviewers.length === 1)).toHaveLength(230);
    expect(big.reviewers).toEqual([]);
    // 230 + 1 landed commits but 230/3 merge PRs add side commits: compare pages cover all
    // commits (100 each); GraphQL covers only landed commits (100 each) plus one follow-up.
    const stats = sc.lastListChangesStats!;
    const commitsInRange = 231 + 77 /* merge-method PRs have a side commit plus the merge */;
    expect(stats.commitPages).toBe(Math.ceil(commitsInRange / 100));
    expect(stats.graphqlQueries).toBe(Math.ceil(231 / 100) + 2);
    expect(gh.requests).toHaveLength(stats.commitPages + stats.graphqlQueries);
    // Pagination followed GitHub's Link headers.
    expect(
      gh.requests
        .filter((r) => r.kind === "rest")
        .map((r) => new URL(r.path, gh.url).searchParams.get("page")),
    ).toEqual(["1", "2", "3", "4"].slice(0, stats.commitPages).map((p, i) => (i === 0 ? null : p)));
  });
});
