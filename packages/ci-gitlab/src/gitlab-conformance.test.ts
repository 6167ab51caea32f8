import { describeCiStackConformance } from "@shipgate/core/testing";
import { createGitLabProvider } from "./gitlab-provider.js";
import { startGitLabEmulator } from "./testing/gitlab-emulator.js";
import { seedGitLabReleaseScenario } from "./testing/gitlab-test-scenario.js";

// Each suite gets its own emulator, seeded with the same scenario, and talks to it through
// gitbeaker over real HTTP on 127.0.0.1.
describeCiStackConformance(
  {
    sourceControl: "gitlab",
    ci: "gitlab",
    approvals: "gitlab deployment approvals",
    incidents: "gitlab incidents",
  },
  async () => {
    const gitlab = await startGitLabEmulator();
    const scenario = seedGitLabReleaseScenario(gitlab);
    const provider = createGitLabProvider({
      project: gitlab.projectPath,
      token: gitlab.token,
      baseUrl: gitlab.url,
      releaseBranch: scenario.releaseBranch,
      transport: { retryBaseDelayMs: 1 },
    });
    return {
      ...provider,
      scenario,
      expectedApprovers: ["olivia", "trent"],
      readIncident: async (ref) => {
        const issue = gitlab.issues.find((i) => String(i.iid) === ref.id);
        return issue ? `${issue.title}\n${issue.description}` : null;
      },
      close: () => gitlab.close(),
    };
  },
);
