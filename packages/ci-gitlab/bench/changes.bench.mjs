// Request count of listChanges for a release of 1,000 merged merge requests, against the
// local GitLab emulator, through the built package (run `pnpm build` first).
import { createGitLabProvider } from "@shipgate/ci-gitlab";
import { gitLabProviderOptions, startGitLabEmulator } from "@shipgate/ci-gitlab/testing";
import { measureListChanges } from "@shipgate/core/testing/emulator";

const MERGED = 1000;
const gitlab = await startGitLabEmulator();
try {
  gitlab.commit({ branch: "main", title: "Initial commit" });
  // History before the previous release, and work on another branch: must not be counted.
  for (let i = 0; i < 200; i += 1) gitlab.mergeRequest({ title: `old ${i}`, approvers: ["bob"] });
  gitlab.tag("v1.0.0", gitlab.branchHead("main"), "Release v1.0.0");
  gitlab.commit({ branch: "develop", parents: [gitlab.branchHead("main")] });
  for (let i = 0; i < 50; i += 1)
    gitlab.mergeRequest({ title: `develop ${i}`, targetBranch: "develop" });
  const strategies = ["merge", "squash", "fast-forward"];
  for (let i = 0; i < MERGED; i += 1) {
    gitlab.mergeRequest({
      title: `feat: change ${i}`,
      author: `dev${i % 17}`,
      labels: i % 5 === 0 ? ["bug"] : [],
      approvers: [`rev${i % 7}`, `rev${(i + 3) % 7}`],
      files: [`src/module-${i % 40}/file-${i}.ts`, `test/file-${i}.test.ts`],
      strategy: strategies[i % 3],
    });
  }
  const toSha = gitlab.branchHead("main");

  for (const details of ["graphql", "rest"]) {
    const { sourceControl } = createGitLabProvider(
      gitLabProviderOptions(gitlab, { changes: { details } }),
    );
    const { changes, ms, requests, routes } = await measureListChanges(gitlab, sourceControl, {
      fromTag: "v1.0.0",
      toSha,
    });
    const complete =
      changes.length === MERGED &&
      changes.every((c) => c.reviewers.length === 2 && c.files.length === 2);
    if (!complete) throw new Error(`incomplete: ${changes.length} changes`);
    console.log(
      `ci-gitlab: listChanges ${MERGED} merged MRs (${details} details) → ${requests} requests in ${ms} ms [${routes}]`,
    );
  }
} finally {
  await gitlab.close();
}
