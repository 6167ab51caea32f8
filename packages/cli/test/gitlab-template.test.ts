import { mkdir, readFile, symlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  BIN,
  BREACH_AT_25,
  cancelOnceCanaryRuns,
  killDemoMidCanary,
  runLogged,
  useWorkspace,
} from "./cli-harness.js";

const TEMPLATE = resolve(
  import.meta.dirname,
  "../../../templates/gitlab/shipgate-release.gitlab-ci.yml",
);

interface Job {
  stage: string;
  image: string;
  resource_group?: string;
  rules?: { if?: string; when?: string }[];
  environment: { name: string };
  variables: Record<string, string>;
  before_script: string[];
  script: string[];
  artifacts: { when: string; paths: string[] };
}

const template = async () =>
  parse(await readFile(TEMPLATE, "utf8")) as {
    variables: Record<string, string>;
    "shipgate-release": Job;
    "shipgate-watchdog": Job;
  };

describe("the GitLab CI template", () => {
  it("has a shipgate-release job queued by a resource group, keeping its reports as artifacts", async () => {
    const t = await template();
    const job = t["shipgate-release"];
    expect(job.resource_group).toBe("shipgate-$SHIPGATE_ENVIRONMENT");
    expect(job.environment.name).toBe("$SHIPGATE_ENVIRONMENT");
    expect(job.variables.GIT_DEPTH).toBe("0");
    expect(job.artifacts.when).toBe("always");
    expect(job.artifacts.paths).toEqual(["devops/reports/", "devops/status/", "incidents/"]);
    expect(Object.keys(t.variables)).toEqual(
      expect.arrayContaining(["SHIPGATE_CONFIG", "SHIPGATE_VERSION", "SHIPGATE_SHA"]),
    );
    // No secret in the template: they are the project's masked CI/CD variables.
    expect(JSON.stringify(t)).not.toMatch(/token|password|secret/i);
  });
});

// The runner, as far as the job sees it: variables (the template's, then the job's, then the
// pipeline's overrides) with `$VAR` expanded, the predefined CI variables, and the script lines
// run as one bash script with `set -eo pipefail`, in a process group the runner signals.
const ws = useWorkspace();

function expand(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g, (_, name: string) => vars[name] ?? "");
}

async function runJob(
  dir: string,
  pipelineVariables: Record<string, string>,
  options: {
    onLog?: (log: string, pid: number) => void;
    job?: "shipgate-release" | "shipgate-watchdog";
  } = {},
): ReturnType<typeof runLogged> {
  const t = await template();
  const job = t[options.job ?? "shipgate-release"];
  // `npm ci` (before_script) installed @shipgate/cli: its bin is linked as npm links it.
  await mkdir(join(dir, "node_modules/.bin"), { recursive: true });
  await symlink(BIN, join(dir, "node_modules/.bin/shipgate")).catch(() => {});
  const vars: Record<string, string> = {
    CI: "true",
    GITLAB_CI: "true",
    CI_COMMIT_SHA: ws.repo.headSha,
    CI_PROJECT_DIR: dir,
    CI_JOB_ID: "777",
  };
  for (const [k, v] of Object.entries({ ...t.variables, ...job.variables, ...pipelineVariables }))
    vars[k] = expand(v, vars);
  const script = ["set -eo pipefail", ...job.script].join("\n");
  return runLogged("bash", ["-c", script], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...vars },
    detached: true,
    what: "the job",
    onLog: options.onLog,
  });
}

describe("the template's job end to end (built CLI, real git)", () => {
  it("success: exit 0, the report and changelog where the artifacts paths take them", async () => {
    const dir = await ws.simConfigDir("gitlab-ok");
    const run = await runJob(dir, { SHIPGATE_VERSION: "v5.1.0" });
    expect(run.code, run.log).toBe(0);
    expect(run.log).toContain("shipgate.yaml is valid");
    expect(run.log).toContain("SUCCESS: checkout v5.1.0 is live in production (exit 0)");
    const paths = (await template())["shipgate-release"].artifacts.paths;
    const kept = (await ws.files(dir)).filter((f) => paths.some((p) => f.startsWith(p)));
    expect(kept).toEqual(
      expect.arrayContaining([
        "devops/reports/release-v5.1.0.md",
        "devops/reports/release-v5.1.0.svg",
        "devops/status/prs-in-release.json",
      ]),
    );
  });

  it("rollback: exit 3 fails the job, the incident is kept", async () => {
    const dir = await ws.simConfigDir("gitlab-breach", { adapterWith: BREACH_AT_25 });
    const run = await runJob(dir, { SHIPGATE_VERSION: "v5.2.0" });
    expect(run.code, run.log).toBe(3);
    expect(run.log).toContain("BREACH at 25%");
    expect((await ws.files(dir)).some((f) => /^incidents\/INC-.*\.md$/.test(f))).toBe(true);
  });

  it("dry run: nothing tagged, exit 0", async () => {
    const dir = await ws.simConfigDir("gitlab-dry");
    const run = await runJob(dir, { SHIPGATE_VERSION: "v5.3.0", SHIPGATE_DRY_RUN: "true" });
    expect(run.code, run.log).toBe(0);
    expect(run.log).toContain("(dry run)");
    expect(await ws.files(dir)).toContain("devops/reports/release-v5.3.0-dryrun.md");
  });

  it("cancellation: SIGTERM to the job's process group rolls the canary back", async () => {
    const dir = await ws.simConfigDir("gitlab-cancel", { longWindows: true });
    // What the runner does when the job is cancelled.
    const cancel = cancelOnceCanaryRuns((pid) => process.kill(-pid, "SIGTERM"));
    const run = await runJob(dir, { SHIPGATE_VERSION: "v5.4.0" }, { onLog: cancel.onLog });
    expect(cancel.sent()).toBe(true);
    expect(run.code).not.toBe(0);
    expect(run.log).toMatch(/rollback verified: stable version v1\.3\.0 is serving/);
    expect(run.log).toContain("CANCELLED");
    const report = await readFile(join(dir, "devops/reports/release-v5.4.0.md"), "utf8");
    expect(report).toContain("exit_code: 130");
    expect(await ws.files(dir)).not.toContain("devops/status/release-checkout.lock");
  });
});

/** Whether a job runs in a pipeline with these variables, as GitLab evaluates its `rules`. */
function runsWith(job: Job, vars: Record<string, string>): boolean {
  if (!job.rules) return true;
  for (const rule of job.rules) {
    const m = rule.if ? /^\$(\w+) == "([^"]*)"$/.exec(rule.if) : null;
    if (rule.if && !m) throw new Error(`a rule this test cannot read: ${rule.if}`);
    if (!m || vars[m[1]!] === m[2]) return rule.when !== "never";
  }
  return false;
}

describe("the template's watchdog (a pipeline schedule with SHIPGATE_WATCHDOG=true)", () => {
  it("runs the watchdog job and not the release in that schedule, and only the release otherwise", async () => {
    const t = await template();
    const scheduled = { ...t.variables, SHIPGATE_WATCHDOG: "true" };
    expect(runsWith(t["shipgate-watchdog"], scheduled)).toBe(true);
    expect(runsWith(t["shipgate-release"], scheduled)).toBe(false);
    expect(runsWith(t["shipgate-watchdog"], t.variables)).toBe(false);
    expect(runsWith(t["shipgate-release"], t.variables)).toBe(true);
    // Not in the release's resource group: it must see a live release's lock, not wait for it.
    expect(t["shipgate-watchdog"].resource_group).toBeUndefined();
    expect(t["shipgate-watchdog"].script).toEqual([
      '"$SHIPGATE_BIN" recover --watchdog --config "$SHIPGATE_CONFIG"',
    ]);
  });

  it("rolls back a release whose job was killed (exit 3 fails the job), then has nothing to do (exit 0)", async () => {
    const dir = join(ws.root, "gitlab-watchdog");
    expect((await killDemoMidCanary(dir, ws.root)).signal).toBe("SIGKILL");
    const recovered = await runJob(
      dir,
      { SHIPGATE_WATCHDOG: "true" },
      { job: "shipgate-watchdog" },
    );
    expect(recovered.code, recovered.log).toBe(3);
    expect(recovered.log).toContain("rollback verified: stable version v1.3.0 is serving");
    expect(recovered.log).toContain("ABORTED");
    expect((await ws.files(dir)).some((f) => /^incidents\/INC-.*\.md$/.test(f))).toBe(true);
    const idle = await runJob(dir, { SHIPGATE_WATCHDOG: "true" }, { job: "shipgate-watchdog" });
    expect(idle.code, idle.log).toBe(0);
    expect(idle.log).toContain("nothing to recover");
  }, 60_000);
});
