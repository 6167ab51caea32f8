import { describe, expect, it } from "vitest";
import { renderFrontMatter } from "../artifacts/front-matter.js";
import { createMemoryArtifactStore } from "../testing/fakes/memory-artifact-store.js";
import { releaseBreachingInWave2 } from "../testing/test-scenarios.js";
import { DEPLOY_RESULT_PATH, readReleaseHistory } from "./release-history.js";

const signal = new AbortController().signal;
const sha = "a".repeat(40);

function step(weight: number, phase: string, started: string, ended: string, verdict = "passed") {
  return {
    weight,
    phase,
    started,
    ended,
    error_rate: 0.001,
    p95_latency_ms: 100,
    sample_count: 1000,
    polls: 10,
    verdict,
    reason: verdict === "passed" ? null : "error rate 5.00% vs stable 0.10%",
  };
}

async function storeWith(files: Record<string, string>) {
  const store = createMemoryArtifactStore();
  for (const [path, content] of Object.entries(files)) await store.writeStatus(path, content);
  return store;
}

const deployResult = {
  releases: [
    {
      service: "shop",
      environment: "production",
      version: "v1.1.0",
      sha,
      started: "2026-10-01T10:00:00.000Z",
      steps: [
        step(5, "canary", "2026-10-01T10:01:00.000Z", "2026-10-01T10:11:00.000Z"),
        step(25, "canary", "2026-10-01T10:11:00.000Z", "2026-10-01T10:13:00.000Z", "breached"),
      ],
    },
    {
      service: "shop",
      environment: "production",
      version: "v1.1.1",
      sha,
      started: "2026-10-03T10:00:00.000Z",
      stable_version: "v1.0.0",
      steps: [
        step(5, "canary", "2026-10-03T10:01:00.000Z", "2026-10-03T10:11:00.000Z"),
        step(100, "canary", "2026-10-03T10:11:00.000Z", "2026-10-03T10:21:00.000Z"),
        step(100, "stabilization", "2026-10-03T10:21:00.000Z", "2026-10-03T10:31:00.000Z"),
      ],
    },
    {
      service: "other",
      environment: "production",
      version: "v2.0.0",
      sha,
      started: "2026-10-04T10:00:00.000Z",
      steps: [step(5, "canary", "2026-10-04T10:01:00.000Z", "2026-10-04T10:11:00.000Z")],
    },
  ],
};

function report(version: string, started: string, extra: Record<string, unknown>) {
  return `${renderFrontMatter({ version, service: "shop", environment: "production", started, dry_run: false, ...extra })}# Report\n`;
}

describe("readReleaseHistory", () => {
  it("joins deploy-result.json with the reports' front matter, oldest first", async () => {
    const store = await storeWith({
      [DEPLOY_RESULT_PATH]: JSON.stringify(deployResult),
      "devops/reports/release-v1.1.0.md": report("v1.1.0", "2026-10-01T10:00:00Z", {
        status: "ABORTED",
        reason: "slo_breach",
        previous_release_tag: "v1.0.0",
      }),
      "devops/reports/release-v1.1.1.md": report("v1.1.1", "2026-10-03T10:00:00.000Z", {
        status: "SUCCESS",
        reason: "released",
        previous_release_tag: "v1.0.9",
      }),
      // A dry run of the same version and start is not the release.
      "devops/reports/release-v1.1.1-dryrun.md": report("v1.1.1", "2026-10-03T10:00:00.000Z", {
        status: "SUCCESS",
        dry_run: true,
      }),
    });
    const history = (await readReleaseHistory(store, {}, { signal }))._unsafeUnwrap();
    expect(
      history.map((r) => [r.service, r.version, r.status, r.reason, r.stableVersion, r.reportPath]),
    ).toEqual([
      ["shop", "v1.1.0", "ABORTED", "slo_breach", "v1.0.0", "devops/reports/release-v1.1.0.md"],
      // The recorded stable version wins over previous_release_tag.
      ["shop", "v1.1.1", "SUCCESS", "released", "v1.0.0", "devops/reports/release-v1.1.1.md"],
      ["other", "v2.0.0", null, null, null, null],
    ]);
    expect(history[1]!.steps.map((s) => [s.index, s.weight, s.phase])).toEqual([
      [0, 5, "canary"],
      [1, 100, "canary"],
      [2, 100, "stabilization"],
    ]);
    expect(history[0]!.steps[1]).toMatchObject({
      verdict: "breached",
      sampleCount: 1000,
      observations: [],
    });
  });

  it("filters by service, start and count", async () => {
    const store = await storeWith({ [DEPLOY_RESULT_PATH]: JSON.stringify(deployResult) });
    const read = async (o: Parameters<typeof readReleaseHistory>[1]) =>
      (await readReleaseHistory(store, o, { signal }))._unsafeUnwrap().map((r) => r.version);
    expect(await read({ service: "shop" })).toEqual(["v1.1.0", "v1.1.1"]);
    expect(await read({ last: 2 })).toEqual(["v1.1.1", "v2.0.0"]);
    expect(await read({ since: new Date("2026-10-02") })).toEqual(["v1.1.1", "v2.0.0"]);
    expect(await read({ environment: "staging" })).toEqual([]);
    expect(await read({ environment: ["staging", "production"], service: "shop" })).toEqual([
      "v1.1.0",
      "v1.1.1",
    ]);
  });

  it("is empty without a deploy-result.json, and names the file when it is not valid", async () => {
    const empty = await readReleaseHistory(createMemoryArtifactStore(), {}, { signal });
    expect(empty._unsafeUnwrap()).toEqual([]);
    const broken = await storeWith({ [DEPLOY_RESULT_PATH]: "{ not json" });
    const e1 = (await readReleaseHistory(broken, {}, { signal }))._unsafeUnwrapErr();
    expect([e1.kind, e1.field]).toEqual(["invalid_input", DEPLOY_RESULT_PATH]);
    const wrong = await storeWith({
      [DEPLOY_RESULT_PATH]: JSON.stringify({ releases: [{ service: 1 }] }),
    });
    const e2 = (await readReleaseHistory(wrong, {}, { signal }))._unsafeUnwrapErr();
    expect(e2.kind).toBe("invalid_input");
    expect(e2.message).toContain("releases.0.service");
  });

  it("reads a release with waves as one entry per environment, each with its own steps and polls", async () => {
    const { artifacts, outcome } = await releaseBreachingInWave2();
    expect(outcome.reason).toBe("slo_breach");
    const history = (await readReleaseHistory(artifacts, {}, { signal }))._unsafeUnwrap();
    expect(history.map((r) => [r.environment, r.version, r.status, r.stableVersion])).toEqual([
      ["staging", "v1.4.0", "ABORTED", "v1.3.0"],
      ["prod-us", "v1.4.0", "ABORTED", "v1.3.0"],
      ["prod-eu", "v1.4.0", "ABORTED", "v1.3.0"],
    ]);
    expect(history[0]!.steps.map((s) => [s.index, s.weight, s.phase, s.verdict])).toEqual([
      [0, 5, "canary", "passed"],
      [1, 25, "canary", "passed"],
      [2, 100, "canary", "passed"],
      [3, 100, "stabilization", "passed"],
    ]);
    const prod = (
      await readReleaseHistory(artifacts, { environment: ["prod-us", "prod-eu"] }, { signal })
    )._unsafeUnwrap();
    expect(prod.map((r) => r.environment)).toEqual(["prod-us", "prod-eu"]);
    const eu = (
      await readReleaseHistory(artifacts, { environment: "prod-eu" }, { signal })
    )._unsafeUnwrap();
    expect(eu).toHaveLength(1);
    expect(eu[0]!.steps.map((s) => [s.weight, s.verdict])).toEqual([
      [5, "passed"],
      [25, "breached"],
    ]);
    expect(eu[0]!.steps.every((s) => s.observations.length > 0)).toBe(true);
  });
});
