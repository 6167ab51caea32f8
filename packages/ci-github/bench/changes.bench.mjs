// Measures how many GitHub requests shipgate needs for a big release, against the local
// emulator (127.0.0.1 only). Run after `pnpm build`: node packages/ci-github/bench/changes.bench.mjs
import { performance } from "node:perf_hooks";
import { createGitHubProvider } from "../dist/index.js";
import { startGitHubEmulator } from "../dist/testing.js";

const TARGET_REQUESTS = 40;
const PULLS = 1000;
const signal = () => ({ signal: new AbortController().signal });

/** Seeds `PULLS` merged pull requests after tag v1.0.0; `mix` picks each one's merge method. */
async function seed(mix) {
  const gh = await startGitHubEmulator();
  const r = gh.repository;
  const base = r.push("main", { message: "initial commit", files: ["README.md"] });
  r.tag("v1.0.0", base);
  for (let i = 0; i < PULLS; i++) {
    const method = mix(i);
    r.mergePullRequest({
      title: `change ${i}`,
      author: `dev${i % 17}`,
      reviews: [{ user: `reviewer${i % 5}` }],
      labels: i % 4 === 0 ? ["bug"] : ["enhancement"],
      files: [`src/module-${i % 50}/file-${i}.ts`],
      method,
      commits: method === "squash" ? 1 : 2,
    });
  }
  r.addCheckRun(r.branchHead("main"), { name: "build" });
  r.addCheckRun(r.branchHead("main"), { name: "test" });
  r.addStatus(r.branchHead("main"), { context: "ci/lint", state: "success" });
  r.protect("main", ["build", "test"]);
  return gh;
}

function provider(gh) {
  return createGitHubProvider({
    owner: "acme",
    repo: "shop",
    token: "test-token-not-real",
    baseUrl: gh.url,
    log: { warn: () => {} },
    // Against the emulator there is no reason to space writes; on GitHub the default 1 s
    // spacing of GraphQL queries applies (so add ~1 s per GraphQL query to the wall time).
    timing: { writeIntervalMs: 0, notificationIntervalMs: 0 },
  });
}

async function measureChanges(label, mix) {
  const gh = await seed(mix);
  try {
    const { sourceControl } = provider(gh);
    const head = gh.repository.branchHead("main");
    const started = performance.now();
    const result = await sourceControl.listChanges({ fromTag: "v1.0.0", toSha: head }, signal());
    const ms = Math.round(performance.now() - started);
    if (result.isErr()) throw result.error;
    const changes = result.value;
    if (changes.length !== PULLS)
      throw new Error(`expected ${PULLS} changes, got ${changes.length}`);
    const stats = sourceControl.lastListChangesStats;
    const requests = gh.requests.length;
    console.log(
      `ci-github: listChanges ${PULLS} PRs${label} → ${requests} requests (${stats.commitPages} compare pages + ${stats.graphqlQueries} GraphQL) (${ms} ms)`,
    );
    if (requests > TARGET_REQUESTS) {
      console.error(`ci-github: over the target of ${TARGET_REQUESTS} requests`);
      process.exitCode = 1;
    }
    return gh;
  } catch (error) {
    await gh.close();
    throw error;
  }
}

const squashOnly = await measureChanges(", all squash-merged", () => "squash");
await squashOnly.close();
const gh = await measureChanges(", mixed (70% squash, 20% merge commit, 10% rebase)", (i) =>
  i % 10 < 7 ? "squash" : i % 10 < 9 ? "merge" : "rebase",
);
try {
  const { ci, sourceControl } = provider(gh);
  const head = gh.repository.branchHead("main");
  gh.requests.length = 0;
  let started = performance.now();
  const checks = await ci.listChecks(head, signal());
  if (checks.isErr()) throw checks.error;
  console.log(
    `ci-github: listChecks one sha (${checks.value.length} checks) → ${gh.requests.length} requests (${Math.round(performance.now() - started)} ms)`,
  );
  gh.requests.length = 0;
  started = performance.now();
  const found = await sourceControl.getCommit(head, signal());
  if (found.isErr()) throw found.error;
  console.log(
    `ci-github: getCommit on-branch check → ${gh.requests.length} requests (${Math.round(performance.now() - started)} ms)`,
  );
} finally {
  await gh.close();
}
