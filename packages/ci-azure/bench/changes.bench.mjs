// Request count of listChanges for a release of 1,000 completed pull requests, against the
// local Azure DevOps emulator, through the built package (run `pnpm build` first).
import { createAzureDevOpsProvider } from "@shipgate/ci-azure";
import { azureProviderOptions, startAzureDevOpsEmulator } from "@shipgate/ci-azure/testing";
import { measureListChanges } from "@shipgate/core/testing/emulator";

const COMPLETED = 1000;
const azure = await startAzureDevOpsEmulator();
try {
  azure.commit({ branch: "main", comment: "Initial commit" });
  // History before the previous release, and work on another branch: must not be counted.
  for (let i = 0; i < 200; i += 1)
    azure.pullRequest({ title: `old ${i}`, approvers: ["bob@example.com"] });
  azure.tag("v1.0.0", azure.branchHead("main"), "Release v1.0.0");
  azure.commit({ branch: "develop", parents: [azure.branchHead("main")] });
  for (let i = 0; i < 50; i += 1)
    azure.pullRequest({ title: `develop ${i}`, targetBranch: "develop" });
  for (let i = 0; i < COMPLETED; i += 1) {
    azure.pullRequest({
      title: `feat: change ${i}`,
      author: `dev${i % 17}@example.com`,
      labels: i % 5 === 0 ? ["bug"] : [],
      approvers: [`rev${i % 7}@example.com`, `rev${(i + 3) % 7}@example.com`],
      files: [`src/module-${i % 40}/file-${i}.ts`, `test/file-${i}.test.ts`],
      // Half squash-merged (1 commit), half merged with a merge commit (2 commits).
      squash: i % 2 === 0,
    });
  }
  const toSha = azure.branchHead("main");

  for (const files of [true, false]) {
    const { sourceControl } = createAzureDevOpsProvider(
      azureProviderOptions(azure, { changes: { files } }),
    );
    const { changes, ms, requests, routes } = await measureListChanges(azure, sourceControl, {
      fromTag: "v1.0.0",
      toSha,
    });
    const complete =
      changes.length === COMPLETED &&
      changes.every((c) => c.reviewers.length === 2 && c.files.length === (files ? 2 : 0));
    if (!complete) throw new Error(`incomplete: ${changes.length} changes`);
    console.log(
      `ci-azure: listChanges ${COMPLETED} completed PRs (${files ? "with" : "without"} changed files) → ${requests} requests in ${ms} ms [${routes}]`,
    );
  }
} finally {
  await azure.close();
}
