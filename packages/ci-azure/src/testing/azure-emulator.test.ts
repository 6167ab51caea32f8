import { conformanceIncident, exerciseCiStack } from "@shipgate/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AZURE_DOCUMENTED_FIELDS,
  type AzureDevOpsEmulator,
  azureDocumentedShapeProblems,
  startAzureDevOpsEmulator,
} from "./azure-emulator.js";
import { seededAzureProvider } from "./azure-test-scenario.js";
import { evaluateWiql, parseWiql } from "./emulator/wiql.js";

// Drive every endpoint through azure-devops-node-api, then hold each recorded answer against
// the fields Azure DevOps documents (AZURE_DOCUMENTED_FIELDS, from the REST 7.1 specs).

let azure: AzureDevOpsEmulator;

beforeAll(async () => {
  azure = await startAzureDevOpsEmulator();
  const { s, provider } = seededAzureProvider(azure);
  // A recovery's lookup too: the incident filed under a release key, found again.
  const releaseKey = "shipgate/shop/production/v1.1.0/run-1";
  await exerciseCiStack(provider, s, [
    (options) => provider.incidents.open({ ...conformanceIncident, releaseKey }, options),
    (options) => provider.incidents.findOpened!(releaseKey, options),
  ]);
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

describe("Azure DevOps emulator WIQL", () => {
  const select = "SELECT [System.Id] FROM WorkItems WHERE ";

  it("evaluates project, tag and state conditions in the asked order, ignoring case as Azure does", () => {
    const item = (id: number, tags: string, state: string, project = "shop") => ({
      id,
      fields: { "System.TeamProject": project, "System.Tags": tags, "System.State": state },
    });
    const items = [
      item(1, "shipgate; shipgate:shop@production", "Closed"),
      item(2, "shipgate:shop@production-eu", "New"),
      item(3, "Shipgate:Shop@Production", "New"),
      item(4, "shipgate:shop@production", "Removed"),
      item(5, "shipgate:shop@production", "New", "other"),
    ];
    const query = parseWiql(
      `${select}[System.TeamProject] = @project AND [System.Tags] CONTAINS 'shipgate:shop@production'` +
        " AND [System.State] <> 'Removed' ORDER BY [System.Id] DESC",
    );
    if (typeof query === "string") throw new Error(query);
    expect(evaluateWiql(query, items, "shop").map((w) => w.id)).toEqual([3, 1]);
  });

  it("refuses what it cannot evaluate instead of ignoring it", () => {
    expect(parseWiql(`${select}[System.Description] CONTAINS 'key'`)).toContain("Contains Words");
    expect(
      parseWiql(`${select}[System.Tags] CONTAINS 'a' OR [System.Tags] CONTAINS 'b'`),
    ).toContain("not understood");
    expect(parseWiql("SELECT [System.Id] FROM WorkItemLinks")).toContain("WorkItems");
  });
});
