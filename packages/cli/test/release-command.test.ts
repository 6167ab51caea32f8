import { execFileSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cliEnv,
  createWorkspace,
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

const tags = () =>
  execFileSync("git", ["tag", "--list"], { cwd: ws.repo.dir, encoding: "utf8" })
    .split("\n")
    .filter(Boolean);

describe("shipgate release (real binary, git repo, user adapter)", () => {
  it("releases: exit 0, tag created, report and changelog written, lock released", async () => {
    const dir = await ws.configDir("ok", (d) => simConfig(ws, d));
    const run = await runCli(["release", "--version", "v1.4.0", "--sha", ws.repo.headSha], {
      cwd: dir,
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^\[\d\d:\d\d:\d\d\] lock acquired: devops\/status\/release-checkout\.lock$/m,
    );
    expect(run.stdout).toContain("canary 25% (step 2/3)");
    expect(run.stdout).toContain("SUCCESS: checkout v1.4.0 is live in production (exit 0)");
    expect(run.stdout).toContain("report:    devops/reports/release-v1.4.0.md");
    expect(tags()).toContain("v1.4.0");
    const files = await ws.files(dir);
    expect(files).toEqual(
      expect.arrayContaining([
        "devops/reports/release-v1.4.0.md",
        "devops/status/prs-in-release.json",
        "shipgate.yaml",
      ]),
    );
    expect(files).not.toContain("devops/status/release-checkout.lock");
    const changelog = JSON.parse(
      await readFile(join(dir, "devops/status/prs-in-release.json"), "utf8"),
    );
    expect(changelog.total).toBe(12);
    const report = await readFile(join(dir, "devops/reports/release-v1.4.0.md"), "utf8");
    expect(report).toContain("status: SUCCESS");
    expect(report).toContain("require currency on POST /orders");
  });

  it("rolls back on a breach at 25%: exit 3, incident filed", async () => {
    const dir = await ws.configDir("breach", (d) =>
      simConfig(ws, d, {
        adapterWith:
          '{ metrics: { "25": { error_rate: 0.05, p95_latency_ms: 120 }, default: { error_rate: 0.001, p95_latency_ms: 120 } } }',
      }),
    );
    const run = await runCli(["release", "--version", "v1.4.1", "--sha", ws.repo.headSha], {
      cwd: dir,
    });
    expect(run.code).toBe(3);
    expect(run.stdout).toContain(
      "BREACH at 25%: error rate 5.00% vs stable 0.10% over 1,000 canary requests",
    );
    expect(run.stdout).toContain("rollback verified");
    expect(run.stdout).toMatch(/incident:\s+incidents\/INC-\d{4}-\d\d-\d\d-01\.md/);
    const files = await ws.files(dir);
    expect(files.some((f) => /^incidents\/INC-.*\.md$/.test(f))).toBe(true);
    expect(files).not.toContain("devops/status/release-checkout.lock");
  });

  it("is blocked by red CI: exit 2, nothing tagged", async () => {
    const dir = await ws.configDir("red", (d) =>
      simConfig(ws, d, {
        adapterWith:
          "{ checks: [{ name: build, conclusion: success }, { name: e2e, conclusion: failure }] }",
      }),
    );
    const run = await runCli(["release", "--version", "v1.4.2", "--sha", ws.repo.headSha], {
      cwd: dir,
    });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("CI gate: BLOCKED");
    expect(run.stdout).toContain("e2e");
    expect(run.stdout).toMatch(/next:\s+fix the failing checks/);
    expect(tags()).not.toContain("v1.4.2");
  });

  it("exits 4 when another live release holds the lock, and says what to do", async () => {
    const dir = await ws.configDir("locked", (d) => simConfig(ws, d));
    await mkdir(join(dir, "devops/status"), { recursive: true });
    const holder = {
      id: "other",
      host: hostname(),
      pid: process.pid,
      startedAt: new Date().toISOString(),
      version: "v1.3.9",
    };
    await writeFile(join(dir, "devops/status/release-checkout.lock"), JSON.stringify(holder));
    const run = await runCli(["release", "--version", "v1.4.3", "--sha", ws.repo.headSha], {
      cwd: dir,
    });
    expect(run.code).toBe(4);
    expect(run.stdout).toContain("another release of checkout is running");
    expect(run.stdout).toMatch(/next:\s+wait for the other release to finish/);
    // The other run's lock is untouched.
    expect(
      JSON.parse(await readFile(join(dir, "devops/status/release-checkout.lock"), "utf8")).id,
    ).toBe("other");
  });

  it("--json prints NDJSON events, the last one the outcome", async () => {
    const dir = await ws.configDir("json", (d) => simConfig(ws, d));
    const run = await runCli(
      ["release", "--json", "--version", "v1.4.4", "--sha", ws.repo.headSha],
      { cwd: dir },
    );
    expect(run.code).toBe(0);
    const events = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(events[0].type).toBe("lock.acquired");
    expect(events.map((e: { type: string }) => e.type)).toContain("canary.poll");
    const last = events[events.length - 1];
    expect(last.type).toBe("release.finished");
    expect(last.outcome).toMatchObject({ status: "SUCCESS", exitCode: 0, version: "v1.4.4" });
  });

  it("--quiet prints the outcome only; --dry-run tags nothing", async () => {
    const dir = await ws.configDir("dry", (d) => simConfig(ws, d));
    const run = await runCli(
      ["release", "--quiet", "--dry-run", "--version", "v1.4.5", "--sha", ws.repo.headSha],
      { cwd: dir },
    );
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split("\n")).toEqual([
      "SUCCESS: dry run passed: validation, CI gate, sign-off and preflight are green; nothing was tagged or deployed (exit 0) — report: devops/reports/release-v1.4.5-dryrun.md",
    ]);
    expect(tags()).not.toContain("v1.4.5");
  });

  it("honours NO_COLOR and colours nothing when not a terminal, even with CI set", async () => {
    const dir = await ws.configDir("colour", (d) => simConfig(ws, d));
    const run = await runCli(
      ["release", "--dry-run", "--version", "v1.4.6", "--sha", ws.repo.headSha],
      {
        cwd: dir,
        env: cliEnv({ NO_COLOR: undefined, CI: "true" }),
      },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("\x1b[");
  });
});
