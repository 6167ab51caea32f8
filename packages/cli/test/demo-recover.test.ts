import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { readFrontMatter } from "@shipgate/core";
import { describe, expect, it } from "vitest";
import { realTimeDemoArgs, runCli, useTempDir } from "./cli-harness.js";

const scratch = useTempDir("shipgate-demo-recover-");

describe("kill -9 in the middle of the demo's canary, then shipgate recover in its directory", () => {
  it("exits 3: stable serves, the crashed attempt's report says it was recovered, an incident, no lock", async () => {
    const dir = join(scratch.path, "demo");
    let killed = false;
    const demo = await runCli(realTimeDemoArgs({ windowSeconds: 6, pollSeconds: 1, dir }), {
      cwd: scratch.path,
      onStdout(all, child) {
        if (!killed && /canary 5% 2s\/6s/.test(all)) {
          killed = true;
          child.kill("SIGKILL");
        }
      },
    });
    expect(killed).toBe(true);
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
});
