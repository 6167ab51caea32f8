import { describe, expect, it } from "vitest";
import { runCli, simConfig, useWorkspace, withProvider } from "./cli-harness.js";

const ws = useWorkspace();

describe("shipgate config validate", () => {
  it("accepts a valid config (version and sha left to flags) and lists the providers", async () => {
    const dir = await ws.simConfigDir("valid");
    const run = await runCli(["config", "validate"], { cwd: dir });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("✔ shipgate.yaml is valid");
    expect(run.stdout).toMatch(/source_control\s+git \(built-in\)/);
    expect(run.stdout).toMatch(/deployer\s+sim-adapter/);
    expect(run.stdout).toMatch(/lock\s+file \(built-in\)/);
  });

  it("prints every problem at once, one per line", async () => {
    const dir = await ws.configDir("invalid", (d) => {
      let yaml = withProvider(simConfig(ws, d), "deployer", { use: "@shipgate/nope" });
      yaml = withProvider(yaml, "ci", {
        with: '{ token: "glpat-abcdefghijklmnopqrst", rollback_delay_ms: slow }',
      });
      return yaml
        .replace("window_minutes: 0.005", "window_minutes: -1")
        .replace("service: checkout", "service: checkout\n  servce: typo")
        .concat("lokc: { use: file }\n");
    });
    const run = await runCli(["config", "validate"], { cwd: dir });
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split("\n");
    const problems = lines.filter((l) => l.startsWith("shipgate: error: shipgate.yaml: "));
    expect(
      problems.map((l) => l.replace("shipgate: error: shipgate.yaml: ", "").split(":")[0]),
    ).toEqual(
      expect.arrayContaining([
        "ci.with.token",
        "lokc",
        "release.servce",
        "release.slo.window_minutes",
      ]),
    );
    expect(run.stderr).toContain('lokc: unknown key (did you mean "lock"?)');
    expect(run.stderr).toContain('release.servce: unknown key (did you mean "service"?)');
    expect(run.stderr).toContain("ci.with.token: holds an inline secret (a GitLab token)");
    expect(run.stderr).not.toContain("glpat-abcdefghijklmnopqrst");
    expect(lines[lines.length - 1]).toMatch(/^\d+ problems in shipgate\.yaml: fix them/);
  });

  it("checks providers once the file is clean: unknown package, bad options, unset secrets", async () => {
    const dir = await ws.configDir("providers", (d) => {
      let yaml = withProvider(simConfig(ws, d), "ci", {
        with: "{ token_env: SHIPGATE_UNSET_FOR_TEST }",
      });
      yaml = withProvider(yaml, "slo", { with: "{ checks: nope }" });
      return withProvider(yaml, "deployer", { use: "@shipgate/metrics-prometheuss" });
    });
    const run = await runCli(["config", "validate", "--json"], { cwd: dir });
    expect(run.code).toBe(1);
    const error = JSON.parse(run.stdout.trim().split("\n").pop()!);
    expect(error.type).toBe("cli.error");
    expect(error.problems.map((p: { key: string }) => p.key).sort()).toEqual([
      "ci.with.token_env",
      "deployer.use",
      "slo.with.checks",
    ]);
    expect(run.stderr).toContain('(did you mean "@shipgate/metrics-prometheus"?)');
  });
});
