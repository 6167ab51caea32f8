import { okAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { buildScenarioStack } from "../testing/run-scenario.js";
import { scenarioSchema } from "../testing/scenario.js";
import { baseScenario } from "../testing/test-scenarios.js";
import { createReleaseOrchestrator } from "./orchestrator.js";

describe("rollback verification", () => {
  it("is not verified when the deployer calls the release's own version the serving stable one", async () => {
    const scenario = scenarioSchema.parse(
      baseScenario({
        metrics: {
          "25": { error_rate: 0.05, p95_latency_ms: 120 },
          default: { error_rate: 0.002, p95_latency_ms: 120 },
        },
      }),
    );
    const { stack, deployer } = buildScenarioStack(scenario);
    deployer.verifyStable = () =>
      okAsync({ serving: true, stableVersion: "v1.4.0", message: "v1.4.0 serves 100%" });
    const outcome = await createReleaseOrchestrator(stack).release(scenario.release);
    expect(outcome).toMatchObject({ status: "ABORTED", rolledBack: true, rollbackVerified: false });
    expect(outcome.warnings.join("\n")).toContain(
      "ROLLBACK NOT VERIFIED: stable version v1.4.0 is serving (v1.4.0 serves 100%); the release's own version v1.4.0 still serves",
    );
  });
});
