import { okAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import type { Deployer, DeploymentRevision } from "../contracts/deployer.js";
import { buildScenarioStack, runScenario } from "../testing/run-scenario.js";
import { scenarioSchema } from "../testing/scenario.js";
import { baseScenario } from "../testing/test-scenarios.js";
import { createVirtualClock } from "../testing/virtual-clock.js";

describe("the report's deploy section", () => {
  it("lists the revisions of a deployer that keeps them, read after the deploy", async () => {
    const clock = createVirtualClock();
    const scenario = scenarioSchema.parse(baseScenario());
    const built = buildScenarioStack(scenario, { clock });
    const asked: string[] = [];
    const revisions: DeploymentRevision[] = [
      { id: "4", status: "superseded", detail: "shop-0.1.0, app 1.0: Upgrade complete" },
      { id: "5", status: "deployed", detail: "shop-0.1.0, app 1.0: Upgrade | complete" },
    ];
    const deployer: Deployer = {
      ...built.stack.deployer,
      history: (target) => {
        asked.push(target.version);
        return okAsync(revisions);
      },
    };
    const r = await runScenario(baseScenario(), {
      clock,
      overrides: { deployer, slo: built.stack.slo },
    });
    expect(r.outcome.status).toBe("SUCCESS");
    expect(asked).toEqual(["v1.4.0"]);
    const read = await r.artifacts.read(r.outcome.paths.report!);
    const report = read._unsafeUnwrap()!;
    expect(report).toContain(
      [
        "| revision | status | detail |",
        "|---|---|---|",
        "| 4 | superseded | shop-0.1.0, app 1.0: Upgrade complete |",
        "| 5 | deployed | shop-0.1.0, app 1.0: Upgrade \\| complete |",
      ].join("\n"),
    );
  });

  it("does not ask when no deploy started (a dry run)", async () => {
    const clock = createVirtualClock();
    const built = buildScenarioStack(scenarioSchema.parse(baseScenario()), { clock });
    let asked = 0;
    const deployer: Deployer = {
      ...built.stack.deployer,
      history: () => {
        asked += 1;
        return okAsync([]);
      },
    };
    const r = await runScenario(baseScenario({ dry_run: true } as never), {
      clock,
      overrides: { deployer, slo: built.stack.slo },
    });
    expect(r.outcome.dryRun).toBe(true);
    expect(asked).toBe(0);
  });
});
