import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireBuiltCli, runCli } from "./cli-harness.js";

let tmp: string;
beforeAll(async () => {
  requireBuiltCli();
  tmp = await mkdtemp(join(tmpdir(), "shipgate-demo-test-"));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe("shipgate demo", () => {
  it("success: a real git history, released on a virtual clock in seconds", async () => {
    const dir = join(tmp, "success");
    const started = Date.now();
    const run = await runCli(["demo", "--dir", dir], { cwd: tmp });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(run.stdout).toContain("12 pull requests merged since v1.3.0");
    expect(run.stdout).toContain("SUCCESS: checkout v1.4.0 is live in production (exit 0)");
    expect(run.stdout).toContain(`report:    ${join(dir, "devops/reports/release-v1.4.0.md")}`);
    expect(run.stdout).toContain(`changelog: ${join(dir, "devops/status/prs-in-release.json")}`);
    const git = (...args: string[]) =>
      execFileSync("git", args, { cwd: dir, encoding: "utf8" }).trim();
    const merges = git("log", "--first-parent", "--format=%s", "v1.3.0..v1.4.0").split("\n");
    expect(merges).toHaveLength(12);
    expect(merges.every((s) => /^Merge pull request #\d+ from acme\//.test(s))).toBe(true);
    expect(git("log", "-1", "--format=%B", "v1.4.0~1")).toMatch(/Reviewed-by: /); // a merge's trailers
    expect(git("cat-file", "-t", "v1.4.0")).toBe("tag"); // annotated, created by the release
    const report = await readFile(join(dir, "devops/reports/release-v1.4.0.md"), "utf8");
    expect(report).toContain("### ⚠ Breaking changes");
    expect(report).toContain("require currency on POST /orders");
  });

  it("breach: rolled back at 25%, incident written with the likely culprit", async () => {
    const dir = join(tmp, "breach");
    const run = await runCli(["demo", "--scenario", "breach", "--dir", dir], { cwd: tmp });
    expect(run.code).toBe(3);
    expect(run.stdout).toContain("BREACH at 25%");
    const incident = /incident:\s+(\S+)/.exec(run.stdout)?.[1];
    expect(incident).toMatch(/incidents\/INC-\d{4}-\d\d-\d\d-01\.md$/);
    const text = await readFile(incident!, "utf8");
    // The judge's reason: the canary against the stable version.
    expect(text).toMatch(/vs stable/);
    expect(text).toContain("Likely culprit: #105");
  });

  it("ci-red: blocked by one failing check, nothing tagged", async () => {
    const dir = join(tmp, "ci-red");
    const run = await runCli(["demo", "--scenario", "ci-red", "--dir", dir, "--quiet"], {
      cwd: tmp,
    });
    expect(run.code).toBe(2);
    expect(run.stdout.trim().split("\n")).toHaveLength(1);
    expect(run.stdout).toContain("BLOCKED: CI check failed: e2e");
    expect(execFileSync("git", ["tag", "--list"], { cwd: dir, encoding: "utf8" }).trim()).toBe(
      "v1.3.0",
    );
  });

  it("rejects an unknown scenario and a non-empty --dir before doing anything", async () => {
    const scenario = await runCli(["demo", "--scenario", "breech"], { cwd: tmp });
    expect(scenario.code).toBe(1);
    expect(scenario.stderr.trim()).toBe(
      'shipgate: error: --scenario: unknown demo scenario "breech" (did you mean "breach"?) — choose one of success, breach, ci-red',
    );
    const dir = await runCli(["demo", "--dir", join(tmp, "success")], { cwd: tmp });
    expect(dir.code).toBe(1);
    expect(dir.stderr).toContain("is not empty — choose a new or empty directory");
  });
});
