import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { collectEvent, newRunSummary, renderJobSummary } from "../src/job-summary.js";
import {
  BREACH_AT_25,
  cancelOnceCanaryRuns,
  killDemoMidCanary,
  type LoggedRun,
  runLogged,
  useWorkspace,
} from "./cli-harness.js";

const ACTION_DIR = resolve(import.meta.dirname, "../../../action");
const CLI_PACKAGE = resolve(import.meta.dirname, "..");

interface ActionMetadata {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: { run: string; shell: string; env: Record<string, string> }[] };
}

const metadata = async () =>
  parse(await readFile(join(ACTION_DIR, "action.yml"), "utf8")) as ActionMetadata;

describe("action.yml", () => {
  it("is valid against the published action metadata schema", async () => {
    const schema = JSON.parse(
      await readFile(join(import.meta.dirname, "fixtures/github-action.schema.json"), "utf8"),
    );
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const action = await metadata();
    expect(validate(action), JSON.stringify(validate.errors, null, 2)).toBe(true);
    // The schema can fail: an unknown key or a bad `using` is rejected.
    expect(validate({ ...action, runs: { ...action.runs, using: "node8" } })).toBe(false);
    expect(validate({ ...action, inputs: { version: { required: true } } })).toBe(false);
  });

  it("takes version, sha (default github.sha), config and dry-run; gives status, exit-code, report, incident", async () => {
    const action = await metadata();
    expect(Object.keys(action.inputs)).toEqual(
      expect.arrayContaining(["command", "version", "sha", "config", "dry-run"]),
    );
    expect(action.inputs.command?.default).toBe("release");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression
    expect(action.inputs.sha?.default).toBe("${{ github.sha }}");
    expect(Object.keys(action.outputs).sort()).toEqual([
      "exit-code",
      "incident",
      "report",
      "status",
    ]);
    expect(action.runs.using).toBe("composite");
    // No secret is an input: they reach shipgate through the step's env only.
    expect(Object.keys(action.inputs).some((k) => /token|key|secret|password/i.test(k))).toBe(
      false,
    );
  });
});

describe("the README's workflow", () => {
  it("is eight lines: checkout with history, install, the action with the version and a secret by env", async () => {
    const readme = await readFile(join(ACTION_DIR, "../README.md"), "utf8");
    const block = /## Use it in CI[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    expect(block.trimEnd().split("\n")).toHaveLength(8);
    const workflow = parse(block) as {
      jobs: {
        release: {
          steps: {
            uses?: string;
            run?: string;
            with?: Record<string, unknown>;
            env?: Record<string, string>;
          }[];
        };
      };
    };
    const steps = workflow.jobs.release.steps;
    expect(steps[0]).toEqual({ uses: "actions/checkout@v4", with: { "fetch-depth": 0 } });
    expect(steps[1]).toEqual({ run: "npm ci" });
    expect(steps[2]?.uses).toBe("OWNER/shipgate/action@v0");
    const action = await metadata();
    for (const input of Object.keys(steps[2]?.with ?? {}))
      expect(action.inputs).toHaveProperty(input);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression
    expect(steps[2]?.env).toEqual({ GITHUB_TOKEN: "${{ secrets.GITHUB_TOKEN }}" });
  });
});

// The runner, as far as the action sees it: the step's `run` line through bash with
// GITHUB_ACTION_PATH, the `env:` of the composite step with `${{ inputs.* }}` filled in
// (defaults for what the workflow leaves out), and the files and variables every job has.
const ws = useWorkspace(async (ws) => {
  // The project installed @shipgate/cli (here: this package) where the action finds it.
  await mkdir(join(ws.root, "node_modules/@shipgate"), { recursive: true });
  await symlink(CLI_PACKAGE, join(ws.root, "node_modules/@shipgate/cli"), "dir");
});

interface ActionRun extends LoggedRun {
  outputs: Record<string, string>;
  summary: string;
}

/** Parses `$GITHUB_OUTPUT` as the runner does (`name<<delimiter` blocks and `name=value`). */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i]!);
      out[heredoc[1]!] = value.join("\n");
    } else if (line.includes("=")) {
      out[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
    }
  }
  return out;
}

let runs = 0;
async function runAction(
  dir: string,
  inputs: Record<string, string>,
  options: { onLog?: (log: string, pid: number) => void; secrets?: Record<string, string> } = {},
): Promise<ActionRun> {
  runs += 1;
  const action = await metadata();
  const step = action.runs.steps[0]!;
  const files = join(ws.root, `runner-${runs}`);
  await mkdir(files, { recursive: true });
  const githubOutput = join(files, "output");
  const stepSummary = join(files, "summary.md");
  await writeFile(githubOutput, "");
  await writeFile(stepSummary, "");
  const github = { sha: ws.repo.headSha };
  const value = (name: string) =>
    inputs[name] ??
    (action.inputs[name]?.default ?? "").replace(/\$\{\{\s*github\.sha\s*\}\}/, github.sha);
  const stepEnv = Object.fromEntries(
    Object.entries(step.env).map(([k, v]) => [
      k,
      v.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_, name: string) => value(name)),
    ]),
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_ACTION_PATH: ACTION_DIR,
    GITHUB_OUTPUT: githubOutput,
    GITHUB_STEP_SUMMARY: stepSummary,
    GITHUB_SHA: github.sha,
    GITHUB_WORKSPACE: dir,
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_REPOSITORY: "acme/checkout",
    GITHUB_RUN_ID: "4242",
    RUNNER_TEMP: files,
    ...options.secrets,
    ...stepEnv,
  };
  const run = await runLogged(step.shell, ["-e", "-c", step.run], {
    cwd: dir,
    env,
    what: "the action",
    onLog: options.onLog,
  });
  return {
    ...run,
    outputs: parseOutputs(await readFile(githubOutput, "utf8")),
    summary: await readFile(stepSummary, "utf8"),
  };
}

describe("the action end to end (built CLI, runner environment, real git)", () => {
  it("success: exit 0, outputs, a job summary with the deploy table and links", async () => {
    const dir = await ws.simConfigDir("action-ok");
    const run = await runAction(dir, { version: "v2.1.0" });
    expect(run.code, run.log).toBe(0);
    expect(run.log).toContain("SUCCESS: checkout v2.1.0 is live in production (exit 0)");
    expect(run.outputs).toEqual({
      status: "SUCCESS",
      "exit-code": "0",
      report: "devops/reports/release-v2.1.0.md",
      incident: "",
    });
    expect(run.summary).toContain("### ✅ shipgate: checkout v2.1.0 — SUCCESS");
    expect(run.summary).toMatch(
      /^\| canary 5% \| \d\d:\d\d:\d\d \| 0\.10% \| 120 ms \| .* \| passed \|$/m,
    );
    expect(run.summary).toMatch(/^\| canary 100% \|.*\| passed \|$/m);
    expect(run.summary).toContain("- Report: `devops/reports/release-v2.1.0.md`");
    expect(run.summary).toContain("- Canary chart: `devops/reports/release-v2.1.0.svg`");
    expect(run.summary).toContain(
      "[This workflow run](https://github.com/acme/checkout/actions/runs/4242)",
    );
    expect(await ws.files(dir)).toContain("devops/reports/release-v2.1.0.md");
  });

  it("rollback: exit 3, status ABORTED, the incident as output, the breach in the summary", async () => {
    const dir = await ws.simConfigDir("action-breach", { adapterWith: BREACH_AT_25 });
    const run = await runAction(dir, { version: "v2.2.0" });
    expect(run.code, run.log).toBe(3);
    expect(run.outputs.status).toBe("ABORTED");
    expect(run.outputs["exit-code"]).toBe("3");
    expect(run.outputs.report).toBe("devops/reports/release-v2.2.0.md");
    expect(run.outputs.incident).toMatch(/^incidents\/INC-\d{4}-\d\d-\d\d-\d\d\.md$/);
    expect(run.log).toMatch(/^::error title=shipgate ABORTED::/m);
    expect(run.summary).toContain("### ⏪ shipgate: checkout v2.2.0 — ABORTED");
    expect(run.summary).toMatch(/^\| canary 25% \|.*\| 5\.00% \|.*\| \*\*breached\*\* \|$/m);
    expect(run.summary).toContain("**Rollback:** verified");
    expect(run.summary).toContain(`- Incident (file): \`${run.outputs.incident}\``);
  });

  it("cancellation: SIGINT to the step rolls the canary back, exit 130, status CANCELLED", async () => {
    const dir = await ws.simConfigDir("action-cancel", { longWindows: true });
    // What the runner does when the job is cancelled.
    const cancel = cancelOnceCanaryRuns((pid) => process.kill(pid, "SIGINT"));
    const run = await runAction(dir, { version: "v2.3.0" }, { onLog: cancel.onLog });
    expect(cancel.sent()).toBe(true);
    expect(run.code, run.log).toBe(130);
    expect(run.log).toContain("::warning title=shipgate::SIGINT: the job was cancelled");
    expect(run.log).toMatch(/rollback verified: stable version v1\.3\.0 is serving/);
    expect(run.outputs.status).toBe("CANCELLED");
    expect(run.outputs["exit-code"]).toBe("130");
    expect(run.summary).toContain("### ⏹ shipgate: checkout v2.3.0 — CANCELLED");
    expect(run.summary).toMatch(/^\| canary 5% \|.*\| cancelled \|$/m);
    const report = await readFile(join(dir, "devops/reports/release-v2.3.0.md"), "utf8");
    expect(report).toContain("exit_code: 130");
    expect(await ws.files(dir)).not.toContain("devops/status/release-checkout.lock");
  });

  it("dry-run input and secrets through env: nothing tagged; a bad input fails with the name", async () => {
    const dir = await ws.simConfigDir("action-dry", { adapterWith: "{ token_env: SIM_TOKEN }" });
    const dry = await runAction(
      dir,
      { version: "v2.4.0", "dry-run": "true" },
      { secrets: { SIM_TOKEN: "not-a-real-token" } },
    );
    expect(dry.code, dry.log).toBe(0);
    expect(dry.summary).toContain("_(dry run)_");
    expect(dry.log).not.toContain("not-a-real-token");
    expect(dry.summary).not.toContain("not-a-real-token");
    const missing = await runAction(dir, { version: "v2.4.0" });
    expect(missing.code).toBe(1);
    expect(missing.summary).toContain("### ❌ shipgate: no release ran");
    expect(missing.summary).toContain("SIM_TOKEN");
    const bad = await runAction(dir, { version: "v2.4.0", "dry-run": "yes" });
    expect(bad.code).toBe(1);
    expect(bad.log).toMatch(
      /::error title=shipgate::INPUT_DRY_RUN: dry-run must be "true" or "false"/,
    );
    expect(bad.outputs).toMatchObject({ status: "FAILED", "exit-code": "1" });
  });
});

describe("the action as a scheduled watchdog (command: watchdog)", () => {
  it("recovers a release whose runner was killed (exit 3, ABORTED, the incident), then finds nothing to do (exit 0)", async () => {
    // A demo release killed mid-canary, as a pre-empted runner leaves one.
    const dir = join(ws.root, "watchdog-demo");
    const demo = await killDemoMidCanary(dir, ws.root);
    expect(demo.signal).toBe("SIGKILL");

    const recovered = await runAction(dir, { command: "watchdog" });
    expect(recovered.code, recovered.log).toBe(3);
    expect(recovered.log).toContain("rollback verified: stable version v1.3.0 is serving");
    expect(recovered.outputs).toMatchObject({
      status: "ABORTED",
      "exit-code": "3",
      report: "devops/reports/release-v1.4.0.md",
    });
    expect(recovered.outputs.incident).toMatch(/^incidents\/INC-.*\.md$/);
    expect(recovered.log).toMatch(/^::error title=shipgate ABORTED::/m);
    expect(recovered.summary).toContain("### ⏪ shipgate: checkout v1.4.0 — ABORTED");
    const deployed = JSON.parse(
      await readFile(join(dir, "devops/simulated/deployer.json"), "utf8"),
    );
    expect(deployed).toMatchObject({ stableVersion: "v1.3.0", canaryVersion: null, weight: 0 });

    const idle = await runAction(dir, { command: "watchdog" });
    expect(idle.code, idle.log).toBe(0);
    expect(idle.log).toContain("nothing to recover: the last release of checkout finished");
    expect(idle.outputs).toEqual({
      status: "NOTHING_TO_RECOVER",
      "exit-code": "0",
      report: "",
      incident: "",
    });
    expect(idle.summary).toBe(
      "### 👀 shipgate watchdog: nothing to recover\n\nthe last release of checkout finished (or there was none).\n\n",
    );
  }, 60_000);

  it("refuses a command it does not know, naming the input", async () => {
    const dir = await ws.simConfigDir("action-bad-command");
    const bad = await runAction(dir, { command: "deploy" });
    expect(bad.code).toBe(1);
    expect(bad.log).toMatch(
      /::error title=shipgate::INPUT_COMMAND: command must be "release" or "watchdog"/,
    );
    expect(bad.outputs).toMatchObject({ status: "FAILED", "exit-code": "1" });
  });
});

describe("job summary", () => {
  it("says a watchdog run found nothing to recover, and why", () => {
    const summary = newRunSummary();
    collectEvent(summary, {
      type: "recover.watched",
      service: "checkout",
      reason: "a live release of checkout holds the lock, so there is nothing to recover: held",
    });
    expect(renderJobSummary(summary, { show: (p) => p })).toBe(
      "### 👀 shipgate watchdog: nothing to recover\n\na live release of checkout holds the lock, so there is nothing to recover: held — it watches its own canary.\n\n",
    );
  });

  it("says why no release ran when the config was rejected", () => {
    const text = renderJobSummary(
      {
        outcome: null,
        steps: [],
        rollback: null,
        incidents: [],
        problems: ["release.slo: is required"],
      },
      { show: (p) => p },
    );
    expect(text).toBe(
      "### ❌ shipgate: no release ran\n\nThe configuration or the inputs were rejected:\n\n- release.slo: is required\n\n",
    );
  });
});
