import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmbeddedDefaults } from "../defaults/embedded-defaults.js";
import type { ReleaseStack } from "../model/release-stack.js";
import { createFakeCiProvider } from "../testing/fakes/fake-ci-provider.js";
import { createSimulatedDeployer } from "../testing/fakes/simulated-deployer.js";
import {
  createSimulatedSloSource,
  type MetricsByWeight,
} from "../testing/fakes/simulated-slo-source.js";
import {
  FastImportStream,
  shopRootCommit,
  TestRepo,
  testAuthor,
} from "../testing/test-git-repo.js";
import { shopReleaseInput } from "../testing/test-scenarios.js";
import { createVirtualClock } from "../testing/virtual-clock.js";
import { createReleaseOrchestrator } from "./orchestrator.js";

// The embedded default stack end to end: a real git repository, files on disk, the file lock.
describe("release on the embedded default stack (real git, real files)", () => {
  let repo: TestRepo;
  let head = "";
  beforeAll(() => {
    repo = TestRepo.create();
    const s = new FastImportStream();
    let main = shopRootCommit(s);
    const prs: [number, string, string, string][] = [
      [1, "feat(api): add bulk export", "alice", "src/api/export.ts"],
      [2, "fix(cart)!: change rounding", "carol", "src/cart/total.ts"],
      [3, "docs: document export", "erin", "docs/export.md"],
    ];
    const tagBase = main;
    for (const [n, title, author, file] of prs) {
      const branch = s.commit({
        ref: `refs/heads/pr-${n}`,
        author: testAuthor(author, n),
        message: `${title}\n`,
        parents: [main],
        files: { [file]: `${n}\n` },
      });
      main = s.commit({
        ref: "refs/heads/main",
        author: testAuthor("merger", n),
        message: `Merge pull request #${n} from acme/pr-${n}\n\n${title}\n\nReviewed-by: Bob <bob@example.com>\n`,
        parents: [main, branch],
      });
    }
    const marks = repo.import(s);
    repo.git(["tag", "-a", "v1.3.0", marks.get(tagBase)!, "-m", "v1.3.0"]);
    head = marks.get(main)!;
  });
  afterAll(() => repo?.remove());

  const stackFor = (metrics: MetricsByWeight): ReleaseStack => {
    const clock = createVirtualClock();
    const deployer = createSimulatedDeployer({ stableVersion: "v1.3.0" });
    return {
      ...createEmbeddedDefaults({
        cwd: repo.dir,
        remoteUrl: "https://github.com/acme/shop",
        tagger: { name: "Release Bot", email: "bot@example.com" },
      }),
      clock,
      ci: createFakeCiProvider({ clock, checks: [{ name: "unit", conclusion: "success" }] }),
      deployer,
      slo: createSimulatedSloSource(deployer, metrics),
    };
  };
  const spec = (version: string) => shopReleaseInput(version, head);

  it("tags with git, writes the report, status files and changelog from the real history", async () => {
    const outcome = await createReleaseOrchestrator(
      stackFor({ default: { error_rate: 0.001, p95_latency_ms: 90 } }),
    ).release(spec("v1.4.0"));
    expect(outcome.status).toBe("SUCCESS");
    expect(repo.git(["rev-parse", "v1.4.0^{commit}"])).toBe(head);
    expect(repo.git(["cat-file", "-t", "v1.4.0"])).toBe("tag");
    const prs = JSON.parse(
      readFileSync(join(repo.dir, "devops/status/prs-in-release.json"), "utf8"),
    );
    expect(prs.total).toBe(3);
    expect(prs.groups.feat[0]).toMatchObject({
      number: 1,
      url: "https://github.com/acme/shop/pull/1",
      author: "alice",
      reviewers: ["Bob"],
    });
    const report = readFileSync(join(repo.dir, "devops/reports/release-v1.4.0.md"), "utf8");
    expect(report).toContain("status: SUCCESS");
    expect(report).toContain("[#2](https://github.com/acme/shop/pull/2)");
    expect(report).not.toContain(repo.dir);
    expect(existsSync(join(repo.dir, "devops/status/release-shop.lock"))).toBe(false);
  });

  it("rolls back on a breach and writes the incident file naming the culprit", async () => {
    const outcome = await createReleaseOrchestrator(
      stackFor({
        "25": { error_rate: 0.05, p95_latency_ms: 90 },
        default: { error_rate: 0.001, p95_latency_ms: 90 },
      }),
    ).release(spec("v1.4.1"));
    expect(outcome).toMatchObject({ status: "ABORTED", exitCode: 3, maxWeightReached: 25 });
    const incidents = readdirSync(join(repo.dir, "incidents"));
    expect(incidents).toHaveLength(1);
    const incident = readFileSync(join(repo.dir, "incidents", incidents[0]!), "utf8");
    expect(incident).toContain("#2");
    expect(incident).not.toContain(repo.dir);
  });
});
