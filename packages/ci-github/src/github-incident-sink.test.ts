import type { CallOptions, IncidentSink } from "@shipgate/core";
import {
  conformanceIncident,
  conformancePostmortemIncident,
  expectMarkdownPostmortemDraft,
  sharedPerFile,
} from "@shipgate/core/testing";
import { afterAll, describe, expect, it } from "vitest";
import { listOpenIssues } from "./github-incident-sink.js";
import { createGitHubProvider } from "./github-provider.js";
import { parseIncidentMarker, renderIncidentIssue } from "./incident-issue-body.js";
import { type GitHubEmulator, startGitHubEmulator } from "./testing/github-emulator.js";
import type { EmulatedRepository } from "./testing/github-emulator-state.js";
import { loadFixtureScenario } from "./testing/github-fixture-replay.js";
import { FAST_TIMING, startContractCheckedGitHubScenario } from "./testing/github-test-scenario.js";

const live = (): CallOptions => ({ signal: new AbortController().signal });

/** Files a labelled open issue straight into the emulated repository, as a person or an older shipgate would. */
function seedIssue(r: EmulatedRepository, issue: { title: string; body: string }): number {
  const number = r.number();
  r.issues.set(number, {
    number,
    id: r.id(),
    ...issue,
    labels: ["incident", "shipgate"],
    state: "open",
    stateReason: null,
    author: "someone",
    createdAt: r.tick(0),
    updatedAt: r.tick(0),
    closedAt: null,
    comments: [],
  });
  return number;
}

describe("incidents as GitHub issues", () => {
  const s = sharedPerFile(startContractCheckedGitHubScenario);

  it("opens a labelled issue listing the breach and the suspects", async () => {
    const ref = (await s.provider().incidents.open(conformanceIncident, live()))._unsafeUnwrap();
    const number = Number(ref.id.split("#")[1]);
    expect(ref).toEqual({
      sink: "github-issues",
      id: `acme/shop#${number}`,
      url: `${s.gh.url}/acme/shop/issues/${number}`,
    });
    const issue = s.gh.repository.issues.get(number)!;
    expect(issue.title).toBe(conformanceIncident.title);
    expect(issue.labels).toEqual(["incident", "shipgate"]);
    expect(issue.body).toContain("error rate 4.10% > 1.00% at 25%");
    expect(issue.body).toContain(
      "[#102](https://git.example.com/acme/shop/pull/102) fix(cart)!: change total rounding by @carol (score 7) — **likely culprit**",
    );
    expect(issue.body).toContain("| Rollback | verified: stable version v1.3.2 serving 100% |");
  });

  it("carries the postmortem draft: timeline, detection, rollback, impact, culprit CC'd, empty sections", async () => {
    const ref = (
      await s.provider().incidents.open(
        // Another environment: the resolve test below counts the production incidents.
        { ...conformancePostmortemIncident, environment: "postmortem", dedupKey: "pm" },
        live(),
      )
    )._unsafeUnwrap();
    const body = String(s.gh.repository.issues.get(Number(ref.id.split("#")[1]))!.body);
    expectMarkdownPostmortemDraft(body);
  });

  it("uses the configured labels", async () => {
    const ref = (
      await s.provider({ incidentLabels: ["sev1"] }).incidents.open(conformanceIncident, live())
    )._unsafeUnwrap();
    expect(s.gh.repository.issues.get(Number(ref.id.split("#")[1]))?.labels).toEqual(["sev1"]);
  });

  it("resolves only the open incidents of the same service and environment, across pages", async () => {
    const r = s.gh.repository;
    // 120 unrelated labelled issues push ours onto a second page.
    for (let i = 0; i < 120; i++) seedIssue(r, { title: `noise ${i}`, body: "not ours" });
    const sink = s.provider().incidents;
    const other = (
      await s
        .provider()
        .incidents.open({ ...conformanceIncident, environment: "staging", dedupKey: "x" }, live())
    )._unsafeUnwrap();
    s.gh.requests.length = 0;
    const resolved = (
      await sink.resolveOpen!(
        { service: "shop", environment: "production", version: "v1.4.1" },
        live(),
      )
    )._unsafeUnwrap();
    // Only the production incident from the first test: not the "sev1" one, not staging.
    expect(resolved).toHaveLength(1);
    const list = s.gh.requests.filter((q) => q.operationId === "issues/list-for-repo");
    expect(list.length).toBe(2);
    for (const ref of resolved) {
      const issue = r.issues.get(Number(ref.id.split("#")[1]))!;
      expect(issue.state).toBe("closed");
      expect(issue.stateReason).toBe("completed");
      expect(issue.comments[0]?.body).toContain("shop v1.4.1 was released to production");
    }
    expect(r.issues.get(Number(other.id.split("#")[1]))?.state).toBe("open");
  });
});

describe("finding a release's incident issue again after a crash", () => {
  const s = sharedPerFile(startContractCheckedGitHubScenario);
  const keyOf = (run: string) => `shipgate/shop/production/v1.4.0/${run}`;
  const find = (sink: IncidentSink, key: string) => sink.findOpened!(key, live());
  const listRequests = () => s.gh.requests.filter((q) => q.operationId === "issues/list-for-repo");

  it("records the release key in the issue's marker", async () => {
    const sink = s.provider().incidents;
    const key = keyOf("recorded");
    const ref = (
      await sink.open({ ...conformanceIncident, releaseKey: key }, live())
    )._unsafeUnwrap();
    const body = s.gh.repository.issues.get(Number(ref.id.split("#")[1]))!.body;
    expect(parseIncidentMarker(body)?.releaseKey).toBe(key);
  });

  it("never returns an issue filed before the marker recorded a release key", async () => {
    // Same service, environment, version and dedup key as the release looked for.
    const old = renderIncidentIssue(conformanceIncident);
    expect(parseIncidentMarker(old.body)).not.toHaveProperty("releaseKey");
    seedIssue(s.gh.repository, old);
    const found = (await find(s.provider().incidents, keyOf("old-marker")))._unsafeUnwrap();
    expect(found).toBeNull();
    // It did look: one page listing every labelled issue, open and closed, the old one among them.
    expect(listRequests()).toHaveLength(1);
    expect(listRequests()[0]?.path).toContain("state=all");
  });

  it("finds the incident on the second page of labelled issues, as `open` returned it", async () => {
    const sink = s.provider().incidents;
    const key = keyOf("paged");
    const opened = (
      await sink.open({ ...conformanceIncident, releaseKey: key }, live())
    )._unsafeUnwrap();
    // 120 newer labelled issues (listed first: newest first, 100 a page) push it onto page two.
    for (let i = 0; i < 120; i++) {
      seedIssue(s.gh.repository, { title: `noise ${i}`, body: i % 2 ? "not ours" : "" });
    }
    s.gh.requests.length = 0;
    const found = (await find(sink, key))._unsafeUnwrap();
    expect(found).toEqual(opened);
    expect(listRequests()).toHaveLength(2);
  });

  it("finds the incident even when someone closed it between the crash and the recovery", async () => {
    const sink = s.provider().incidents;
    const key = keyOf("closed");
    const opened = (
      await sink.open({ ...conformanceIncident, releaseKey: key }, live())
    )._unsafeUnwrap();
    const issue = s.gh.repository.issues.get(Number(opened.id.split("#")[1]))!;
    issue.state = "closed";
    expect((await find(sink, key))._unsafeUnwrap()).toEqual(opened);
  });

  it("looks only at issues carrying the sink's labels", async () => {
    const key = keyOf("labels");
    const opened = (
      await s
        .provider({ incidentLabels: ["sev1"] })
        .incidents.open({ ...conformanceIncident, releaseKey: key }, live())
    )._unsafeUnwrap();
    expect((await find(s.provider().incidents, key))._unsafeUnwrap()).toBeNull();
    const sev1 = s.provider({ incidentLabels: ["sev1"] }).incidents;
    expect((await find(sev1, key))._unsafeUnwrap()).toEqual(opened);
  });

  it("reports a refused list as an auth error naming the permission, never throwing", async () => {
    s.gh.fault({
      path: "/issues",
      status: 403,
      headers: { "x-accepted-github-permissions": "issues=read" },
      body: {
        message: "Resource not accessible by personal access token",
        documentation_url: "https://docs.github.com/rest/issues/issues#list-repository-issues",
        status: "403",
      },
    });
    const error = (await find(s.provider().incidents, keyOf("refused")))._unsafeUnwrapErr();
    expect(error.kind).toBe("auth");
    expect(error.hint).toContain("issues: read");
  });

  it("resolves aborted, without a request, when the signal has already fired", async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await s.provider().incidents.findOpened!(keyOf("aborted"), {
      signal: controller.signal,
    });
    expect(result._unsafeUnwrapErr().kind).toBe("aborted");
    expect(listRequests()).toHaveLength(0);
  });
});

describe("recorded issue exchanges (@octokit/fixtures) replayed through the emulator", () => {
  let gh: GitHubEmulator;
  afterAll(async () => {
    expect(gh.specViolations).toEqual([]);
    await gh.close();
  });

  it("add-labels-to-issue: reads number and URL from GitHub's recorded 201", async () => {
    gh = await startGitHubEmulator({
      owner: "octokit-fixture-org",
      repo: "add-labels-to-issue",
      validateResponses: true,
    });
    gh.replay(loadFixtureScenario("add-labels-to-issue", { 0: "issues/create" }).slice(0, 1));
    const sink = createGitHubProvider({
      owner: "octokit-fixture-org",
      repo: "add-labels-to-issue",
      token: "test-token-not-real",
      baseUrl: gh.url,
      timing: FAST_TIMING,
    }).incidents;
    const ref = (await sink.open(conformanceIncident, live()))._unsafeUnwrap();
    // The recording's html_url points at github.com, as GitHub answered.
    expect(ref).toEqual({
      sink: "github-issues",
      id: "octokit-fixture-org/add-labels-to-issue#1",
      url: "https://github.com/octokit-fixture-org/add-labels-to-issue/issues/1",
    });
    expect(gh.pendingReplays()).toEqual([]);
    await gh.close();
  });

  it("paginate-issues: follows GitHub's recorded Link headers through all five pages", async () => {
    gh = await startGitHubEmulator({
      owner: "octokit-fixture-org",
      repo: "paginate-issues",
      validateResponses: true,
    });
    const recorded = loadFixtureScenario(
      "paginate-issues",
      Object.fromEntries([0, 1, 2, 3, 4].map((i) => [i, "issues/list-for-repo"])),
    );
    gh.replay(recorded);
    const client = createGitHubProvider({
      owner: "octokit-fixture-org",
      repo: "paginate-issues",
      token: "test-token-not-real",
      baseUrl: gh.url,
      timing: FAST_TIMING,
    }).client;
    const issues = (
      await client.run(live().signal, { action: "list issues" }, (g) => listOpenIssues(g, []))
    )._unsafeUnwrap();
    const expected = recorded.flatMap((r) =>
      (r.response as { number: number }[]).map((i) => i.number),
    );
    expect(expected.length).toBe(13);
    expect(issues.map((i) => i.number)).toEqual(expected);
    expect(gh.pendingReplays()).toEqual([]);
    // Pages 2–5 were fetched from the URLs GitHub put in the Link header (/repositories/1000/…).
    expect(gh.requests.slice(1).every((r) => r.path.startsWith("/repositories/1000/issues"))).toBe(
      true,
    );
  });
});
