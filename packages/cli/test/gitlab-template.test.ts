import { mkdir, readFile, symlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BIN, BREACH_AT_25, cancelOnceCanaryRuns, runLogged, useWorkspace } from "./cli-harness.js";

const TEMPLATE = resolve(
  import.meta.dirname,
  "../../../templates/gitlab/shipgate-release.gitlab-ci.yml",
);

interface Job {
  stage: string;
  image: string;
  resource_group: string;
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
  options: { onLog?: (log: string, pid: number) => void } = {},
): ReturnType<typeof runLogged> {
  const t = await template();
  const job = t["shipgate-release"];
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
