import { parse } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GitHubEmulator, startGitHubEmulator } from "./github-emulator.js";
import { countPotentialNodes } from "./github-emulator-graphql.js";
import { loadOpenApiValidator } from "./github-openapi-validator.js";

describe("the emulator's contract checks can fail", () => {
  let gh: GitHubEmulator;
  beforeAll(async () => {
    gh = await startGitHubEmulator({ validateResponses: true });
    gh.repository.push("main", { message: "x" });
  });
  afterAll(async () => {
    await gh.close();
  });

  it("loads GitHub's OpenAPI description", () => {
    expect(gh.specVersion).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("flags a REST response that drifted from the OpenAPI description", async () => {
    gh.replay([
      {
        method: "GET",
        path: "/repos/acme/shop/commits/abc/check-runs",
        status: 200,
        headers: { "content-type": "application/json; charset=utf-8" },
        // `status` is not one GitHub sends, and `head_sha` and friends are missing.
        response: { total_count: 1, check_runs: [{ id: 1, name: "build", status: "done" }] },
        operationId: "checks/list-for-ref",
      },
    ]);
    const response = await fetch(`${gh.url}/repos/acme/shop/commits/abc/check-runs`);
    expect(response.status).toBe(200);
    expect(gh.specViolations.join("\n")).toMatch(
      /checks\/list-for-ref: \/check_runs\/0 must have required property 'head_sha'/,
    );
    expect(gh.specViolations.join("\n")).toMatch(
      /\/check_runs\/0\/status must be equal to one of the allowed values/,
    );
    gh.specViolations.length = 0;
  });

  it("accepts the emulator's own answers (the same check-runs endpoint, seeded)", async () => {
    const sha = gh.repository.branchHead("main")!;
    gh.repository.addCheckRun(sha, { name: "build", status: "in_progress" });
    const response = await fetch(`${gh.url}/repos/acme/shop/commits/${sha}/check-runs`);
    const body = (await response.json()) as { check_runs: { status: string }[] };
    expect(body.check_runs[0]?.status).toBe("in_progress");
    expect(gh.specViolations).toEqual([]);
  });

  it("rejects a GraphQL query that GitHub's schema would reject, as GitHub does", async () => {
    const response = await fetch(`${gh.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: '{ repository(owner: "acme", name: "shop") { mergedPullRequestz } }',
      }),
    });
    const body = (await response.json()) as { errors: { message: string }[] };
    expect(response.status).toBe(200);
    expect(body.errors[0]?.message).toContain("mergedPullRequestz");
    expect(gh.specViolations.join("\n")).toMatch(/GraphQL query: .*mergedPullRequestz/);
    gh.specViolations.length = 0;
  });

  it("enforces pagination boundaries like GitHub", async () => {
    const response = await fetch(`${gh.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: `{ repository(owner: "acme", name: "shop") { object(expression: "main") { ... on Commit { associatedPullRequests(first: 101) { totalCount } } } } }`,
      }),
    });
    const body = (await response.json()) as { errors: { type: string; message: string }[] };
    expect(body.errors[0]).toMatchObject({ type: "EXCESSIVE_PAGINATION" });
  });

  it("counts potential nodes as GitHub does", () => {
    const doc = parse(
      `{ a: repository(owner: "o", name: "n") { pullRequests(first: 100) { nodes { labels(first: 50) { nodes { name } } files(first: 100) { nodes { path } } } } } }`,
    );
    expect(countPotentialNodes(doc)).toBe(100 + 100 * 50 + 100 * 100);
  });

  it("validates named component schemas too", async () => {
    const validator = await loadOpenApiValidator();
    expect(validator.validateSchema("basic-error", { message: "Not Found" })).toEqual([]);
    expect(validator.validateSchema("basic-error", { message: 1 })).not.toEqual([]);
  });
});
