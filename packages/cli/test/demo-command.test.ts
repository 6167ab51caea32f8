import { execFileSync, spawnSync } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { readFrontMatter } from "@shipgate/core";
import { describe, expect, it } from "vitest";
import { cliEnv, expectCliError, expectToContainAll, runCli, useTempDir } from "./cli-harness.js";

// rsvg-convert (librsvg2-bin) proves the chart renders; CI installs it and requires it.
const rsvg = spawnSync("rsvg-convert", ["--version"]).status === 0;
async function expectRenders(svgPath: string): Promise<void> {
  if (!rsvg) {
    if (process.env.SHIPGATE_REQUIRE_SERVERS === "1")
      throw new Error("rsvg-convert (librsvg2-bin) is required (SHIPGATE_REQUIRE_SERVERS=1)");
    console.warn("demo chart not rendered — skipped: rsvg-convert not installed (librsvg2-bin)");
    return;
  }
  const png = `${svgPath}.png`;
  const run = spawnSync("rsvg-convert", ["-o", png, svgPath], { encoding: "utf8" });
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  expect((await readFile(png)).subarray(1, 4).toString()).toBe("PNG");
}

const scratch = useTempDir("shipgate-demo-test-");

describe("shipgate demo", () => {
  it("success: a real git history, released on a virtual clock in seconds", async () => {
    const dir = join(scratch.path, "success");
    const started = Date.now();
    const run = await runCli(["demo", "--dir", dir], { cwd: scratch.path });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(8000);
    expectToContainAll(run.stdout, [
      "12 pull requests merged since v1.3.0",
      "SUCCESS: checkout v1.4.0 is live in production (exit 0)",
      `report:    ${join(dir, "devops/reports/release-v1.4.0.md")}`,
      `changelog: ${join(dir, "devops/status/prs-in-release.json")}`,
    ]);
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
    const dir = join(scratch.path, "breach");
    const run = await runCli(["demo", "--scenario", "breach", "--dir", dir], { cwd: scratch.path });
    expect(run.code).toBe(3);
    expect(run.stdout).toContain("BREACH at 25%");
    const incident = /incident:\s+(\S+)/.exec(run.stdout)?.[1];
    expect(incident).toMatch(/incidents\/INC-\d{4}-\d\d-\d\d-01\.md$/);
    const text = await readFile(incident!, "utf8");
    // The judge's reason: the canary against the stable version.
    expect(text).toMatch(/vs stable/);
    expect(text).toContain("Likely culprit: #105");
    // The canary chart beside the report, embedded in it and linked from the incident.
    const chart = join(dir, "devops/reports/release-v1.4.0.svg");
    const report = await readFile(join(dir, "devops/reports/release-v1.4.0.md"), "utf8");
    expect(report).toMatch(/^!\[Canary chart[^\]]*\]\(release-v1\.4\.0\.svg\)$/m);
    expect(text).toContain("(../devops/reports/release-v1.4.0.svg)");
    const svg = await readFile(chart, "utf8");
    expect(svg).toContain('data-kind="breach"');
    expect(svg).toContain('class="rollback"');
    await expectRenders(chart);
  });

  it("breach: the incident is a postmortem draft with every section filled from the run", async () => {
    const dir = join(scratch.path, "breach-postmortem");
    const run = await runCli(["demo", "--scenario", "breach", "--dir", dir, "--quiet"], {
      cwd: scratch.path,
      env: cliEnv({
        GITHUB_ACTOR: "octo-captain",
        GITLAB_USER_LOGIN: undefined,
        BUILD_REQUESTEDFOR: undefined,
      }),
    });
    expect(run.code).toBe(3);
    const incidents = await readdir(join(dir, "incidents"));
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatch(/^INC-\d{4}-\d\d-\d\d-01\.md$/);
    const text = await readFile(join(dir, "incidents", incidents[0]!), "utf8");
    const section = (title: string) => {
      const start = text.indexOf(`\n## ${title}\n`);
      expect(start, `section ${title}`).toBeGreaterThan(0);
      const end = text.indexOf("\n## ", start + 4);
      return text.slice(start, end < 0 ? undefined : end);
    };
    const headings = [...text.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings).toEqual([
      "What happened",
      "Timeline (UTC)",
      "Detection",
      "Rollback",
      "Impact estimate",
      "Suspect changes",
      "Root cause",
      "What went well",
      "Action items",
      "Links",
    ]);
    expect(text).toContain("- **Release captain:** octo-captain");

    // Timeline: every event from the lock to the rollback's verification, in order, in UTC.
    const rows = [
      ...section("Timeline (UTC)").matchAll(/^\| (\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ) \| (.+) \|$/gm),
    ];
    const times = rows.map((r) => Date.parse(r[1]!.replace(" ", "T")));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const events = rows.map((r) => r[2]!);
    const order = [
      /^release lock taken: devops\/status\/release-checkout\.lock$/,
      /^release of checkout v1\.4\.0 \([0-9a-f]{12}\) to production started$/,
      /^CI green: 4 check\(s\)$/,
      /^tag v1\.4\.0 created on [0-9a-f]{12}$/,
      /^canary step 1\/3: weight 5%, watched for 10 m 00 s$/,
      /^5% passed: error rate 0\.24%, p95 181 ms$/,
      /^canary step 2\/3: weight 25%, watched for 10 m 00 s$/,
      /^25% poll 2: breach — error rate 0\.87%, p95 244 ms, 1200 requests$/,
      /^BREACH at 25%: p95 227 ms vs stable 187 ms: .* slower than stable beyond chance/,
      /^rollback started: p95 227 ms vs stable 187 ms/,
      /^smoke check healthz \(after rollback\): pass/,
      /^rollback verified: stable version v1\.3\.0 is serving/,
    ];
    const positions = order.map((pattern) => events.findIndex((e) => pattern.test(e)));
    expect(
      positions.every((p) => p >= 0),
      JSON.stringify(positions),
    ).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(events.at(-1)).toMatch(/^rollback verified/);
    expect(events.filter((e) => /^5% poll \d+: ok/.test(e))).toHaveLength(10);
    // 10 minutes at 5%, 2 polls at 25% (the p95 regression against stable is clear by then),
    // then the 1 m 42 s rollback.
    expect(times.at(-1)! - times[0]!).toBe((10 + 2) * 60_000 + 102_000);

    const detection = section("Detection");
    expectToContainAll(detection, [
      "- Metric: p95 latency (against stable), reported by simulated",
      "- error rate: 0.63% against the objective ≤ 1.00% — within",
      "- p95 latency: 227 ms against the objective ≤ 300 ms — within",
      "- p95 latency against stable: 227 ms",
      "stable 187 ms, limit 215 ms — BREACHED",
      "- Window: 2 m 00 s observed of a 10-minute window, at 25% canary weight",
      "- Sample size: 2,400 requests, 15 failed",
      "simulated weight=25 poll=2",
      "The judge's reasoning:",
      "- 2 poll(s) of the 25% step, every 60 s over a 10-minute window",
    ]);

    const rollback = section("Rollback");
    expect(rollback).toContain("Previous version restored and verified in 1 m 42 s.");
    expect(rollback).toContain(
      "- Method: abort the canary and roll back to the stable version v1.3.0 through the simulated (file) deployer",
    );
    const started = /- Started: (\S+)/.exec(rollback)?.[1];
    const ended = /- Ended: (\S+)/.exec(rollback)?.[1];
    expect(Date.parse(ended!) - Date.parse(started!)).toBe(102_000);
    expect(rollback).toContain("- Duration: 1 m 42 s");
    expect(rollback).toContain("- smoke check healthz after the rollback: pass");

    const impact = section("Impact estimate");
    expectToContainAll(impact, [
      "The new version served 5% of traffic for 10 m 00 s, then 25% of traffic for 2 m 00 s: canary weight × minutes ≈ 1 minutes of full traffic.",
      "In requests: the canary served 14,400 requests, of which 44 failed.",
      "| 5% | 10 | 5% | 12,000 | 29 |",
      "| 25% | 2 | 25% | 2,400 | 15 |",
    ]);

    const suspects = section("Suspect changes");
    expect(suspects).toContain(
      "**Likely culprit: #105 feat(api)!: require currency on POST /orders** by @dave",
    );
    expect(suspects).toContain("CC: @dave");
    for (const title of ["Root cause", "What went well", "Action items"])
      expect(section(title)).toMatch(/\n_To be written: [^_]+_\n/);
    expect(section("Links")).toContain(
      "- Dashboard: [Grafana](https://grafana.acme.example/d/checkout/checkout-overview)",
    );

    const report = await readFile(join(dir, "devops/reports/release-v1.4.0.md"), "utf8");
    expect(readFrontMatter(report)).toMatchObject({ captain: "octo-captain", tag_pushed_to: null });
    expect(report).toContain("**Captain:** octo-captain");
    expect(report).toContain(
      "- **Grafana**: https://grafana.acme.example/d/checkout/checkout-overview",
    );
    expect(report).toContain(
      "Dashboards: Grafana: https://grafana.acme.example/d/checkout/checkout-overview · Runbook: https://runbooks.acme.example/checkout/rollback",
    );
  });

  it("ci-red: blocked by one failing check, nothing tagged", async () => {
    const dir = join(scratch.path, "ci-red");
    const run = await runCli(["demo", "--scenario", "ci-red", "--dir", dir, "--quiet"], {
      cwd: scratch.path,
    });
    expect(run.code).toBe(2);
    expect(run.stdout.trim().split("\n")).toHaveLength(1);
    expect(run.stdout).toContain("BLOCKED: CI check failed: e2e");
    expect(execFileSync("git", ["tag", "--list"], { cwd: dir, encoding: "utf8" }).trim()).toBe(
      "v1.3.0",
    );
  });

  it("rejects an unknown scenario and a non-empty --dir before doing anything", async () => {
    const scenario = await runCli(["demo", "--scenario", "breech"], { cwd: scratch.path });
    expectCliError(
      scenario,
      'shipgate: error: --scenario: unknown demo scenario "breech" (did you mean "breach"?) — choose one of success, breach, ci-red',
    );
    const dir = await runCli(["demo", "--dir", join(scratch.path, "success")], {
      cwd: scratch.path,
    });
    expect(dir.code).toBe(1);
    expect(dir.stderr).toContain("is not empty — choose a new or empty directory");
  });
});
