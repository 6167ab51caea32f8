import { relative } from "node:path";
import { describe, expect, it } from "vitest";
import {
  expectCliError,
  NOT_AN_ADAPTER,
  runCli,
  simConfig,
  useWorkspace,
  withProvider,
} from "./cli-harness.js";

let tagsBefore: string[];
const ws = useWorkspace(async (ws) => {
  tagsBefore = ws.tags();
});

let n = 0;
/** Runs a release in a fresh config dir and checks: exit 1, ONE stderr line, nothing written. */
async function rejects(
  config: (dir: string) => string,
  args: string[],
  expected: RegExp,
): Promise<void> {
  n += 1;
  const dir = await ws.configDir(`bad-${n}`, config);
  const run = await runCli(["release", ...args], { cwd: dir });
  expect(run.code, run.stdout + run.stderr).toBe(1);
  const lines = run.stderr.trim().split("\n");
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^shipgate: error: /);
  expect(lines[0]).toMatch(expected);
  expect(lines[0]).toMatch(/ — \S/); // every error says what to do
  expect(run.stdout).toBe("");
  expect(await ws.files(dir)).toEqual(["shipgate.yaml"]);
  expect(ws.tags()).toEqual(tagsBefore);
}

const good = () => ws.versionArgs("v2.0.0");

describe("bad input: one clear line naming the key, exit 1, nothing written", () => {
  it("missing key", async () => {
    await rejects(
      (d) => simConfig(ws, d).replace(/^ {2}slo: .*$/m, ""),
      good(),
      /release\.slo: is required .*— add slo: \{ error_rate_max/,
    );
  });

  it("wrong type", async () => {
    await rejects(
      (d) => simConfig(ws, d).replace("window_minutes: 0.005", "window_minutes: ten"),
      good(),
      /release\.slo\.window_minutes: Invalid input: expected number, received string/,
    );
  });

  it("bad semver", async () => {
    await rejects(
      (d) => simConfig(ws, d),
      ["--version", "1.4", "--sha", ws.repo.headSha],
      /release\.version \(--version\): version must be a semver tag such as v1\.4\.0/,
    );
  });

  it("short sha", async () => {
    await rejects(
      (d) => simConfig(ws, d),
      ["--version", "v2.0.0", "--sha", ws.repo.headSha.slice(0, 7)],
      /release\.sha \(--sha\): sha must be a 40-character hexadecimal commit sha — pass the full 40-character sha/,
    );
  });

  it("inline secret", async () => {
    await rejects(
      (d) => withProvider(simConfig(ws, d), "ci", { with: `{ token: "ghp_${"x".repeat(36)}" }` }),
      good(),
      /ci\.with\.token: holds an inline secret \(a GitHub token\).* — write `token_env: GITHUB_TOKEN`/,
    );
  });

  it("unknown provider package, with a did-you-mean", async () => {
    await rejects(
      (d) => withProvider(simConfig(ws, d), "deployer", { use: "@shipgate/deploy-kubernets" }),
      good(),
      /deployer\.use: cannot find package "@shipgate\/deploy-kubernets" .*\(did you mean "@shipgate\/deploy-kubernetes"\?\)/,
    );
  });

  it("a module that is not an adapter", async () => {
    await rejects(
      (d) => withProvider(simConfig(ws, d), "slo", { use: relative(d, NOT_AN_ADAPTER) }),
      good(),
      /slo\.use: .*not-an-adapter\.mjs does not export a `shipgateProvider`/,
    );
  });

  it("an adapter option the adapter's own schema rejects, with a did-you-mean", async () => {
    await rejects(
      (d) => withProvider(simConfig(ws, d), "ci", { with: "{ rollback_delay: 5 }" }),
      good(),
      /ci\.with\.rollback_delay: unknown key \(did you mean "rollback_delay_ms"\?\)/,
    );
  });

  it("a secret's environment variable that is not set", async () => {
    await rejects(
      (d) =>
        withProvider(simConfig(ws, d), "ci", { with: "{ token_env: SHIPGATE_TEST_UNSET_TOKEN }" }),
      good(),
      /ci\.with\.token_env: Environment variable SHIPGATE_TEST_UNSET_TOKEN \(named by with\.token_env\) is not set — Export SHIPGATE_TEST_UNSET_TOKEN/,
    );
  });

  it("a missing provider section", async () => {
    await rejects(
      (d) => simConfig(ws, d).replace(/^deployer: .*$/m, ""),
      good(),
      /deployer: no deployer provider is configured.* — add `deployer: \{ use: "@shipgate\/deploy-kubernetes"/,
    );
  });

  it("unknown top-level key", async () => {
    await rejects(
      (d) => `${simConfig(ws, d)}notifier: { use: x }\n`,
      good(),
      /notifier: unknown key \(did you mean "notifiers"\?\)/,
    );
  });

  it("missing config file", async () => {
    n += 1;
    const dir = await ws.configDir(`bad-${n}`, "release: {}\n");
    const run = await runCli(["release", "--config", "nope.yaml", ...good()], { cwd: dir });
    expectCliError(
      run,
      "shipgate: error: nope.yaml: cannot read config nope.yaml: no such file — create shipgate.yaml (see the README) or pass --config <path>",
    );
  });

  it("unknown option and unknown command", async () => {
    const option = await runCli(["release", "--verison", "v1.0.0"], { cwd: ws.root });
    expectCliError(
      option,
      'shipgate: error: --verison: unknown option (did you mean "--version"?) — run with --help to see the options',
    );
    const command = await runCli(["relase"], { cwd: ws.root });
    expectCliError(
      command,
      'shipgate: error: unknown command "relase" (did you mean "release"?) — run `shipgate --help` for the commands',
    );
  });

  it("unreadable scenario file", async () => {
    const run = await runCli(["simulate", "does-not-exist.yaml"], { cwd: ws.root });
    expectCliError(
      run,
      "shipgate: error: does-not-exist.yaml: cannot read scenario file: no such file — check the path (it is relative to the working directory)",
    );
    expect(run.stdout).toBe("");
  });
});

describe("a release that started writes its report, and only that", () => {
  it("a sha missing from the repository: exit 1, report written, nothing tagged", async () => {
    const dir = await ws.simConfigDir("started");
    const run = await runCli(["release", "--version", "v2.0.1", "--sha", "0".repeat(40)], {
      cwd: dir,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `FAILED: sha ${"0".repeat(40)} does not exist in the repository (field: sha)`,
    );
    expect(run.stdout).toMatch(/next:\s+fix the sha\/version/);
    expect(await ws.files(dir)).toEqual([
      "devops/reports/release-v2.0.1.md",
      "devops/status/release-checkout.journal.jsonl", // the journal of the last release, for `shipgate status`
      "shipgate.yaml",
    ]);
    expect(ws.tags()).toEqual(tagsBefore);
  });
});
