import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectToContainAll, runCli, useWorkspace, writeLiveLock } from "./cli-harness.js";

const ws = useWorkspace();

const PLAN_RELEASE = `  dashboards: ["https://grafana.acme.example/d/checkout"]
  preparation:
    required_config: [HOME]
    migrations:
      - { name: 0042_add_currency, kind: forward_only }
      - { name: 0043_orders_index, kind: reversible, rollback_tested: true }`;

describe("shipgate plan", () => {
  it("prints the dry run as a document and changes nothing", async () => {
    const dir = await ws.simConfigDir("plan", { release: PLAN_RELEASE });
    const before = ws.tags();
    const run = await runCli(["plan", ...ws.versionArgs("v1.4.0")], { cwd: dir });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const md = run.stdout;
    expect(md).toMatch(/^# Release plan: checkout v1\.4\.0 → production\n/);
    expect(md).toContain("**Ready.**");
    // What would be tagged, with the PRs since v1.3.0.
    expect(md).toContain(`Annotated tag \`v1.4.0\` on \`${ws.repo.headSha}\` (on \`main\`)`);
    expect(md).toContain("12 pull requests in this release");
    expect(md).toContain(
      "[#105](https://github.com/acme/checkout/pull/105) feat(api)!: require currency on POST /orders",
    );
    expect(md).not.toContain("#100"); // before v1.3.0
    // Rollout plan: steps, windows, objectives, trigger and method.
    expectToContainAll(md, [
      "| 1 | 5% | 0.3s | error rate ≤ 1.00%, p95 ≤ 300 ms |",
      "| 3 | 100% | 0.3s |",
      "### Rollback trigger",
      "- error rate above 1.00% at any poll",
      "Automatic, through simulated: abort the canary (all traffic back to `v1.3.0`)",
    ]);
    // Checklist.
    expectToContainAll(md, [
      "- [x] config present:\n  - [x] config HOME exists in environment",
      "- [x] migrations forward-only or reversible:",
      "- [x] CI green on",
      "- [x] dashboards: <https://grafana.acme.example/d/checkout>",
      "- [x] deployer preflight (simulated) — strategy=canary, platform=simulated",
      "## Rollback steps",
      "- [x] release lock (file): free; taken when the release runs, not by the plan",
    ]);
    // Nothing changed: no tag, no lock, no report, no status file.
    expect(ws.tags()).toEqual(before);
    expect(await ws.files(dir)).toEqual(["shipgate.yaml"]);
  });

  it("says when another release holds the lock, without touching it", async () => {
    const dir = await ws.simConfigDir("plan-locked");
    // A live holder: this test process itself, on this host.
    const { holder, path: lockFile } = await writeLiveLock(dir, {
      id: "other-run",
      version: "v1.3.9",
      startedAt: "2026-11-23T09:00:00.000Z",
    });
    const run = await runCli(["plan", ...ws.versionArgs("v1.4.0")], { cwd: dir });
    expect(run.stdout).toContain(
      `- [ ] release lock (file): held by v1.3.9 on ${hostname()} (pid ${process.pid}) since 2026-11-23T09:00:00.000Z (its process is running); the release would be refused (exit 4) until it finishes`,
    );
    expect(JSON.parse(await readFile(lockFile, "utf8"))).toEqual(holder);
  });

  it("shows what blocks, and exits with the dry run's code", async () => {
    const dir = await ws.simConfigDir("plan-red", {
      adapterWith: "{ checks: [{ name: e2e, conclusion: failure }] }",
    });
    const run = await runCli(["plan", ...ws.versionArgs("v1.4.0")], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("**Not ready: BLOCKED** — CI check failed: e2e");
    expect(run.stdout).toContain("  - [ ] e2e: failure");
    expect(await ws.files(dir)).toEqual(["shipgate.yaml"]);
  });

  it("--out creates the file exclusively and never overwrites it", async () => {
    const dir = await ws.simConfigDir("plan-out");
    const first = await runCli(["plan", "--out", "plan.md", ...ws.versionArgs("v1.4.0")], {
      cwd: dir,
    });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("plan written to plan.md");
    const written = await readFile(join(dir, "plan.md"), "utf8");
    expect(written).toContain("# Release plan: checkout v1.4.0");
    const second = await runCli(["plan", "--out", "plan.md", ...ws.versionArgs("v1.4.0")], {
      cwd: dir,
    });
    expect(second.code).toBe(1);
    expect(second.stderr.trim()).toBe(
      "shipgate: error: --out: plan.md already exists — choose another file name or delete the old plan",
    );
    expect(await readFile(join(dir, "plan.md"), "utf8")).toBe(written);
    expect(await ws.files(dir)).toEqual(["plan.md", "shipgate.yaml"]);
  });
});
