import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { readFrontMatter } from "@shipgate/core";
import { describe, expect, it } from "vitest";
import { killDemoMidCanary, realTimeDemoArgs, runCli, useTempDir } from "./cli-harness.js";

const scratch = useTempDir("shipgate-demo-recover-");

describe("kill -9 in the middle of the demo's canary, then shipgate recover in its directory", () => {
  it("exits 3: stable serves, the crashed attempt's report says it was recovered, an incident, no lock", async () => {
    const dir = join(scratch.path, "demo");
    const demo = await killDemoMidCanary(dir, scratch.path);
    expect(demo.signal).toBe("SIGKILL");
    // What the kill left: a canary at 5% nobody watches, a lock, an in-progress report.
    const before = JSON.parse(await readFile(join(dir, "devops/simulated/deployer.json"), "utf8"));
    expect(before).toMatchObject({ canaryVersion: "v1.4.0", weight: 5 });
    expect(existsSync(join(dir, "devops/status/release-checkout.lock"))).toBe(true);
    const inProgress = readFrontMatter(
      await readFile(join(dir, "devops/reports/release-v1.4.0.md"), "utf8"),
    );
    expect(inProgress?.status).toBe("IN_PROGRESS");

    const status = await runCli(["status"], { cwd: dir });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain("checkout: the last release was interrupted");
    expect(status.stdout).toContain("setting the canary weight to 5%");
    expect(status.stdout).toContain("shipgate recover");

    const recover = await runCli(["recover"], { cwd: dir });
    expect(recover.code).toBe(3);
    expect(recover.stdout).toMatch(/took over a stale lock from .*\(v1\.4\.0\)/);
    expect(recover.stdout).toContain("rollback verified: stable version v1.3.0 is serving");
    const after = JSON.parse(await readFile(join(dir, "devops/simulated/deployer.json"), "utf8"));
    expect(after).toMatchObject({
      stableVersion: "v1.3.0",
      canaryVersion: null,
      weight: 0,
      phase: "healthy",
    });
    const report = await readFile(join(dir, "devops/reports/release-v1.4.0.md"), "utf8");
    expect(readFrontMatter(report)).toMatchObject({
      status: "ABORTED",
      reason: "recovered_after_crash",
      exit_code: 3,
      attempt: 0,
      rollback_verified: true,
    });
    expect(report).toContain("RECOVERED AFTER A CRASH");
    expect((await readdir(join(dir, "devops/reports"))).filter((f) => f.endsWith(".md"))).toEqual([
      "release-v1.4.0.md",
    ]);
    const incidents = await readdir(join(dir, "incidents"));
    expect(incidents).toHaveLength(1);
    expect(await readFile(join(dir, "incidents", incidents[0]!), "utf8")).toContain("interrupted");
    expect(existsSync(join(dir, "devops/status/release-checkout.lock"))).toBe(false);

    // Recovering again converges: nothing left to do.
    const again = await runCli(["recover"], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("nothing to recover");
  }, 60_000);

  it("`recover --watchdog`, as a scheduled job runs it: exit 0 while a live release watches its canary, 3 once its runner is killed, then 0", async () => {
    const dir = join(scratch.path, "watched");
    let demoChild: Parameters<NonNullable<Parameters<typeof runCli>[1]["onStdout"]>>[1] | null =
      null;
    let canaryRuns!: () => void;
    const canaryRunning = new Promise<void>((resolve) => {
      canaryRuns = resolve;
    });
    const demo = runCli(realTimeDemoArgs({ windowSeconds: 60, pollSeconds: 1, dir }), {
      cwd: scratch.path,
      timeoutMs: 50_000,
      onStdout(all, child) {
        demoChild = child;
        if (/canary 5% \d+s\/1m00s/.test(all)) canaryRuns();
      },
    });
    await canaryRunning;
    // The release is alive: the watchdog leaves it alone and succeeds; plain recover says 4.
    const watched = await runCli(["recover", "--watchdog"], { cwd: dir });
    expect(watched.code).toBe(0);
    expect(watched.stdout).toContain("a live release of checkout holds the lock");
    const plain = await runCli(["recover"], { cwd: dir });
    expect(plain.code).toBe(4);
    const live = JSON.parse(await readFile(join(dir, "devops/simulated/deployer.json"), "utf8"));
    expect(live).toMatchObject({ canaryVersion: "v1.4.0", weight: 5 });

    // Its runner dies: the next watchdog run rolls the canary back and fails the job (3).
    demoChild!.kill("SIGKILL");
    expect((await demo).signal).toBe("SIGKILL");
    const recovered = await runCli(["recover", "--watchdog", "--json"], { cwd: dir });
    expect(recovered.code).toBe(3);
    const last = JSON.parse(recovered.stdout.trim().split("\n").at(-1)!);
    expect(last).toMatchObject({
      type: "release.finished",
      outcome: { status: "ABORTED", reason: "recovered_after_crash" },
    });
    const after = JSON.parse(await readFile(join(dir, "devops/simulated/deployer.json"), "utf8"));
    expect(after).toMatchObject({ stableVersion: "v1.3.0", canaryVersion: null, weight: 0 });

    // And the run after that has nothing to do.
    const idle = await runCli(["recover", "--watchdog", "--json"], { cwd: dir });
    expect(idle.code).toBe(0);
    expect(JSON.parse(idle.stdout.trim().split("\n").at(-1)!)).toEqual({
      type: "recover.nothing",
      service: "checkout",
      reason: "the last release of checkout finished (or there was none)",
    });
  }, 60_000);

  it("a release that stalls (SIGSTOP) past its lock's expiry is recovered; woken up (SIGCONT), it exits 4 and touches nothing", async () => {
    const dir = join(scratch.path, "stalled");
    expect((await runCli(["demo", "--dir", dir], { cwd: scratch.path })).code).toBe(0);
    // The next release of the demo service, on the wall clock, with a lock that expires in 1.8 s.
    const config = (await readFile(join(dir, "shipgate.yaml"), "utf8"))
      .replace("  version: v1.4.0\n", "  version: v1.5.0\n")
      .replace("    window_minutes: 10\n", "    window_minutes: 0.5\n")
      .replace("    poll_interval_seconds: 60\n", "    poll_interval_seconds: 1\n")
      .replace(/ {4}rollback_seconds: \d+\n/, "    rollback_seconds: 1\n");
    await writeFile(
      join(dir, "shipgate.yaml"),
      `${config}lock:\n  use: file\n  with:\n    stale_after_minutes: 0.03\n`,
    );
    let stalled!: () => void;
    const isStalled = new Promise<void>((resolve) => {
      stalled = resolve;
    });
    let paused: Parameters<NonNullable<Parameters<typeof runCli>[1]["onStdout"]>>[1] | null = null;
    const release = runCli(["release"], {
      cwd: dir,
      timeoutMs: 50_000,
      onStdout(all, child) {
        if (!paused && /canary 5% 2s\/30s/.test(all)) {
          paused = child;
          child.kill("SIGSTOP");
          stalled();
        }
      },
    });
    await isStalled;
    await new Promise((r) => setTimeout(r, 2_500)); // past the lock's 1.8 s
    const recovered = await runCli(["recover"], { cwd: dir });
    expect(recovered.code, recovered.stdout + recovered.stderr).toBe(3);
    const state = () => readFile(join(dir, "devops/simulated/deployer.json"), "utf8");
    const afterRecovery = await state();
    expect(JSON.parse(afterRecovery)).toMatchObject({
      stableVersion: "v1.4.0",
      canaryVersion: null,
      weight: 0,
    });

    paused!.kill("SIGCONT");
    const woken = await release;
    expect(woken.code, woken.stdout + woken.stderr).toBe(4);
    expect(woken.stdout).toContain("this run lost the release lock and stopped");
    // Production, the report and the lock are as the recovery left them.
    expect(await state()).toBe(afterRecovery);
    const report = await readFile(join(dir, "devops/reports/release-v1.5.0.md"), "utf8");
    expect(readFrontMatter(report)).toMatchObject({ reason: "recovered_after_crash" });
    expect(existsSync(join(dir, "devops/status/release-checkout.lock"))).toBe(false);
  }, 60_000);
});
