import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  BREACH_AT_25,
  cliEnv,
  jsonLines,
  runCli,
  useWorkspace,
  writeLiveLock,
} from "./cli-harness.js";

const ws = useWorkspace();

describe("shipgate release (real binary, git repo, user adapter)", () => {
  it("releases: exit 0, tag created, report and changelog written, lock released", async () => {
    const dir = await ws.simConfigDir("ok");
    const run = await runCli(["release", ...ws.versionArgs("v1.4.0")], { cwd: dir });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^\[\d\d:\d\d:\d\d\] lock acquired: devops\/status\/release-checkout\.lock$/m,
    );
    expect(run.stdout).toContain("canary 25% (step 2/3)");
    expect(run.stdout).toContain("SUCCESS: checkout v1.4.0 is live in production (exit 0)");
    expect(run.stdout).toContain("report:    devops/reports/release-v1.4.0.md");
    expect(ws.tags()).toContain("v1.4.0");
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
    const dir = await ws.simConfigDir("breach", { adapterWith: BREACH_AT_25 });
    const run = await runCli(["release", ...ws.versionArgs("v1.4.1")], { cwd: dir });
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
    const dir = await ws.simConfigDir("red", {
      adapterWith:
        "{ checks: [{ name: build, conclusion: success }, { name: e2e, conclusion: failure }] }",
    });
    const run = await runCli(["release", ...ws.versionArgs("v1.4.2")], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("CI gate: BLOCKED");
    expect(run.stdout).toContain("e2e");
    expect(run.stdout).toMatch(/next:\s+fix the failing checks/);
    expect(ws.tags()).not.toContain("v1.4.2");
  });

  it("exits 4 when another live release holds the lock, and says what to do", async () => {
    const dir = await ws.simConfigDir("locked");
    const lock = await writeLiveLock(dir, { id: "other", version: "v1.3.9" });
    const run = await runCli(["release", ...ws.versionArgs("v1.4.3")], { cwd: dir });
    expect(run.code).toBe(4);
    expect(run.stdout).toContain("another release of checkout is running");
    expect(run.stdout).toMatch(/next:\s+wait for the other release to finish/);
    // The other run's lock is untouched.
    expect(JSON.parse(await readFile(lock.path, "utf8")).id).toBe("other");
  });

  it("--json prints NDJSON events, the last one the outcome", async () => {
    const dir = await ws.simConfigDir("json");
    const run = await runCli(["release", "--json", ...ws.versionArgs("v1.4.4")], { cwd: dir });
    expect(run.code).toBe(0);
    const events = jsonLines(run.stdout);
    expect(events[0].type).toBe("lock.acquired");
    expect(events.map((e: { type: string }) => e.type)).toContain("canary.poll");
    const last = events[events.length - 1];
    expect(last.type).toBe("release.finished");
    expect(last.outcome).toMatchObject({ status: "SUCCESS", exitCode: 0, version: "v1.4.4" });
  });

  it("--quiet prints the outcome only; --dry-run tags nothing", async () => {
    const dir = await ws.simConfigDir("dry");
    const run = await runCli(["release", "--quiet", "--dry-run", ...ws.versionArgs("v1.4.5")], {
      cwd: dir,
    });
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split("\n")).toEqual([
      "SUCCESS: dry run passed: validation, CI gate, sign-off and preflight are green; nothing was tagged or deployed (exit 0) — report: devops/reports/release-v1.4.5-dryrun.md",
    ]);
    expect(ws.tags()).not.toContain("v1.4.5");
  });

  it("honours NO_COLOR and colours nothing when not a terminal, even with CI set", async () => {
    const dir = await ws.simConfigDir("colour");
    const run = await runCli(["release", "--dry-run", ...ws.versionArgs("v1.4.6")], {
      cwd: dir,
      env: cliEnv({ NO_COLOR: undefined, CI: "true" }),
    });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("\x1b[");
  });
});
