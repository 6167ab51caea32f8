import { describeCiStackConformance } from "@shipgate/core/testing";
import { createAzureDevOpsProvider } from "./azure-provider.js";
import { type AzureDevOpsEmulator, startAzureDevOpsEmulator } from "./testing/azure-emulator.js";
import { seedAzureReleaseScenario } from "./testing/azure-test-scenario.js";

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

// Each suite gets its own emulator, seeded with the same scenario, reached through
// azure-devops-node-api over real HTTP on 127.0.0.1.
describeCiStackConformance(
  {
    sourceControl: "azure repos",
    ci: "azure pipelines",
    approvals: "azure pipeline approvals",
    incidents: "azure boards",
  },
  async () => {
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
    return {
      ...provider,
      scenario,
      expectedApprovers: ["olivia@example.com", "trent@example.com"],
      readIncident: async (ref) => workItemText(azure, ref.id),
      close: () => azure.close(),
    };
  },
);
