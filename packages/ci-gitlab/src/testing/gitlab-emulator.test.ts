import { conformanceIncident, exerciseCiStack } from "@shipgate/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGitLabProvider } from "../gitlab-provider.js";
import {
  documentedShapeProblems,
  GITLAB_DOCUMENTED_FIELDS,
  type GitLabEmulator,
  startGitLabEmulator,
} from "./gitlab-emulator.js";
import { seedGitLabReleaseScenario } from "./gitlab-test-scenario.js";

// The emulator is only worth something if it answers like GitLab. Drive every endpoint the
// adapter uses through the adapter itself, then hold each recorded answer against the
// documented fields (GITLAB_DOCUMENTED_FIELDS, taken from docs.gitlab.com).

let gitlab: GitLabEmulator;
const releaseKey = "shipgate/shop/production/v1.4.0/run-1";

beforeAll(async () => {
  gitlab = await startGitLabEmulator();
  const s = seedGitLabReleaseScenario(gitlab);
  const options = { project: gitlab.projectPath, token: gitlab.token, baseUrl: gitlab.url };
  // A numeric id makes the GraphQL path look the project up (GET /projects/:id).
  const graphql = createGitLabProvider({ ...options, project: gitlab.projectId });
  const rest = createGitLabProvider({ ...options, changes: { details: "rest" } });
  await exerciseCiStack(graphql, s, [
    (live) => graphql.sourceControl.listChanges({ fromTag: null, toSha: s.toSha }, live),
    (live) => rest.sourceControl.listChanges({ fromTag: "v1.0.0", toSha: s.toSha }, live),
    // Lists every state (the incident resolved above is closed by now).
    (live) => graphql.incidents.open({ ...conformanceIncident, releaseKey }, live),
    (live) => graphql.incidents.findOpened!(releaseKey, live),
  ]);
});

afterAll(() => gitlab.close());

describe("GitLab emulator against the documented REST and GraphQL contract", () => {
  it("answered every request the adapter made (no unknown routes)", () => {
    expect(gitlab.unknownRequests).toEqual([]);
    expect(gitlab.requests.every((r) => r.authorized)).toBe(true);
  });

  it("was exercised on every documented endpoint", () => {
    const seen = new Set(gitlab.responses.map((r) => r.route));
    expect([...Object.keys(GITLAB_DOCUMENTED_FIELDS)].filter((route) => !seen.has(route))).toEqual(
      [],
    );
  });

  it("carries every documented field, with the documented type, in every answer", () => {
    const problems = gitlab.responses.flatMap((r) => documentedShapeProblems(r.route, r.body));
    expect(problems).toEqual([]);
    expect(gitlab.responses.length).toBeGreaterThan(15);
  });

  it("would catch a missing or mistyped field (the check can fail)", () => {
    const tag = gitlab.responses.find(
      (r) => r.route === "GET /projects/:id/repository/tags/:tag_name",
    )!.body as Record<string, unknown>;
    const { target: _drop, ...withoutTarget } = tag;
    expect(
      documentedShapeProblems("GET /projects/:id/repository/tags/:tag_name", withoutTarget),
    ).toEqual(["GET /projects/:id/repository/tags/:tag_name[0].target: missing"]);
    expect(
      documentedShapeProblems("GET /projects/:id/repository/tags/:tag_name", {
        ...tag,
        protected: "no",
      }),
    ).toEqual([
      "GET /projects/:id/repository/tags/:tag_name[0].protected: expected boolean, got string",
    ]);
    expect(documentedShapeProblems("GET /projects/:id/pipelines", {})).toEqual([
      "GET /projects/:id/pipelines: expected a JSON array",
    ]);
  });
});

describe("GitLab emulator pagination headers", () => {
  it("sends x-page, x-total, x-total-pages, x-next-page and a Link header", async () => {
    const response = await fetch(
      `${gitlab.url}/api/v4/projects/acme%2Fshop/repository/commits?per_page=2`,
      {
        headers: { "private-token": gitlab.token },
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("x-page")).toBe("1");
    expect(response.headers.get("x-next-page")).toBe("2");
    expect(Number(response.headers.get("x-total-pages"))).toBeGreaterThan(1);
    expect(response.headers.get("link")).toMatch(
      /<http:\/\/127\.0\.0\.1:\d+\/api\/v4\/projects\/acme%2Fshop\/repository\/commits\?per_page=2&page=2>; rel="next"/,
    );
  });

  it("lists issues of every state by default and refuses an unknown state, as GitLab does", async () => {
    const issues = `${gitlab.url}/api/v4/projects/acme%2Fshop/issues`;
    const headers = { "private-token": gitlab.token };
    const all = (await (await fetch(issues, { headers })).json()) as { state: string }[];
    expect(all.map((i) => i.state)).toEqual(["opened", "closed"]);
    const unknown = await fetch(`${issues}?state=open`, { headers });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ error: "state does not have a valid value" });
  });

  it("refuses requests without the token", async () => {
    const response = await fetch(`${gitlab.url}/api/v4/projects/acme%2Fshop`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: "401 Unauthorized" });
  });
});
