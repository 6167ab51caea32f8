import { itReportsReleaseScenarioChecks } from "@shipgate/core/testing";
import { describe, expect, it } from "vitest";
import { gitlabStatusToCheck } from "./gitlab-ci-provider.js";
import { live, seededGitLabProviderPerTest } from "./testing/gitlab-test-scenario.js";

const setup = seededGitLabProviderPerTest();

describe("gitlabStatusToCheck", () => {
  it.each([
    ["success", "completed", "success"],
    ["failed", "completed", "failure"],
    ["canceled", "completed", "cancelled"],
    ["skipped", "completed", "skipped"],
    ["manual", "completed", "action_required"],
    ["running", "in_progress", null],
    ["pending", "queued", null],
    ["created", "queued", null],
    ["waiting_for_resource", "queued", null],
    ["preparing", "queued", null],
    ["scheduled", "queued", null],
    ["some_future_status", "queued", null],
  ])("%s → %s / %s", (gitlabStatus, status, conclusion) => {
    expect(gitlabStatusToCheck(gitlabStatus)).toEqual({ status, conclusion });
  });
});

describe("GitLab CI checks", () => {
  it("reports pipelines and jobs, with allow_failure as optional", async () => {
    const { s, provider } = await setup();
    const checks = (await provider.ci.listChecks(s.greenSha, live()))._unsafeUnwrap();
    const byName = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(Object.keys(byName).sort()).toEqual(["flaky-e2e", "lint", "pipeline (main)", "unit"]);
    expect(byName["pipeline (main)"]).toMatchObject({ status: "completed", conclusion: "success" });
    expect(byName["pipeline (main)"]!.required).toBeUndefined();
    expect(byName["pipeline (main)"]!.url).toMatch(/\/acme\/shop\/-\/pipelines\/\d+$/);
    expect(byName.unit).toMatchObject({
      status: "completed",
      conclusion: "success",
      required: true,
    });
    expect(byName["flaky-e2e"]).toMatchObject({ required: false });
    expect(byName.unit!.completedAt).not.toBeNull();
  });

  // A failed job fails its pipeline too; running and pending jobs are not completed.
  itReportsReleaseScenarioChecks(setup, {
    red: [
      { name: "pipeline (main)", conclusion: "failure" },
      { name: "unit", conclusion: "failure" },
    ],
    pending: [
      {
        name: "pipeline (feature/never-merged)",
        status: "in_progress",
        conclusion: null,
        completedAt: null,
      },
      { name: "unit", status: "in_progress", conclusion: null, completedAt: null },
      { name: "lint", status: "queued", conclusion: null, completedAt: null },
    ],
  });

  it("returns [] for a sha GitLab has never seen (its statuses API answers 404 Commit Not Found)", async () => {
    const { emulator: gitlab, s, provider } = await setup();
    gitlab.resetLog();
    expect((await provider.ci.listChecks(s.missingSha, live()))._unsafeUnwrap()).toEqual([]);
    expect(gitlab.requests.map((r) => r.status)).toEqual([200, 404]);
  });

  it("reads every page of statuses", async () => {
    const { emulator: gitlab, s, provider } = await setup();
    for (let i = 0; i < 230; i += 1)
      gitlab.status({ sha: s.toSha, name: `shard-${i}`, status: "success" });
    const checks = (await provider.ci.listChecks(s.toSha, live()))._unsafeUnwrap();
    expect(checks).toHaveLength(1 + 3 + 230);
    expect(gitlab.requests.filter((r) => r.route?.endsWith("/statuses")).length).toBe(3);
  });

  it("drops target URLs that are not web links", async () => {
    const { emulator: gitlab, s, provider } = await setup();
    gitlab.status({
      sha: s.toSha,
      name: "external",
      status: "success",
      targetUrl: "javascript:alert(1)",
    });
    gitlab.status({ sha: s.toSha, name: "no-url", status: "success", targetUrl: null });
    const checks = (await provider.ci.listChecks(s.toSha, live()))._unsafeUnwrap();
    expect(checks.find((c) => c.name === "external")!.url).toBeNull();
    expect(checks.find((c) => c.name === "no-url")!.url).toBeNull();
  });
});
