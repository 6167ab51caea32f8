import {
  describeApprovalGateConformance,
  describeCiProviderConformance,
  describeIncidentSinkConformance,
  describeSourceControlConformance,
} from "@shipgate/core/testing";
import { createAzureDevOpsProvider } from "./azure-provider.js";
import { type AzureDevOpsEmulator, startAzureDevOpsEmulator } from "./testing/azure-emulator.js";
import { seedAzureReleaseScenario } from "./testing/azure-test-scenario.js";

// Each suite gets its own emulator, seeded with the same scenario, reached through
// azure-devops-node-api over real HTTP on 127.0.0.1.
async function setup() {
  const azure = await startAzureDevOpsEmulator();
  const scenario = seedAzureReleaseScenario(azure);
  const provider = createAzureDevOpsProvider({
    orgUrl: azure.orgUrl,
    project: azure.project,
    repository: azure.repository,
    token: azure.token,
    releaseBranch: scenario.releaseBranch,
    transport: { retryBaseDelayMs: 1 },
  });
  return { azure, scenario, provider };
}

// The text a reader sees: the description field is HTML, so tags are dropped and entities decoded.
const workItemText = (azure: AzureDevOpsEmulator, id: string) => {
  const item = azure.workItems.get(Number(id));
  if (!item) return null;
  const body = String(item.fields["Microsoft.VSTS.TCM.ReproSteps"] ?? "")
    .replace(/<[^>]+>/g, " ")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&amp;", "&");
  return body;
};

describeSourceControlConformance("azure repos", async () => {
  const { azure, scenario, provider } = await setup();
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
    cleanup: () => azure.close(),
  };
});

describeCiProviderConformance("azure pipelines", async () => {
  const { azure, scenario, provider } = await setup();
  return {
    ci: provider.ci,
    greenSha: scenario.greenSha,
    redSha: scenario.redSha,
    unknownSha: scenario.missingSha,
    pendingSha: scenario.pendingSha,
    cleanup: () => azure.close(),
  };
});

describeApprovalGateConformance("azure pipeline approvals", async () => {
  const { azure, scenario, provider } = await setup();
  return {
    gate: provider.approvals,
    request: { service: "shop", environment: "production", version: "v1.1.0", sha: scenario.toSha },
    expectedApprovers: ["olivia@example.com", "trent@example.com"],
    cleanup: () => azure.close(),
  };
});

describeIncidentSinkConformance("azure boards", async () => {
  const { azure, provider } = await setup();
  return {
    sink: provider.incidents,
    readBack: async (ref) => workItemText(azure, ref.id),
    cleanup: () => azure.close(),
  };
});
