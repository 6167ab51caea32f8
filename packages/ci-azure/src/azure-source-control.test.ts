import {
  itChecksReleaseScenarioSourceControl,
  itListsReleaseScenarioChanges,
  startedPerTest,
} from "@shipgate/core/testing";
import { describe, expect, it } from "vitest";
import {
  type CreateAzureDevOpsProviderOptions,
  createAzureDevOpsProvider,
} from "./azure-provider.js";
import { type AzureDevOpsEmulator, startAzureDevOpsEmulator } from "./testing/azure-emulator.js";
import {
  azureProviderOptions,
  live,
  seededAzureProviderPerTest,
} from "./testing/azure-test-scenario.js";

const start = startedPerTest(startAzureDevOpsEmulator);

function providerFor(
  azure: AzureDevOpsEmulator,
  extra: Partial<CreateAzureDevOpsProviderOptions> = {},
) {
  return createAzureDevOpsProvider(
    azureProviderOptions(azure, {
      repository: azure.repository,
      transport: { retryBaseDelayMs: 1 },
      ...extra,
    }),
  );
}

const seeded = seededAzureProviderPerTest({ transport: { retryBaseDelayMs: 1 } });

/** A fresh emulator seeded with the release scenario, and Azure Repos over it. */
async function setup(extra: Partial<CreateAzureDevOpsProviderOptions> = {}) {
  const { emulator: azure, s, provider } = await seeded(extra);
  return { azure, s, sourceControl: provider.sourceControl };
}

const routes = (azure: AzureDevOpsEmulator) => azure.requests.map((r) => r.route);

describe("Azure Repos listChanges", () => {
  // Waiting (-5) and group (container) votes are not approvals; folder entries of a commit's
  // changes are dropped, and paths are repository-relative.
  itListsReleaseScenarioChanges(setup, {
    person: (name) => `${name}@example.com`,
    url: ({ azure }, number) => `${azure.orgUrl}/shop/_git/shop/pullrequest/${number}`,
  });

  it("asks for the tag, the range, the pull requests of the range, then files per pull request", async () => {
    const { azure, s, sourceControl } = await setup();
    await sourceControl.getTag("v1.0.0", live()); // warm the location and repository lookups
    azure.resetLog();
    await sourceControl.listChanges({ fromTag: "v1.0.0", toSha: s.toSha }, live());
    expect(routes(azure)).toEqual([
      "GET git/repositories/{repositoryId}/refs",
      "POST git/repositories/{repositoryId}/commitsbatch",
      "POST git/repositories/{repositoryId}/pullrequestquery",
      "GET git/repositories/{repositoryId}/commits/{commitId}/changes",
      "GET git/repositories/{repositoryId}/commits/{commitId}/changes",
      "GET git/repositories/{repositoryId}/commits/{commitId}/changes",
    ]);
  });

  it("pages the range with $top/$skip and batches the pull request query", async () => {
    const azure = await start();
    azure.commit({ branch: "main" });
    azure.tag("v1", azure.branchHead("main")!, "v1");
    for (let i = 0; i < 120; i += 1)
      azure.pullRequest({
        title: `change ${i}`,
        approvers: ["bob@example.com"],
        squash: i % 2 === 0,
      });
    const { sourceControl } = providerFor(azure, {
      changes: { commitPageSize: 50, pullRequestQueryBatch: 40, files: false },
    });
    await sourceControl.getTag("v1", live());
    azure.resetLog();
    const changes = (
      await sourceControl.listChanges({ fromTag: "v1", toSha: azure.branchHead("main")! }, live())
    )._unsafeUnwrap();
    expect(changes.map((c) => c.number)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(changes.every((c) => c.files.length === 0 && c.reviewers[0] === "bob@example.com")).toBe(
      true,
    );
    // 60 merge commits + 60 feature commits + 60 squash commits = 180 commits in the range.
    expect(routes(azure).filter((r) => r?.endsWith("commitsbatch"))).toHaveLength(4);
    expect(routes(azure).filter((r) => r?.endsWith("pullrequestquery"))).toHaveLength(5);
    expect(routes(azure).filter((r) => r?.endsWith("/changes"))).toHaveLength(0);
  });
});

describe("Azure Repos commits and tags", () => {
  itChecksReleaseScenarioSourceControl(setup);

  it("asks for a commit, then for its diff against the release branch", async () => {
    const { azure, s, sourceControl } = await setup();
    await sourceControl.getCommit(s.redSha, live()); // warm the location and repository lookups
    azure.resetLog();
    await sourceControl.getCommit(s.toSha, live());
    expect(routes(azure)).toEqual([
      "GET git/repositories/{repositoryId}/commits/{commitId}",
      "GET git/repositories/{repositoryId}/diffs/commits",
    ]);
    const diffs = new URL(azure.requests[1]!.url, "http://x").searchParams;
    expect(Object.fromEntries(diffs)).toMatchObject({
      baseVersion: s.toSha,
      baseVersionType: "commit",
      targetVersion: "main",
      targetVersionType: "branch",
    });
  });
});
