import { readdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonLines, runCli, useTempDir } from "./cli-harness.js";

const SCENARIOS = resolve(import.meta.dirname, "../../../examples/scenarios");
const NAMES = [
  "breach-at-25",
  "ci-pending-then-green",
  "ci-red",
  "low-traffic",
  "no-data",
  "regression-under-objective",
  "rollback-fails",
  "shared-incident",
  "sign-off-missing",
  "success",
  "threshold-judge",
];

const scratch = useTempDir("shipgate-simulate-test-");

describe("shipgate simulate", () => {
  it("runs every example scenario like a test runner, one artifact dir each", async () => {
    const out = join(scratch.path, "all");
    const files = NAMES.map((n) => join(SCENARIOS, `${n}.yaml`));
    const run = await runCli(["simulate", ...files, "--out", out], { cwd: scratch.path });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    for (const name of NAMES) expect(run.stdout).toMatch(new RegExp(`^✓ ${name} `, "m"));
    expect(run.stdout).toContain("11 scenarios: 11 passed, 0 failed");
    expect((await readdir(out)).sort()).toEqual(NAMES);
    expect(await readdir(join(out, "breach-at-25", "incidents"))).toHaveLength(1);
    expect(await readdir(join(out, "success", "devops", "reports"))).toEqual([
      "release-v1.4.0.md",
      "release-v1.4.0.svg", // the canary chart beside the report
    ]);
  });

  it("exits with the release's code for one scenario, and prints its events", async () => {
    const run = await runCli(
      ["simulate", join(SCENARIOS, "breach-at-25.yaml"), "--out", join(scratch.path, "one")],
      { cwd: scratch.path },
    );
    expect(run.code).toBe(3);
    // Its p95 climbs too (240 ms vs stable 180 ms): the judge sees that first.
    expect(run.stdout).toContain("BREACH at 25%: p95 223 ms vs stable 180 ms");
    expect(run.stdout).toContain("1 scenario: 1 passed, 0 failed");
  });

  it("makes a temp dir when --out is not given, and prints it", async () => {
    const run = await runCli(["simulate", join(SCENARIOS, "ci-red.yaml")], { cwd: scratch.path });
    expect(run.code).toBe(2);
    const dir = /→ (\S+)/.exec(run.stdout)?.[1];
    expect(dir).toMatch(/shipgate-simulate-/);
    expect(await readdir(dir!)).toEqual(["ci-red"]);
    await rm(dir!, { recursive: true, force: true });
  });

  it("reports a failed expectation and exits non-zero for several scenarios", async () => {
    const wrong = join(scratch.path, "wrong.yaml");
    await writeFile(
      wrong,
      `name: wrong expectation
release: { service: checkout, environment: production, version: v1.4.0, sha: "${"1".repeat(40)}", slo: { error_rate_max: 0.01, p95_latency_ms: 300, window_minutes: 10 } }
ci: { checks: [{ name: build, conclusion: failure }] }
expect: { status: SUCCESS, max_weight_reached: 100 }
`,
    );
    const run = await runCli(
      ["simulate", wrong, join(SCENARIOS, "success.yaml"), "--out", join(scratch.path, "mixed")],
      { cwd: scratch.path },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^✗ wrong expectation /m);
    expect(run.stdout).toContain('status: expected "SUCCESS", got "BLOCKED"');
    expect(run.stdout).toContain("2 scenarios: 1 passed, 1 failed");
  });

  it("checks every file before running any, naming the key of a bad one", async () => {
    const bad = join(scratch.path, "bad.yaml");
    await writeFile(bad, "release: {}\nmetrcs: {}\n");
    const out = join(scratch.path, "never");
    const run = await runCli(["simulate", join(SCENARIOS, "success.yaml"), bad, "--out", out], {
      cwd: scratch.path,
    });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      `shipgate: error: ${bad}: metrcs: unknown key (did you mean "metrics"?) — rename it`,
    );
    await expect(readdir(out)).rejects.toThrow();
  });

  it("--json prints events tagged with their scenario, then a result line", async () => {
    const run = await runCli(
      ["simulate", "--json", join(SCENARIOS, "ci-red.yaml"), "--out", join(scratch.path, "json")],
      { cwd: scratch.path },
    );
    const lines = jsonLines(run.stdout);
    expect(lines[0].type).toBe("simulate.started");
    expect(lines.filter((l) => l.type === "ci.blocked")[0].scenario).toBe("ci-red");
    expect(lines[lines.length - 1]).toMatchObject({
      type: "scenario.result",
      scenario: "ci-red",
      passed: true,
      exitCode: 2,
    });
  });
});
