import {
  conformanceIncident,
  conformancePostmortemIncident,
  expectMarkdownPostmortemDraft,
} from "@shipgate/core/testing";
import { describe, expect, it } from "vitest";
import { renderGitLabIncident } from "./gitlab-incident-sink.js";
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
