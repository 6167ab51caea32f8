import {
  describeApprovalGateConformance,
  describeCiProviderConformance,
  describeIncidentSinkConformance,
  describeSourceControlConformance,
} from "@shipgate/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GitHubScenario, startGitHubScenario } from "./testing/github-test-scenario.js";

let scenario: GitHubScenario;
const ready = startGitHubScenario().then((s) => {
  scenario = s;
  return s;
});

beforeAll(async () => {
  await ready;
});

afterAll(async () => {
  await scenario?.close();
});

describeSourceControlConformance("GitHub (emulated api.github.com)", async () => {
  const s = await ready;
  return {
    sourceControl: s.provider().sourceControl,
    releaseBranch: "main",
    onBranchSha: s.fixSha,
    offBranchSha: s.offBranchSha,
    missingSha: s.missingSha,
    existingTag: { name: "v1.0.0", sha: s.root },
    missingTag: "v9.9.9",
    range: { fromTag: "v1.0.0", toSha: s.docsSha, expectedNumbers: [2, 3, 4] },
  };
});

describeCiProviderConformance("GitHub checks and statuses (emulated)", async () => {
  const s = await ready;
  return {
    ci: s.provider().ci,
    greenSha: s.fixSha,
    redSha: s.featSha,
    unknownSha: s.root,
    pendingSha: s.docsSha,
  };
});

describeApprovalGateConformance("GitHub pull request reviews (emulated)", async () => {
  const s = await ready;
  return {
    gate: s.provider().approvals,
    request: { service: "shop", environment: "production", version: "v1.1.0", sha: s.fixSha },
    expectedApprovers: ["alice", "dave"],
  };
});

describeApprovalGateConformance("GitHub environment deployment reviews (emulated)", async () => {
  const s = await ready;
  return {
    gate: s.provider({ approvalSource: "environment_reviews" }).approvals,
    request: { service: "shop", environment: "production", version: "v1.1.0", sha: s.fixSha },
    expectedApprovers: ["erin"],
  };
});

describeIncidentSinkConformance("GitHub issues (emulated)", async () => {
  const s = await ready;
  return {
    sink: s.provider().incidents,
    readBack: async (ref) => {
      const number = Number(ref.id.split("#").pop());
      const issue = s.gh.repository.issues.get(number);
      return issue ? `${issue.title}\n${issue.body ?? ""}` : null;
    },
  };
});

describe("the emulator behind the conformance suites", () => {
  it("answered every request within GitHub's published contract (OpenAPI / GraphQL schema)", () => {
    expect(scenario.gh.requests.length).toBeGreaterThan(20);
    expect(scenario.gh.specViolations).toEqual([]);
  });
});
