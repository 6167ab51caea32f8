import { readFile, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createWorkspace,
  expectToContainAll,
  jsonLines,
  requireBuiltCli,
  runCli,
  simConfig,
  type Workspace,
} from "./cli-harness.js";

let ws: Workspace;
beforeAll(async () => {
  requireBuiltCli();
  ws = await createWorkspace();
});
afterAll(() => ws.cleanup());

const SIM_ADAPTER = resolve(import.meta.dirname, "fixtures/sim-adapter.mjs");
const BREACH =
  '{ "25": { error_rate: 0.05, p95_latency_ms: 120 }, default: { error_rate: 0.001, p95_latency_ms: 120 } }';

/** Three environments in two waves, each its own simulated platform (a distinct `with:`). */
function wavesConfig(
  dir: string,
  options: { breachIn?: string; halt?: boolean; failingSmokeIn?: string } = {},
): string {
  const adapter = relative(dir, SIM_ADAPTER);
  const env = (name: string, n: number) => {
    const withBlock = `{ rollback_delay_ms: ${n}${options.breachIn === name ? `, metrics: ${BREACH}` : ""} }`;
    const smoke =
      options.failingSmokeIn === name
        ? `\n    smoke_checks:\n      - { type: command, name: ${name}-health, command: ["node", "-e", "process.exit(1)"] }`
        : `\n    smoke_checks:\n      - { type: command, name: ${name}-health, command: ["node", "-e", "0"] }`;
    return `  ${name}:\n    deployer: { use: "${adapter}", with: ${withBlock} }\n    slo: { use: "${adapter}", with: ${withBlock} }${smoke}`;
  };
  return simConfig(ws, dir, {
    release: `  waves: [[staging], [prod-us, prod-eu]]\n  bake_minutes: 0.001${options.halt ? "\n  on_wave_failure: halt" : ""}`,
    extra: `environments:\n${env("staging", 1)}\n${env("prod-us", 2)}\n${env("prod-eu", 3)}`,
  });
}

/** Runs `shipgate <command>` of `version` at the head in `dir`: exit 0, nothing on stderr. */
async function succeeds(dir: string, command: "plan" | "release", version: string) {
  const run = await runCli([command, "--version", version, "--sha", ws.repo.headSha], { cwd: dir });
  expect(run.stderr).toBe("");
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  return run;
}

describe("shipgate with release waves (real binary)", () => {
  it("plan shows the wave plan with each environment's deployer", async () => {
    const dir = await ws.configDir("waves-plan", (d) => wavesConfig(d));
    const run = await succeeds(dir, "plan", "v1.4.0");
    expectToContainAll(run.stdout, [
      "### Waves",
      "| 1 | staging | simulated | simulated | — |",
      "| 2 | prod-eu | simulated | simulated | — |",
      "`on_wave_failure: rollback_all`",
    ]);
  });

  it("releases three environments in two waves: exit 0, one report with a section each", async () => {
    const dir = await ws.configDir("waves-ok", (d) => wavesConfig(d));
    const run = await succeeds(dir, "release", "v1.5.0");
    expect(run.stdout).toContain("wave 1/2: staging");
    expect(run.stdout).toContain("wave 2/2: prod-us, prod-eu");
    expect(run.stdout).toMatch(/\[prod-eu\] canary 25% \(step 2\/3\)/);
    expect(run.stdout).toContain("SUCCESS: checkout v1.5.0 is live in staging, prod-us, prod-eu");
    expect(run.stdout).toContain("  wave 2:    prod-eu: promoted, reached 100%");
    const report = await readFile(join(dir, "devops/reports/release-v1.5.0.md"), "utf8");
    for (const env of ["staging (wave 1)", "prod-us (wave 2)", "prod-eu (wave 2)"])
      expect(report).toContain(`### Environment ${env}\n\nState: promoted.`);
    const deploy = JSON.parse(
      await readFile(join(dir, "devops/status/deploy-result.json"), "utf8"),
    );
    expect(
      deploy.releases.at(-1).environments.map((e: { environment: string }) => e.environment),
    ).toEqual(["staging", "prod-us", "prod-eu"]);
  });

  it("a breach in wave 2 rolls every environment back, newest first: exit 3, --json shows each", async () => {
    const dir = await ws.configDir("waves-breach", (d) => wavesConfig(d, { breachIn: "prod-eu" }));
    const run = await runCli(
      ["release", "--version", "v1.5.1", "--sha", ws.repo.headSha, "--json"],
      { cwd: dir },
    );
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(3);
    const events = jsonLines(run.stdout);
    expect(
      events.filter((e) => e.type === "rollback.finished").map((e) => [e.environment, e.verified]),
    ).toEqual([
      ["prod-eu", true],
      ["prod-us", true],
      ["staging", true],
    ]);
    const finished = events.at(-1);
    expect(finished.type).toBe("release.finished");
    expect(finished.outcome.environments.map((e: { state: string }) => e.state)).toEqual([
      "rolled_back",
      "cancelled",
      "breached",
    ]);
    expect(finished.outcome.paths.incident).toMatch(/^incidents\//);
    const incident = await readFile(join(dir, finished.outcome.paths.incident), "utf8");
    expect(incident).toContain("rolled back in prod-eu");
  });

  it("an environment's own smoke check failing rolls every environment back: exit 3", async () => {
    const dir = await ws.configDir("waves-smoke", (d) =>
      wavesConfig(d, { failingSmokeIn: "prod-eu" }),
    );
    const run = await runCli(
      ["release", "--version", "v1.5.2", "--sha", ws.repo.headSha, "--json"],
      { cwd: dir },
    );
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(3);
    const events = jsonLines(run.stdout);
    const smoke = events.filter((e) => e.type === "smoke.result");
    const ran = (env: string) =>
      smoke
        .filter((e) => e.environment === env)
        .map((e) => `${e.phase} ${e.result.name} ${e.result.passed}`);
    // Each environment runs its own check only.
    expect(ran("staging")).toEqual([
      ...Array(3).fill("after_weight_change staging-health true"),
      "after_last_step staging-health true",
      "after_rollback staging-health true",
    ]);
    expect(ran("prod-eu")).toEqual([
      "after_weight_change prod-eu-health false",
      "after_rollback prod-eu-health false",
    ]);
    // prod-us runs beside prod-eu and is cancelled when prod-eu's check fails: whether its
    // own check after the first weight change ran by then depends on timing, so only what
    // ran is checked. Its rollback always runs its check.
    for (const line of ran("prod-us").slice(0, -1))
      expect(line).toBe("after_weight_change prod-us-health true");
    expect(ran("prod-us").at(-1)).toBe("after_rollback prod-us-health true");
    expect(smoke.filter((e) => e.phase === "after_rollback").map((e) => e.environment)).toEqual([
      "prod-eu",
      "prod-us",
      "staging",
    ]);
    const finished = events.at(-1);
    expect(finished.outcome.environments.map((e: { state: string }) => e.state)).toEqual([
      "rolled_back",
      "cancelled",
      "breached",
    ]);
  });

  it("backtest lists each environment's canary of a release with waves and builds each one's SLO source from its own section", async () => {
    const dir = await ws.configDir("waves-backtest", (d) =>
      wavesConfig(d, { breachIn: "prod-eu" }),
    );
    const run = await runCli(["release", "--version", "v1.5.3", "--sha", ws.repo.headSha], {
      cwd: dir,
    });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(3);
    const out = await runCli(["backtest", "--json"], { cwd: dir });
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const report = JSON.parse(out.stdout) as {
      releases: { environment: string; version: string; candidate: { decision: string } }[];
    };
    expect(report.releases.map((r) => [r.environment, r.version])).toEqual([
      ["staging", "v1.5.3"],
      ["prod-us", "v1.5.3"],
      ["prod-eu", "v1.5.3"],
    ]);
    // An environment's SLO source is built from its own section, and named when it is wrong.
    const configPath = join(dir, "shipgate.yaml");
    const config = await readFile(configPath, "utf8");
    const broken = config.replace(
      /( {2}prod-eu:\n {4}deployer: .*\n {4}slo: \{ use: )"[^"]*"/,
      '$1"./no-such-adapter.mjs"',
    );
    expect(broken).not.toBe(config);
    await writeFile(configPath, broken);
    const bad = await runCli(["backtest"], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("environments.prod-eu.slo.use");
  });
});
