import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, useWorkspace } from "./cli-harness.js";

const ws = useWorkspace();

describe("Ctrl-C during a canary (real clock)", () => {
  it("rolls the canary back, writes the report, releases the lock, exits 130 — a second Ctrl-C does not skip the rollback", async () => {
    // Long windows so the canary is still running when we interrupt; a slow rollback (600 ms)
    // so the second SIGINT lands while it runs.
    const dir = await ws.simConfigDir("interrupt", {
      adapterWith: "{ rollback_delay_ms: 600 }",
      longWindows: true,
    });
    let sent = 0;
    const started = Date.now();
    const run = await runCli(["release", ...ws.versionArgs("v3.0.0")], {
      cwd: dir,
      onStdout(all, child) {
        if (sent === 0 && /canary 5% .*ok$/m.test(all)) {
          sent = 1;
          child.kill("SIGINT");
        } else if (sent === 1 && all.includes("rolling back:")) {
          sent = 2;
          child.kill("SIGINT");
          setTimeout(() => child.kill("SIGTERM"), 100);
        }
      },
    });
    expect(sent).toBe(2);
    expect(run.signal).toBeNull();
    expect(run.code).toBe(130);
    expect(Date.now() - started).toBeLessThan(10_000); // not the 5-minute window
    expect(run.stdout).toContain("SIGINT received: stopping. A running canary is rolled back");
    expect(run.stdout).toContain("still rolling back…");
    expect(run.stdout).toMatch(/rollback verified: stable version v1\.3\.0 is serving/);
    expect(run.stdout).toContain(
      "CANCELLED: cancelled by the operator during the canary (exit 130)",
    );
    const files = await ws.files(dir);
    expect(files).toContain("devops/reports/release-v3.0.0.md");
    expect(files).not.toContain("devops/status/release-checkout.lock");
    expect(files.some((f) => f.startsWith("incidents/"))).toBe(false); // an operator's cancel is not an incident
    const report = await readFile(join(dir, "devops/reports/release-v3.0.0.md"), "utf8");
    expect(report).toContain("reason: cancelled");
    expect(report).toContain("exit_code: 130");
  });
});
