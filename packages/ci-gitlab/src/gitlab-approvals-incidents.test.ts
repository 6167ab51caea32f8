import {
  conformanceIncident,
  conformancePostmortemIncident,
  expectMarkdownPostmortemDraft,
} from "@shipgate/core/testing";
import { describe, expect, it } from "vitest";
import { renderGitLabIncident } from "./gitlab-incident-sink.js";
import type { GitLabEmulator } from "./testing/gitlab-emulator.js";
import { live, seededGitLabProviderPerTest } from "./testing/gitlab-test-scenario.js";

const setup = seededGitLabProviderPerTest();

describe("GitLab deployment approvals", () => {
  it("lists the approvals of this sha's deployment only, without rejections", async () => {
    const { emulator: gitlab, s, provider } = await setup();
    const request = { service: "shop", environment: "production", version: "v1.1.0", sha: s.toSha };
    const signOffs = (await provider.approvals.listSignOffs(request, live()))._unsafeUnwrap();
    expect(signOffs.map((x) => [x.approver, x.comment])).toEqual([
      ["olivia", "LGTM"],
      ["trent", undefined],
    ]);
    expect(signOffs[0]!.where).toMatch(/\/acme\/shop\/-\/jobs\/\d+$/);
    expect(gitlab.requests.map((r) => r.route)).toEqual([
      "GET /projects/:id/deployments",
      "GET /projects/:id/deployments/:deployment_id",
    ]);
    const list = new URL(gitlab.requests[0]!.url, gitlab.url).searchParams;
    expect(Object.fromEntries(list)).toMatchObject({
      environment: "production",
      order_by: "id",
      sort: "desc",
    });
  });

  it("maps shipgate environments onto GitLab environment names", async () => {
    const { s, provider } = await setup({ approvals: { environments: { prod: "production" } } });
    const request = { service: "shop", environment: "prod", version: "v1.1.0", sha: s.toSha };
    expect((await provider.approvals.listSignOffs(request, live()))._unsafeUnwrap()).toHaveLength(
      2,
    );
  });

  it("returns no sign-offs when nothing was deployed for the sha", async () => {
    const { s, provider } = await setup();
    const request = { service: "shop", environment: "staging", version: "v1.1.0", sha: s.toSha };
    expect((await provider.approvals.listSignOffs(request, live()))._unsafeUnwrap()).toEqual([]);
  });
});

describe("GitLab incidents", () => {
  it("files an incident issue carrying the breach and the suspects, culprit first", async () => {
    const { emulator: gitlab, provider } = await setup();
    const ref = (await provider.incidents.open(conformanceIncident, live()))._unsafeUnwrap();
    expect(ref).toEqual({ sink: "gitlab", id: "1", url: `${gitlab.url}/acme/shop/-/issues/1` });
    const issue = gitlab.issues[0]!;
    expect(issue).toMatchObject({ issue_type: "incident", title: conformanceIncident.title });
    expect(issue.labels).toEqual(["shipgate", "severity:critical", "shipgate:shop@production"]);
    const description = String(issue.description);
    expect(description.indexOf("!102")).toBeLessThan(description.indexOf("!101"));
    expect(description).toContain("**likely culprit**");
    expect(description).toContain("| Breach | error rate 4.10% > 1.00% at 25% |");
    expect(description).toContain("| Canary weight at breach | 25% |");
  });

  it("carries the postmortem draft: timeline, detection, rollback, impact, culprit CC'd, empty sections", async () => {
    const { emulator: gitlab, provider } = await setup();
    await provider.incidents.open(conformancePostmortemIncident, live());
    const description = String(gitlab.issues[0]!.description);
    expectMarkdownPostmortemDraft(description);
  });

  it("closes the open incidents of a service and environment after a good release", async () => {
    const { emulator: gitlab, provider } = await setup();
    await provider.incidents.open(conformanceIncident, live());
    await provider.incidents.open({ ...conformanceIncident, environment: "staging" }, live());
    const closed = (
      await provider.incidents.resolveOpen!(
        { service: "shop", environment: "production", version: "v1.4.1" },
        live(),
      )
    )._unsafeUnwrap();
    expect(closed.map((r) => r.id)).toEqual(["1"]);
    expect(gitlab.issues.map((i) => i.state)).toEqual(["closed", "opened"]);
  });

  it("escapes table cells", () => {
    const text = renderGitLabIncident({ ...conformanceIncident, breachReason: "a | b\nc" });
    expect(text).toContain("a \\| b c");
  });
});

describe("GitLab incidents of a release (findOpened)", () => {
  const key = "shipgate/shop/production/v1.4.0/run-7";
  const listed = (gitlab: GitLabEmulator) =>
    gitlab.requests
      .filter((r) => r.route === "GET /projects/:id/issues")
      .map((r) => Object.fromEntries(new URL(r.url, gitlab.url).searchParams));

  it("records the release key in a comment that no key can leave or split", () => {
    const text = renderGitLabIncident({ ...conformanceIncident, releaseKey: "a --> b\n<!-- 5%" });
    expect(text.split("\n").slice(-2)).toEqual([
      "<!-- shipgate dedup key: shipgate/shop/production -->",
      "<!-- shipgate release key: a --%3E b%0A%3C!-- 5%25 -->",
    ]);
    expect(renderGitLabIncident(conformanceIncident)).not.toContain("release key");
  });

  it("finds the incident filed under the key, whatever the key holds, even once closed", async () => {
    const { emulator: gitlab, provider } = await setup();
    const hostile = `${key} -->\n<!-- shipgate release key: other -->`;
    const opened = (
      await provider.incidents.open({ ...conformanceIncident, releaseKey: hostile }, live())
    )._unsafeUnwrap();
    await provider.incidents.resolveOpen!(
      { service: "shop", environment: "production", version: "v1.4.1" },
      live(),
    );
    expect(gitlab.issues[0]!.state).toBe("closed");
    gitlab.resetLog();
    const found = (await provider.incidents.findOpened!(hostile, live()))._unsafeUnwrap();
    expect(found).toEqual(opened);
    expect(listed(gitlab)).toEqual([
      { labels: "shipgate", state: "all", issue_type: "incident", per_page: "100" },
    ]);
    for (const near of [key, "other", `${key} -->`]) {
      expect((await provider.incidents.findOpened!(near, live()))._unsafeUnwrap()).toBeNull();
    }
  });

  it("never returns an issue without the release key marker (filed by an older version)", async () => {
    const { emulator: gitlab, provider } = await setup();
    // An older version wrote no marker; the key may still appear in the text.
    await provider.incidents.open({ ...conformanceIncident, breachReason: key }, live());
    await provider.incidents.open({ ...conformanceIncident, releaseKey: `${key}/retry` }, live());
    expect(String(gitlab.issues[0]!.description)).toContain(key);
    expect((await provider.incidents.findOpened!(key, live()))._unsafeUnwrap()).toBeNull();
  });

  it("pages through every page: finds an incident on the second", async () => {
    const { emulator: gitlab, provider } = await setup();
    const target = (
      await provider.incidents.open({ ...conformanceIncident, releaseKey: key }, live())
    )._unsafeUnwrap();
    for (let n = 0; n < 100; n += 1) {
      await provider.incidents.open({ ...conformanceIncident, releaseKey: `${key}-${n}` }, live());
    }
    gitlab.resetLog();
    const found = (await provider.incidents.findOpened!(key, live()))._unsafeUnwrap();
    expect(found).toEqual(target);
    expect(listed(gitlab).map((q) => q.page ?? "1")).toEqual(["1", "2"]);
  });

  it("waits out a rate-limited page, and reports failures and aborts as errors", async () => {
    const { emulator: gitlab, provider } = await setup();
    const target = (
      await provider.incidents.open({ ...conformanceIncident, releaseKey: key }, live())
    )._unsafeUnwrap();
    gitlab.fail({
      method: "GET",
      path: /\/issues\?/,
      respond: { status: 429, headers: { "retry-after": "0" } },
    });
    gitlab.resetLog();
    expect((await provider.incidents.findOpened!(key, live()))._unsafeUnwrap()).toEqual(target);
    expect(gitlab.requests.filter((r) => /\/issues\?/.test(r.url))).toHaveLength(2);

    gitlab.fail({ method: "GET", path: /\/issues\?/, respond: { status: 404, body: {} } });
    const missing = (await provider.incidents.findOpened!(key, live()))._unsafeUnwrapErr();
    expect(missing.kind).toBe("not_found");

    const controller = new AbortController();
    controller.abort();
    gitlab.resetLog();
    const aborted = (
      await provider.incidents.findOpened!(key, { signal: controller.signal })
    )._unsafeUnwrapErr();
    expect(aborted.kind).toBe("aborted");
    expect(gitlab.requests).toEqual([]);
  });
});
