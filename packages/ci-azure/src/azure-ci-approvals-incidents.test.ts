import {
  conformanceIncident,
  conformancePostmortemIncident,
  itReportsReleaseScenarioChecks,
  POSTMORTEM_DRAFT_HEADINGS,
} from "@shipgate/core/testing";
import { describe, expect, it } from "vitest";
import { azureBuildToCheck, azureStatusToCheck } from "./azure-ci-provider.js";
import { renderAzureIncident } from "./azure-incident-sink.js";
import { live, seededAzureProviderPerTest } from "./testing/azure-test-scenario.js";

const setup = seededAzureProviderPerTest();

describe("Azure DevOps check mapping", () => {
  it.each([
    ["completed", "succeeded", "completed", "success"],
    ["completed", "partiallySucceeded", "completed", "failure"],
    ["completed", "failed", "completed", "failure"],
    ["completed", "canceled", "completed", "cancelled"],
    ["completed", "none", "completed", "stale"],
    ["inProgress", undefined, "in_progress", null],
    ["cancelling", undefined, "in_progress", null],
    ["notStarted", undefined, "queued", null],
    ["postponed", undefined, "queued", null],
  ])("build %s/%s → %s/%s", (status, result, checkStatus, conclusion) => {
    expect(azureBuildToCheck(status, result)).toEqual({ status: checkStatus, conclusion });
  });

  it.each([
    ["succeeded", "completed", "success"],
    ["failed", "completed", "failure"],
    ["error", "completed", "failure"],
    ["notApplicable", "completed", "skipped"],
    ["pending", "in_progress", null],
    ["notSet", "queued", null],
  ])("status %s → %s/%s", (state, checkStatus, conclusion) => {
    expect(azureStatusToCheck(state)).toEqual({ status: checkStatus, conclusion });
  });
});

describe("Azure DevOps CI checks", () => {
  it("reports builds and statuses, required or optional as the branch policies say", async () => {
    const { s, provider } = await setup();
    const checks = (await provider.ci.listChecks(s.greenSha, live()))._unsafeUnwrap();
    const byName = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(Object.keys(byName).sort()).toEqual([
      "build: shop-ci",
      "build: shop-nightly",
      "quality/sonar",
    ]);
    expect(byName["build: shop-ci"]).toMatchObject({
      status: "completed",
      conclusion: "success",
      required: true,
    });
    expect(byName["build: shop-nightly"]).toMatchObject({ required: false });
    expect(byName["quality/sonar"]).toMatchObject({ conclusion: "success", required: true });
    expect(byName["build: shop-ci"]!.url).toMatch(/_build\/results\?buildId=\d+$/);
  });

  itReportsReleaseScenarioChecks(setup, {
    red: [{ name: "build: shop-ci", conclusion: "failure" }],
    pending: [
      { name: "build: shop-ci", status: "in_progress" },
      { name: "quality/sonar", status: "in_progress" },
    ],
  });

  it("follows x-ms-continuationtoken through every page of builds", async () => {
    const { emulator: azure, s, provider } = await setup();
    for (let i = 0; i < 450; i += 1)
      azure.build({
        sha: i % 150 === 0 ? s.greenSha : s.redSha,
        definition: `matrix-${i}`,
        status: "completed",
        result: "succeeded",
      });
    azure.resetLog();
    const checks = (await provider.ci.listChecks(s.greenSha, live()))._unsafeUnwrap();
    expect(
      checks
        .filter((c) => c.name.startsWith("build: matrix-"))
        .map((c) => c.name)
        .sort(),
    ).toEqual(["build: matrix-0", "build: matrix-150", "build: matrix-300"]);
    const pages = azure.requests.filter((r) => r.route === "GET build/builds");
    expect(pages.length).toBe(3);
    expect(pages[1]!.url).toContain("continuationToken=");
  });
});

describe("Azure Pipelines approvals", () => {
  it("lists the approved steps of the stage deploying to the environment", async () => {
    const { emulator: azure, s, provider } = await setup();
    const request = { service: "shop", environment: "production", version: "v1.1.0", sha: s.toSha };
    const signOffs = (await provider.approvals.listSignOffs(request, live()))._unsafeUnwrap();
    expect(signOffs.map((x) => [x.approver, x.comment])).toEqual([
      ["olivia@example.com", "LGTM"],
      ["trent@example.com", undefined],
    ]);
    expect(signOffs[0]!.where).toMatch(/_build\/results\?buildId=\d+$/);
    const query = azure.requests.find((r) => r.route === "GET pipelines/approvals")!;
    expect(query.url).toContain("%24expand=steps".replace("%24", "$"));
  });

  it("maps environments onto stage names, and finds nothing for a stage without approvals", async () => {
    const { s, provider } = await setup({
      approvals: { stages: { prod: "production", ci: "Build" } },
    });
    const ask = (environment: string) =>
      provider.approvals.listSignOffs(
        { service: "shop", environment, version: "v1.1.0", sha: s.toSha },
        live(),
      );
    expect((await ask("prod"))._unsafeUnwrap()).toHaveLength(2);
    expect((await ask("staging"))._unsafeUnwrap().map((x) => x.approver)).toEqual([
      "sam@example.com",
    ]);
    expect((await ask("ci"))._unsafeUnwrap()).toEqual([]);
  });
});

describe("Azure Boards incidents", () => {
  it("files a Bug with repro steps, severity and scope tags", async () => {
    const { emulator: azure, provider } = await setup();
    const ref = (await provider.incidents.open(conformanceIncident, live()))._unsafeUnwrap();
    expect(ref).toEqual({
      sink: "azure-devops",
      id: "1",
      url: expect.stringMatching(/\/_workitems\/edit\/1$/),
    });
    const fields = azure.workItems.get(1)!.fields;
    expect(fields["System.WorkItemType"]).toBe("Bug");
    expect(fields["System.Title"]).toBe(conformanceIncident.title);
    expect(fields["Microsoft.VSTS.Common.Severity"]).toBe("1 - Critical");
    expect(fields["System.Tags"]).toBe("shipgate; severity:critical; shipgate:shop@production");
    const steps = String(fields["Microsoft.VSTS.TCM.ReproSteps"]);
    expect(steps.indexOf("PR 102")).toBeLessThan(steps.indexOf("PR 101"));
    expect(steps).toContain("<b>likely culprit</b>");
  });

  it("carries the postmortem draft as HTML: timeline, detection, rollback, impact, culprit CC'd, empty sections", async () => {
    const { emulator: azure, provider } = await setup();
    await provider.incidents.open(conformancePostmortemIncident, live());
    const steps = String(azure.workItems.get(1)!.fields["Microsoft.VSTS.TCM.ReproSteps"]);
    for (const heading of POSTMORTEM_DRAFT_HEADINGS) expect(steps).toContain(`<h3>${heading}</h3>`);
    expect(steps).toContain(
      "<tr><td>2026-01-05 10:14:42Z</td><td>rollback verified: stable version v1.3.2 is serving</td></tr>",
    );
    expect(steps).toContain("<li>error rate: 4.10% against the objective ≤ 1.00% — BREACHED</li>");
    expect(steps).toContain("<p>Previous version restored and verified in 1 m 42 s.</p>");
    expect(steps).toContain("<p>CC: @carol</p>");
    expect(steps).toContain('<tr><th align="left">Release captain</th><td>alice</td></tr>');
    expect(steps).toContain('<li><a href="https://grafana.example.com/d/shop">Grafana</a></li>');
  });

  it("uses System.Description for other work item types", async () => {
    const { emulator: azure, provider } = await setup({ incidents: { workItemType: "Issue" } });
    await provider.incidents.open(conformanceIncident, live());
    const fields = azure.workItems.get(1)!.fields;
    expect(fields["System.WorkItemType"]).toBe("Issue");
    expect(String(fields["System.Description"])).toContain("error rate 4.10% &gt; 1.00% at 25%");
    expect(fields["Microsoft.VSTS.Common.Severity"]).toBeUndefined();
  });

  it("closes the open incidents of a service and environment after a good release", async () => {
    const { emulator: azure, provider } = await setup();
    await provider.incidents.open(conformanceIncident, live());
    await provider.incidents.open({ ...conformanceIncident, environment: "staging" }, live());
    const closed = (
      await provider.incidents.resolveOpen!(
        { service: "shop", environment: "production", version: "v1.4.1" },
        live(),
      )
    )._unsafeUnwrap();
    expect(closed.map((r) => r.id)).toEqual(["1"]);
    expect([...azure.workItems.values()].map((w) => w.fields["System.State"])).toEqual([
      "Closed",
      "New",
    ]);
  });

  it("records the release key, and never finds a work item filed without it (an older version's)", async () => {
    const { emulator: azure, provider } = await setup();
    const key = "shipgate/shop/production/v1.4.0/run-7";
    // Filed before release keys: same scope and tags, the key only in its text.
    const older = {
      ...conformanceIncident,
      breachReason: `${key} <!-- shipgate release key: ${key} -->`,
    };
    await provider.incidents.open(older, live());
    expect((await provider.incidents.findOpened!(key, live()))._unsafeUnwrap()).toBeNull();
    const opened = (
      await provider.incidents.open({ ...conformanceIncident, releaseKey: key }, live())
    )._unsafeUnwrap();
    const steps = String(azure.workItems.get(2)!.fields["Microsoft.VSTS.TCM.ReproSteps"]);
    expect(steps).toContain(`<!-- shipgate release key: ${key} -->`);
    expect((await provider.incidents.findOpened!(key, live()))._unsafeUnwrap()).toEqual(opened);
  });

  it("finds a release key that needs HTML escaping exactly", async () => {
    const { emulator: azure, provider } = await setup({ incidents: { workItemType: "Issue" } });
    const key = 'shipgate/shop/production/v1.4.0/run<1>&"x"';
    const escaped = "shipgate/shop/production/v1.4.0/run&lt;1&gt;&amp;&quot;x&quot;";
    const open = async (releaseKey: string) =>
      (
        await provider.incidents.open({ ...conformanceIncident, releaseKey }, live())
      )._unsafeUnwrap();
    const find = async (releaseKey: string) =>
      (await provider.incidents.findOpened!(releaseKey, live()))._unsafeUnwrap();
    await open(`${key}-other`);
    const opened = await open(key);
    await open(key.slice(0, -1));
    expect(String(azure.workItems.get(2)!.fields["System.Description"])).toContain(
      `<!-- shipgate release key: ${escaped} -->`,
    );
    expect(await find(key)).toEqual(opened);
    // The escaped text is another key, and so is one escaped twice.
    expect(await find(escaped)).toBeNull();
    expect(await find(key.replaceAll("&", "&amp;"))).toBeNull();
  });

  it("finds a closed incident among many newer ones, 200 per read, and retries a 429", async () => {
    const { emulator: azure, provider } = await setup();
    const key = "shipgate/shop/production/v1.4.0/run-1";
    const opened = (
      await provider.incidents.open({ ...conformanceIncident, releaseKey: key }, live())
    )._unsafeUnwrap();
    await provider.incidents.resolveOpen!(
      { service: "shop", environment: "production", version: "v1.4.1" },
      live(),
    );
    const newer = (await provider.incidents.open(conformanceIncident, live()))._unsafeUnwrap();
    const fields = azure.workItems.get(Number(newer.id))!.fields;
    for (let id = azure.workItems.size + 1; id <= 251; id += 1)
      azure.workItems.set(id, { id, rev: 1, fields: { ...fields } });
    azure.resetLog();
    azure.fail({
      path: /\/workitemsbatch/i,
      respond: { status: 429, headers: { "retry-after": "0" } },
    });
    const found = (await provider.incidents.findOpened!(key, live()))._unsafeUnwrap();
    expect(found).toEqual(opened);
    expect(azure.workItems.get(1)!.fields["System.State"]).toBe("Closed");
    const reads = azure.responses
      .filter((r) => r.route === "POST wit/workitemsbatch")
      .map((r) => (r.body as { value: { _links?: unknown }[] }).value);
    // Newest first: ids 251…52, then 51…1 (the closed one last), then its web link.
    expect(reads.map((value) => value.length)).toEqual([200, 51, 1]);
    expect(reads.map((value) => "_links" in value[0]!)).toEqual([false, false, true]);
    expect(
      azure.requests.filter((r) => /\/workitemsbatch/i.test(r.url)).map((r) => r.status),
    ).toEqual([429, 200, 200, 200]);
  });

  it("refuses a key of another shape without a request, and resolves aborted when the signal fired", async () => {
    const { emulator: azure, provider } = await setup();
    azure.resetLog();
    const error = (
      await provider.incidents.findOpened!("not-a-release-key", live())
    )._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "invalid_input", field: "releaseKey" });
    expect(azure.requests).toEqual([]);
    const controller = new AbortController();
    controller.abort();
    const aborted = await provider.incidents.findOpened!("shipgate/shop/production/v1/run", {
      signal: controller.signal,
    });
    expect(aborted._unsafeUnwrapErr().kind).toBe("aborted");
  });

  it("escapes HTML", () => {
    expect(
      renderAzureIncident({ ...conformanceIncident, breachReason: "<script>x</script> & y" }),
    ).toContain("&lt;script&gt;x&lt;/script&gt; &amp; y");
  });
});
