import { describeCiStackConformance } from "@shipgate/core/testing";
import { type AzureDevOpsEmulator, startAzureDevOpsEmulator } from "./testing/azure-emulator.js";
import { seededAzureProvider } from "./testing/azure-test-scenario.js";

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
    const { s: scenario, provider } = seededAzureProvider(azure, (s) => ({
      repository: azure.repository,
      releaseBranch: s.releaseBranch,
      transport: { retryBaseDelayMs: 1 },
    }));
    return {
      ...provider,
      scenario,
      expectedApprovers: ["olivia@example.com", "trent@example.com"],
      readIncident: async (ref) => workItemText(azure, ref.id),
      close: () => azure.close(),
    };
  },
);
