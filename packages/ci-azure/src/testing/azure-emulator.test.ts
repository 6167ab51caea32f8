import { exerciseCiStack } from "@shipgate/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AZURE_DOCUMENTED_FIELDS,
  type AzureDevOpsEmulator,
  azureDocumentedShapeProblems,
  startAzureDevOpsEmulator,
} from "./azure-emulator.js";
import { seededAzureProvider } from "./azure-test-scenario.js";

// Drive every endpoint through azure-devops-node-api, then hold each recorded answer against
// the fields Azure DevOps documents (AZURE_DOCUMENTED_FIELDS, from the REST 7.1 specs).

let azure: AzureDevOpsEmulator;

beforeAll(async () => {
  azure = await startAzureDevOpsEmulator();
  const { s, provider } = seededAzureProvider(azure);
  await exerciseCiStack(provider, s);
});

afterAll(() => azure.close());

describe("Azure DevOps emulator against the documented REST 7.1 contract", () => {
  it("answered every request the client made, including its location negotiation", () => {
    expect(azure.unknownRequests).toEqual([]);
    expect(azure.requests.every((r) => r.authorized)).toBe(true);
    expect(
      azure.requests
        .filter((r) => r.method === "OPTIONS")
        .map((r) => r.url)
        .sort(),
    ).toEqual([
      "/acme/_apis/Location",
      "/acme/_apis/build",
      "/acme/_apis/git",
      "/acme/_apis/policy",
      "/acme/_apis/wit",
    ]);
  });

  it("was exercised on every documented endpoint", () => {
    const seen = new Set(azure.responses.map((r) => r.route));
    const pullRequestEntry = "GitPullRequest (in pull request query results)";
    expect(
      Object.keys(AZURE_DOCUMENTED_FIELDS).filter(
        (route) => route !== pullRequestEntry && !seen.has(route),
      ),
    ).toEqual([]);
  });

  it("carries every documented field, with the documented type, in every answer", () => {
    const problems = azure.responses.flatMap((r) => azureDocumentedShapeProblems(r.route, r.body));
    expect(problems).toEqual([]);
    // Pull requests nested in the query results are held against GitPullRequest.
    const query = azure.responses.find(
      (r) => r.route === "POST git/repositories/{repositoryId}/pullrequestquery",
    )!;
    const pullRequests = (query.body as { results: Record<string, unknown[]>[] }).results.flatMap(
      (r) => Object.values(r).flat(),
    );
    expect(pullRequests.length).toBeGreaterThan(0);
    expect(
      pullRequests.flatMap((pr) =>
        azureDocumentedShapeProblems("GitPullRequest (in pull request query results)", pr),
      ),
    ).toEqual([]);
  });

  it("would catch a missing or mistyped field, or an unwrapped list (the check can fail)", () => {
    const repo = azure.responses.find((r) => r.route === "GET git/repositories/{repositoryId}")!
      .body as Record<string, unknown>;
    const { webUrl: _drop, ...withoutWebUrl } = repo;
    expect(
      azureDocumentedShapeProblems("GET git/repositories/{repositoryId}", withoutWebUrl),
    ).toEqual(["GET git/repositories/{repositoryId}[0].webUrl: missing"]);
    expect(azureDocumentedShapeProblems("GET build/builds", [])).toEqual([
      "GET build/builds: expected a { count, value: [] } collection",
    ]);
    expect(
      azureDocumentedShapeProblems("GET build/builds", { count: 1, value: [{ id: "7" }] })[0],
    ).toBe("GET build/builds[0].id: expected number, got string");
  });
});
