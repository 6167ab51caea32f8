import {
  describeApprovalGateConformance,
  describeCiProviderConformance,
  describeIncidentSinkConformance,
  describeSourceControlConformance,
} from "@shipgate/core/testing";
import { createGitLabProvider } from "./gitlab-provider.js";
import { type GitLabEmulator, startGitLabEmulator } from "./testing/gitlab-emulator.js";
import { seedGitLabReleaseScenario } from "./testing/gitlab-test-scenario.js";

// Each suite gets its own emulator, seeded with the same scenario, and talks to it through
// gitbeaker over real HTTP on 127.0.0.1.
async function setup() {
  const gitlab = await startGitLabEmulator();
  const scenario = seedGitLabReleaseScenario(gitlab);
  const provider = createGitLabProvider({
    project: gitlab.projectPath,
    token: gitlab.token,
    baseUrl: gitlab.url,
    releaseBranch: scenario.releaseBranch,
    transport: { retryBaseDelayMs: 1 },
  });
  return { gitlab, scenario, provider };
}

const issueText = (gitlab: GitLabEmulator, id: string) => {
  const issue = gitlab.issues.find((i) => String(i.iid) === id);
  return issue ? `${issue.title}\n${issue.description}` : null;
};

describeSourceControlConformance("gitlab", async () => {
  const { gitlab, scenario, provider } = await setup();
  return {
    sourceControl: provider.sourceControl,
    releaseBranch: scenario.releaseBranch,
    onBranchSha: scenario.toSha,
    offBranchSha: scenario.offBranchSha,
    missingSha: scenario.missingSha,
    existingTag: scenario.previousTag,
    missingTag: "v9.9.9",
    range: {
      fromTag: scenario.previousTag.name,
      toSha: scenario.toSha,
      expectedNumbers: scenario.expectedNumbers,
    },
    cleanup: () => gitlab.close(),
  };
});

describeCiProviderConformance("gitlab", async () => {
  const { gitlab, scenario, provider } = await setup();
  return {
    ci: provider.ci,
    greenSha: scenario.greenSha,
    redSha: scenario.redSha,
    unknownSha: scenario.missingSha,
    pendingSha: scenario.pendingSha,
    cleanup: () => gitlab.close(),
  };
});

describeApprovalGateConformance("gitlab deployment approvals", async () => {
  const { gitlab, scenario, provider } = await setup();
  return {
    gate: provider.approvals,
    request: { service: "shop", environment: "production", version: "v1.1.0", sha: scenario.toSha },
    expectedApprovers: ["olivia", "trent"],
    cleanup: () => gitlab.close(),
  };
});

describeIncidentSinkConformance("gitlab incidents", async () => {
  const { gitlab, provider } = await setup();
  return {
    sink: provider.incidents,
    readBack: async (ref) => issueText(gitlab, ref.id),
    cleanup: () => gitlab.close(),
  };
});
