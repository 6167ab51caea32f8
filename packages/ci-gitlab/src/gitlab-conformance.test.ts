import { describeCiStackConformance } from "@shipgate/core/testing";
import { startGitLabEmulator } from "./testing/gitlab-emulator.js";
import { seededGitLabProvider } from "./testing/gitlab-test-scenario.js";

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
    const { s: scenario, provider } = seededGitLabProvider(gitlab, (s) => ({
      releaseBranch: s.releaseBranch,
      transport: { retryBaseDelayMs: 1 },
    }));
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
