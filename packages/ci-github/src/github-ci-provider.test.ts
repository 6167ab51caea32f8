import { sharedPerFile } from "@shipgate/core/testing";
import { afterAll, describe, expect, it } from "vitest";
import { checkRunToCiCheck, commitStatusToCiCheck } from "./github-ci-provider.js";
import { createGitHubProvider } from "./github-provider.js";
import { type GitHubEmulator, startGitHubEmulator } from "./testing/github-emulator.js";
import { loadFixtureScenario } from "./testing/github-fixture-replay.js";
import { startContractCheckedGitHubScenario } from "./testing/github-test-scenario.js";

const live = () => ({ signal: new AbortController().signal });
const fast = { rateLimitSecondMs: 1, retryBaseMs: 1, writeIntervalMs: 0 };
const byName = <T extends { name: string }>(items: T[]) =>
  [...items].sort((a, b) => a.name.localeCompare(b.name));

describe("GitHub checks on the seeded repository", () => {
  const s = sharedPerFile(startContractCheckedGitHubScenario);

  it("combines check runs and commit statuses, latest run per name, required from branch protection", async () => {
    const checks = (await s.provider().ci.listChecks(s.fixSha, live()))._unsafeUnwrap();
    expect(byName(checks)).toEqual([
      expect.objectContaining({
        name: "build",
        status: "completed",
        conclusion: "success",
        required: true,
      }),
      {
        name: "ci/lint",
        status: "completed",
        conclusion: "success",
        url: "https://ci.example.com/lint/1",
        startedAt: expect.any(String),
        completedAt: expect.any(String),
        required: false,
      },
      expect.objectContaining({
        name: "test",
        status: "completed",
        conclusion: "success",
        required: true,
      }),
    ]);
    expect(checks.find((c) => c.name === "build")?.url).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/acme\/shop\/runs\/\d+$/,
    );
    // check-runs, combined status and branch protection: three requests.
    expect(s.gh.requests.map((r) => r.operationId).sort()).toEqual([
      "checks/list-for-ref",
      "repos/get-branch-protection",
      "repos/get-combined-status-for-ref",
    ]);
  });

  it("reports running checks and pending statuses as not completed", async () => {
    const checks = (await s.provider().ci.listChecks(s.docsSha, live()))._unsafeUnwrap();
    expect(byName(checks).map((c) => [c.name, c.status, c.conclusion])).toEqual([
      ["build", "in_progress", null],
      ["ci/lint", "in_progress", null],
    ]);
  });

  it("leaves required undefined when the branch is not protected (404)", async () => {
    const checks = (
      await s.provider({ releaseBranch: "experiment" }).ci.listChecks(s.fixSha, live())
    )._unsafeUnwrap();
    expect(checks.length).toBe(3);
    expect(checks.every((c) => c.required === undefined && !("required" in c))).toBe(true);
  });

  it("leaves required undefined when the token may not read branch protection (403)", async () => {
    s.gh.fault({
      path: "/protection",
      status: 403,
      headers: { "x-accepted-github-permissions": "administration=read" },
      body: {
        message: "Resource not accessible by personal access token",
        documentation_url:
          "https://docs.github.com/rest/branches/branch-protection#get-branch-protection",
        status: "403",
      },
    });
    const checks = (await s.provider().ci.listChecks(s.fixSha, live()))._unsafeUnwrap();
    expect(checks.map((c) => c.required)).toEqual([undefined, undefined, undefined]);
  });

  it("returns [] for a commit GitHub has never seen, in one request", async () => {
    const checks = (await s.provider().ci.listChecks(s.missingSha, live()))._unsafeUnwrap();
    expect(checks).toEqual([]);
    expect(s.gh.requests).toHaveLength(1);
    expect(s.gh.requests[0]?.status).toBe(422);
  });

  it("follows Link headers through every page of check runs and statuses", async () => {
    const r = s.gh.repository;
    const sha = r.commit({ parents: [s.docsSha], message: "many checks" });
    for (let i = 0; i < 130; i++) r.addCheckRun(sha, { name: `job-${i}` });
    for (let i = 0; i < 105; i++) r.addStatus(sha, { context: `ext/${i}`, state: "success" });
    const checks = (await s.provider().ci.listChecks(sha, live()))._unsafeUnwrap();
    expect(checks).toHaveLength(235);
    expect(new Set(checks.map((c) => c.name)).size).toBe(235);
    const pages = (op: string) =>
      s.gh.requests
        .filter((q) => q.operationId === op)
        .map((q) => new URL(q.path, s.gh.url).searchParams.get("page"));
    expect(pages("checks/list-for-ref")).toEqual([null, "2"]);
    expect(pages("repos/get-combined-status-for-ref")).toEqual([null, "2"]);
  });
});

describe("mapping GitHub's vocabulary", () => {
  it("treats waiting/requested/pending check runs as queued and unknown conclusions as failure", () => {
    const base = { name: "x", conclusion: null, html_url: null, details_url: "https://ci/x" };
    expect(checkRunToCiCheck({ ...base, status: "waiting" }, undefined)).toMatchObject({
      status: "queued",
      conclusion: null,
      url: "https://ci/x",
    });
    expect(checkRunToCiCheck({ ...base, status: "requested" }, undefined).status).toBe("queued");
    expect(
      checkRunToCiCheck({ ...base, status: "completed", conclusion: "startup_failure" }, undefined)
        .conclusion,
    ).toBe("failure");
    expect(
      checkRunToCiCheck({ ...base, status: "completed", conclusion: "stale" }, undefined)
        .conclusion,
    ).toBe("stale");
  });

  it("maps commit status states", () => {
    const at = "2026-01-01T00:00:00Z";
    const s = (state: string) =>
      commitStatusToCiCheck(
        { context: "c", state, target_url: null, created_at: at, updated_at: at },
        undefined,
      );
    expect(
      [s("pending"), s("success"), s("failure"), s("error")].map((c) => [c.status, c.conclusion]),
    ).toEqual([
      ["in_progress", null],
      ["completed", "success"],
      ["completed", "failure"],
      ["completed", "failure"],
    ]);
  });

  it("honours an app pin on a required check", () => {
    const required = { contexts: new Set(["build"]), apps: new Map([["build", 15368]]) };
    const run = (id: number) =>
      checkRunToCiCheck(
        { name: "build", status: "completed", conclusion: "success", app: { id } },
        required,
      ).required;
    expect(run(15368)).toBe(true);
    expect(run(999)).toBe(false);
  });
});

describe("recorded api.github.com exchanges (@octokit/fixtures) replayed through the emulator", () => {
  let gh: GitHubEmulator;
  afterAll(async () => {
    expect(gh.specViolations).toEqual([]);
    await gh.close();
  });

  it("create-status: reads the recorded combined status", async () => {
    gh = await startGitHubEmulator({
      owner: "octokit-fixture-org",
      repo: "create-status",
      validateResponses: true,
    });
    const sha = "0000000000000000000000000000000000000001";
    gh.repository.commit({ sha, parents: [], message: "fixture commit" });
    // Entry 3 is GET /commits/{sha}/status as GitHub answered it.
    gh.replay(
      loadFixtureScenario("create-status", { 3: "repos/get-combined-status-for-ref" }).slice(3),
    );
    const ci = createGitHubProvider({
      owner: "octokit-fixture-org",
      repo: "create-status",
      token: "test-token-not-real",
      baseUrl: gh.url,
      timing: fast,
    }).ci;
    const checks = (await ci.listChecks(sha, live()))._unsafeUnwrap();
    expect(checks).toEqual([
      {
        name: "example/1",
        status: "completed",
        conclusion: "failure",
        url: "https://example.com",
        startedAt: "2017-10-10T16:00:00Z",
        completedAt: "2017-10-10T16:00:00Z",
      },
      {
        name: "example/2",
        status: "completed",
        conclusion: "success",
        url: "https://example.com",
        startedAt: "2017-10-10T16:00:00Z",
        completedAt: "2017-10-10T16:00:00Z",
      },
    ]);
    expect(gh.pendingReplays()).toEqual([]);
    await gh.close();
  });

  it("branch-protection: the recorded 404 'Branch not protected' leaves required undefined", async () => {
    gh = await startGitHubEmulator({
      owner: "octokit-fixture-org",
      repo: "branch-protection",
      validateResponses: true,
    });
    const sha = gh.repository.push("main", { message: "x" });
    gh.repository.addCheckRun(sha, { name: "foo/bar", conclusion: "failure" });
    gh.replay(
      loadFixtureScenario("branch-protection", { 0: "repos/get-branch-protection" }).slice(0, 1),
    );
    const ci = createGitHubProvider({
      owner: "octokit-fixture-org",
      repo: "branch-protection",
      token: "test-token-not-real",
      baseUrl: gh.url,
      timing: fast,
    }).ci;
    const checks = (await ci.listChecks(sha, live()))._unsafeUnwrap();
    expect(checks).toEqual([expect.objectContaining({ name: "foo/bar", conclusion: "failure" })]);
    expect(checks[0]).not.toHaveProperty("required");
    expect(gh.pendingReplays()).toEqual([]);
    expect(gh.requests.find((r) => r.operationId === "repos/get-branch-protection")?.status).toBe(
      404,
    );
  });
});
