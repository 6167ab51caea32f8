import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readFrontMatter } from "../artifacts/front-matter.js";
import { releaseSpecSchema } from "../model/release-spec.js";
import type { MemoryArtifactStore } from "../testing/fakes/memory-artifact-store.js";
import {
  createMemoryLockBackend,
  createMemoryReleaseLock,
} from "../testing/fakes/memory-release-lock.js";
import { runScenario } from "../testing/run-scenario.js";
import {
  BREACH_AT_25_METRICS,
  baseScenario,
  HEALTHY_METRICS,
  RELEASED_ALL_THE_WAY,
  wavesScenario,
} from "../testing/test-scenarios.js";

const EXAMPLES = resolve(import.meta.dirname, "../../../../examples/scenarios");
const example = (name: string) => parse(readFileSync(`${EXAMPLES}/${name}.yaml`, "utf8"));
const files = (store: unknown) => (store as MemoryArtifactStore).files;

interface DeployResult {
  releases: {
    environment: string;
    steps: unknown[];
    environments?: {
      environment: string;
      wave: number;
      steps: { weight: number; phase: string; verdict: string }[];
    }[];
  }[];
}

describe("release waves: held-in examples", () => {
  for (const name of ["waves-success", "waves-breach-rollback-all", "waves-breach-halt"]) {
    it(`${name} ends as it expects`, async () => {
      const r = await runScenario(example(name));
      expect(r.expectation.failures).toEqual([]);
    });
  }
});

describe("release waves: success", () => {
  it("runs wave 1, bakes, runs wave 2 side by side; one tag, one changelog, one report with a section per environment", async () => {
    const r = await runScenario(
      wavesScenario([["staging"], ["prod-us-east-1", "prod-eu-west-1"]], { bake_minutes: 30 }),
    );
    expect(r.outcome).toMatchObject(RELEASED_ALL_THE_WAY);
    for (const name of ["staging", "prod-us-east-1", "prod-eu-west-1"]) {
      expect(r.environments[name]!.state.history, name).toEqual([5, 25, 100]);
      expect(r.environments[name]!.state.stableVersion, name).toBe("v1.4.0");
    }
    // The single-environment deployer is not touched by a release with waves.
    expect(r.deployer.state.history).toEqual([]);
    expect(r.events.filter((e) => e.type === "tag.created")).toHaveLength(1);
    expect(r.events.filter((e) => e.type === "changelog.written")).toHaveLength(1);

    // Wave 2 starts after wave 1 ended and the bake elapsed, and its environments overlap.
    const started = r.events.filter((e) => e.type === "wave.started");
    const finished = r.events.filter((e) => e.type === "wave.finished");
    expect(started.map((e) => e.type === "wave.started" && e.environments)).toEqual([
      ["staging"],
      ["prod-us-east-1", "prod-eu-west-1"],
    ]);
    expect(Date.parse(started[1]!.at) - Date.parse(finished[0]!.at)).toBe(30 * 60_000);
    const firstPoll = (env: string) =>
      r.events.find((e) => e.type === "canary.poll" && e.environment === env)!.at;
    expect(firstPoll("prod-us-east-1")).toBe(firstPoll("prod-eu-west-1"));

    const f = files(r.artifacts);
    const deploy = JSON.parse(f.get("devops/status/deploy-result.json")!) as DeployResult;
    expect(deploy.releases).toHaveLength(1);
    expect(deploy.releases[0]!.steps).toEqual([]);
    expect(
      deploy.releases[0]!.environments!.map((e) => [
        e.environment,
        e.wave,
        e.steps.map((s) => `${s.phase}:${s.weight}:${s.verdict}`),
      ]),
    ).toEqual(
      ["staging", "prod-us-east-1", "prod-eu-west-1"].map((name, i) => [
        name,
        i === 0 ? 0 : 1,
        [
          "canary:5:passed",
          "canary:25:passed",
          "canary:100:passed",
          "stabilization:100:passed",
          // Wave 1 is watched through the bake too.
          ...(i === 0 ? ["stabilization:100:passed"] : []),
        ],
      ]),
    );
    const report = f.get(r.outcome.paths.report!)!;
    expect(readFrontMatter(report)).toMatchObject({ status: "SUCCESS", environment: "production" });
    for (const section of [
      "Waves: 2, on a breach: `rollback_all`.",
      "### Environment staging (wave 1)",
      "### Environment prod-us-east-1 (wave 2)",
      "### Environment prod-eu-west-1 (wave 2)",
      "| 1 | staging: promoted |",
      "| 2 | prod-us-east-1: promoted; prod-eu-west-1: promoted |",
    ])
      expect(report).toContain(section);
    expect(report).toContain("shop v1.4.0 is live in staging, prod-us-east-1, prod-eu-west-1");
    // A canary chart per environment beside the report, linked from its section.
    for (const name of ["staging", "prod-us-east-1", "prod-eu-west-1"]) {
      expect(f.get(`devops/reports/release-v1.4.0.${name}.svg`), name).toMatch(/^<svg/);
      expect(report).toContain(`](release-v1.4.0.${name}.svg)`);
    }
    expect(f.has("devops/reports/release-v1.4.0.svg")).toBe(false);
  });

  it("takes each environment's own lock and gives it back", async () => {
    const backends = { a: createMemoryLockBackend(), b: createMemoryLockBackend() };
    const seen: string[] = [];
    const r = await runScenario(wavesScenario([["a"], ["b"]]), {
      onEvent: (e) => {
        if (e.type === "lock.acquired") seen.push(e.environment ?? "service");
        if (e.type === "wave.started") {
          expect(backends.a.holders.has("shop")).toBe(true);
          expect(backends.b.holders.has("shop")).toBe(true);
        }
      },
      environmentLocks: {
        a: createMemoryReleaseLock(backends.a),
        b: createMemoryReleaseLock(backends.b),
      },
    });
    expect(r.outcome.status).toBe("SUCCESS");
    expect(seen).toEqual(["service", "a", "b"]);
    expect(backends.a.holders.has("shop")).toBe(false);
    expect(backends.b.holders.has("shop")).toBe(false);
  });

  it("refuses to start when an environment's lock is held, before anything is tagged", async () => {
    const backend = createMemoryLockBackend();
    const other = createMemoryReleaseLock(backend);
    await other.acquire(
      {
        service: "shop",
        holder: {
          id: "other",
          host: "elsewhere",
          pid: 9,
          startedAt: "2026-01-05T09:00:00Z",
          version: "v1.3.9",
        },
      },
      { signal: new AbortController().signal },
    );
    const r = await runScenario(wavesScenario([["a"], ["b"]]), {
      environmentLocks: { b: createMemoryReleaseLock(backend) },
    });
    expect(r.outcome).toMatchObject({ status: "FAILED", reason: "lock_held", exitCode: 1 });
    expect(r.outcome.summary).toContain("environment b");
    expect(r.events.some((e) => e.type === "tag.created")).toBe(false);
    expect(r.environments.a!.state.history).toEqual([]);
  });
});

describe("release waves: a rerun of a release already live", () => {
  /** Staging and production, each already on `live` where named. */
  const rerun = (liveIn: string[]) =>
    baseScenario({
      release: { waves: [["staging"], ["production-us"]] },
      environments: Object.fromEntries(
        ["staging", "production-us"].map((name) => [
          name,
          {
            metrics: HEALTHY_METRICS,
            deploy: liveIn.includes(name) ? { stable_version: "v1.4.0" } : {},
          },
        ]),
      ),
    });

  it("live in every environment: deploys and tags nothing, SUCCESS already_live, exit 0", async () => {
    const r = await runScenario(rerun(["staging", "production-us"]));
    expect(r.outcome).toMatchObject({
      status: "SUCCESS",
      reason: "already_live",
      exitCode: 0,
      maxWeightReached: 0,
      rolledBack: false,
    });
    expect(r.outcome.summary).toBe(
      "shop v1.4.0 is already live in staging, production-us: nothing to deploy",
    );
    for (const env of ["staging", "production-us"])
      expect(r.environments![env]!.state.history, env).toEqual([]);
    expect(r.events.some((e) => e.type === "tag.created" || e.type === "wave.started")).toBe(false);
  });

  it("live in some: every canary runs, and the report warns for each environment already on it", async () => {
    const r = await runScenario(rerun(["staging"]));
    expect(r.outcome).toMatchObject({ status: "SUCCESS", reason: "released", exitCode: 0 });
    expect(r.outcome.warnings).toContain(
      "staging already runs v1.4.0: its canary compares the version with itself, and a rollback there has no earlier version to go back to",
    );
    expect(r.outcome.warnings.join("\n")).not.toContain("production-us already runs");
  });
});

describe("release waves: a breach", () => {
  const threeWaves = [["staging"], ["prod-us-east-1"], ["prod-eu-west-1"]];

  it("rollback_all: rolls back where it breached, then every promoted environment newest first, each verified; one incident names the environment", async () => {
    const r = await runScenario(
      wavesScenario(threeWaves, {}, { "prod-eu-west-1": BREACH_AT_25_METRICS }),
    );
    expect(r.outcome).toMatchObject({
      status: "ABORTED",
      reason: "slo_breach",
      exitCode: 3,
      rolledBack: true,
      rollbackVerified: true,
    });
    expect(r.outcome.summary).toMatch(/^in prod-eu-west-1: /);
    const order = r.events.flatMap((e) => (e.type === "rollback.started" ? [e.environment] : []));
    expect(order).toEqual(["prod-eu-west-1", "prod-us-east-1", "staging"]);
    for (const name of ["staging", "prod-us-east-1", "prod-eu-west-1"])
      expect(r.environments[name]!.state.stableVersion, name).toBe("v1.3.0");
    expect(r.environments["prod-eu-west-1"]!.state.history).toEqual([5, 25]);

    const f = files(r.artifacts);
    const incidents = [...f.keys()].filter((p) => p.startsWith("incidents/"));
    expect(incidents).toHaveLength(1);
    expect(f.get(incidents[0]!)).toContain("rolled back in prod-eu-west-1");
    expect(f.get(incidents[0]!)).toContain("release-v1.4.0.prod-eu-west-1.svg");
    const report = f.get(r.outcome.paths.report!)!;
    expect(report).toContain(
      "Rolled back, in this order: prod-eu-west-1, prod-us-east-1, staging.",
    );
    expect(report).toContain("stopped in **prod-eu-west-1**");
    expect(report.match(/- verification: verified/g)).toHaveLength(3);
    expect(report).toContain(
      "### Environment staging (wave 1)\n\nState: promoted, rolled back (verified)",
    );
  });

  it("halt: rolls back the environment that breached, leaves the promoted ones on the new version and says so", async () => {
    const r = await runScenario(
      wavesScenario(
        threeWaves,
        { on_wave_failure: "halt" },
        { "prod-eu-west-1": BREACH_AT_25_METRICS },
      ),
    );
    expect(r.outcome).toMatchObject({ status: "ABORTED", exitCode: 3, rollbackVerified: true });
    expect(r.events.flatMap((e) => (e.type === "rollback.started" ? [e.environment] : []))).toEqual(
      ["prod-eu-west-1"],
    );
    expect(r.environments.staging!.state.stableVersion).toBe("v1.4.0");
    expect(r.environments["prod-us-east-1"]!.state.stableVersion).toBe("v1.4.0");
    expect(r.environments["prod-eu-west-1"]!.state.stableVersion).toBe("v1.3.0");
    expect(r.outcome.environments?.map((e) => `${e.name}:${e.state}`)).toEqual([
      "staging:held",
      "prod-us-east-1:held",
      "prod-eu-west-1:breached",
    ]);
    const report = files(r.artifacts).get(r.outcome.paths.report!)!;
    expect(report).toContain("Left on v1.4.0 (on_wave_failure: halt): staging, prod-us-east-1.");
    expect(report).toContain("Held on v1.4.0 (on_wave_failure: halt): staging, prod-us-east-1");
  });

  it("a breach during the bake stops the release before the next wave", async () => {
    const lateBreach = {
      default: { error_rate: 0.002, p95_latency_ms: 120 },
      // 10 polls at 100%, 10 of stabilization, then the bake: it degrades 5 minutes in.
      "100": { error_rate: [...Array(25).fill(0.002), 0.05], p95_latency_ms: 120 },
    };
    const r = await runScenario(
      wavesScenario([["staging"], ["prod"]], { bake_minutes: 30 }, { staging: lateBreach }),
    );
    expect(r.outcome).toMatchObject({ status: "ABORTED", reason: "slo_breach", exitCode: 3 });
    expect(r.outcome.summary).toMatch(/^in staging, during the bake: /);
    expect(r.environments.staging!.state.stableVersion).toBe("v1.3.0");
    expect(r.environments.prod!.state.history).toEqual([]);
    const report = files(r.artifacts).get(r.outcome.paths.report!)!;
    expect(report).toMatch(
      /\| stabilization \(100%\) \| [^|]+ \| [^|]+ \| 5\.00% \| [^|]+ \| breached: /,
    );
    expect(report).toContain("stopped in **staging**");
  });

  it("a breach in wave 1 starts no later wave", async () => {
    const r = await runScenario(
      wavesScenario([["staging"], ["prod"]], {}, { staging: BREACH_AT_25_METRICS }),
    );
    expect(r.outcome.exitCode).toBe(3);
    expect(r.environments.prod!.state.history).toEqual([]);
    expect(r.outcome.environments?.find((e) => e.name === "prod")?.state).toBe("not_started");
    expect(r.events.filter((e) => e.type === "wave.started")).toHaveLength(1);
  });
});

describe("release waves: cancellation", () => {
  it("mid-wave: every environment in flight is rolled back and verified; a later wave never starts", async () => {
    const controller = new AbortController();
    const r = await runScenario(
      wavesScenario([["staging"], ["prod-us-east-1", "prod-eu-west-1"], ["prod-ap"]]),
      {
        signal: controller.signal,
        onEvent: (e) => {
          if (
            e.type === "canary.step.started" &&
            e.environment === "prod-eu-west-1" &&
            e.weight === 25
          )
            controller.abort();
        },
      },
    );
    expect(r.outcome).toMatchObject({
      status: "ABORTED",
      reason: "cancelled",
      exitCode: 130,
      rollbackVerified: true,
    });
    const rolled = r.events.flatMap((e) => (e.type === "rollback.started" ? [e.environment] : []));
    // In flight first (both of wave 2), then the promoted staging (rollback_all).
    expect(rolled.slice(0, 2).sort()).toEqual(["prod-eu-west-1", "prod-us-east-1"]);
    expect(rolled[2]).toBe("staging");
    for (const name of ["staging", "prod-us-east-1", "prod-eu-west-1"])
      expect(r.environments[name]!.state.stableVersion, name).toBe("v1.3.0");
    expect(r.environments["prod-ap"]!.state.history).toEqual([]);
    // No incident for a cancellation.
    expect([...files(r.artifacts).keys()].some((p) => p.startsWith("incidents/"))).toBe(false);
    const report = files(r.artifacts).get(r.outcome.paths.report!)!;
    expect(report).toContain("prod-us-east-1: stopped, rolled back (verified)");
    expect(report).toContain("prod-eu-west-1: stopped, rolled back (verified)");
  });
});

describe("release waves: cancellation during the bake", () => {
  it("rolls back the promoted wave under rollback_all and leaves it under halt", async () => {
    for (const [policy, stable] of [
      ["rollback_all", "v1.3.0"],
      ["halt", "v1.4.0"],
    ] as const) {
      const controller = new AbortController();
      const r = await runScenario(
        wavesScenario([["staging"], ["prod"]], { bake_minutes: 60, on_wave_failure: policy }),
        {
          signal: controller.signal,
          onEvent: (e) => {
            if (e.type === "wave.baking") controller.abort();
          },
        },
      );
      expect(r.outcome, policy).toMatchObject({ reason: "cancelled", exitCode: 130 });
      expect(r.outcome.summary, policy).toBe("cancelled by the operator between waves");
      expect(r.environments.staging!.state.stableVersion, policy).toBe(stable);
      expect(r.environments.prod!.state.history, policy).toEqual([]);
    }
  });
});

describe("release waves: input", () => {
  const base = baseScenario().release as Record<string, unknown>;
  const problems = (input: Record<string, unknown>) => {
    const parsed = releaseSpecSchema.safeParse({ ...base, ...input });
    return parsed.success
      ? []
      : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  it("names the field of an empty wave, a duplicate environment, and wave-only fields without waves", () => {
    expect(problems({ waves: [] })).toEqual(["waves: waves must list at least one wave"]);
    expect(problems({ waves: [["a"], []] })).toEqual([
      "waves.1: a wave must list at least one environment",
    ]);
    expect(problems({ waves: [["a"], ["b", "a"]] })).toEqual([
      "waves.1.1: environment a is listed twice (waves 1 and 2); an environment is released once",
    ]);
    expect(problems({ waves: [["a b"]] })[0]).toMatch(/^waves\.0\.0: environment may only contain/);
    expect(problems({ bake_minutes: 5 })).toEqual([
      "bake_minutes: bake_minutes applies only to a release with waves",
    ]);
    expect(problems({ waves: [["a"]], on_wave_failure: "later" })).toEqual([
      "on_wave_failure: on_wave_failure must be rollback_all or halt",
    ]);
  });

  it("an environment the stack does not configure fails the release before the tag, naming the field", async () => {
    const r = await runScenario({
      ...wavesScenario([["staging"], ["prod"]]),
      environments: { staging: { metrics: HEALTHY_METRICS } },
    });
    expect(r.outcome).toMatchObject({ status: "FAILED", reason: "invalid_input", exitCode: 1 });
    expect(r.outcome.summary).toBe(
      "waves.1.0: environment prod is not configured (known: staging)",
    );
    expect(r.outcome.error?.field).toBe("waves.1.0");
    expect(r.events.some((e) => e.type === "tag.created")).toBe(false);
  });

  it("a release without waves keeps its report and status files as they were", async () => {
    const r = await runScenario(baseScenario());
    expect(r.outcome.environments).toBeUndefined();
    const deploy = JSON.parse(files(r.artifacts).get("devops/status/deploy-result.json")!);
    expect(deploy.releases[0].environments).toBeUndefined();
    expect(r.events.some((e) => "environment" in e && e.type !== "release.started")).toBe(false);
  });
});
