import { describe, expect, it } from "vitest";
import { checkConfigText } from "./config-file.js";

describe("shipgate.yaml environments", () => {
  it("parses each environment's deployer, SLO source, optional lock and smoke checks", () => {
    const checked = checkConfigText(`release: { waves: [[staging], [prod-us]] }
ci: { use: simulated }
environments:
  staging:
    deployer: { use: simulated, with: { state_file: staging.json } }
    slo: { use: simulated, with: { state_file: staging.json } }
    smoke_checks:
      - { type: command, name: staging-health, command: ["./health.sh", "staging"] }
  prod-us:
    deployer: { use: "@shipgate/deploy-kubernetes", with: { context: us } }
    slo: { use: "@shipgate/metrics-prometheus" }
    lock: { use: "@shipgate/deploy-kubernetes", with: { context: us } }
`);
    expect(checked.problems).toEqual([]);
    expect(checked.config?.environments).toEqual({
      staging: {
        deployer: { use: "simulated", with: { state_file: "staging.json" } },
        slo: { use: "simulated", with: { state_file: "staging.json" } },
        smoke_checks: [
          {
            type: "command",
            name: "staging-health",
            command: ["./health.sh", "staging"],
            timeout_ms: 30_000,
            retries: 0,
          },
        ],
      },
      "prod-us": {
        deployer: { use: "@shipgate/deploy-kubernetes", with: { context: "us" } },
        slo: { use: "@shipgate/metrics-prometheus", with: {} },
        lock: { use: "@shipgate/deploy-kubernetes", with: { context: "us" } },
        smoke_checks: [],
      },
    });
  });

  it("names the field of a missing SLO source, an unknown key and a bad environment name", () => {
    const checked = checkConfigText(`environments:
  staging:
    deployer: { use: simulated }
    slos: { use: simulated }
  "prod us":
    deployer: { use: simulated }
    slo: { use: simulated }
`);
    expect(checked.config).toBeNull();
    expect(checked.problems.map((p) => `${p.key}: ${p.message}`)).toEqual([
      "environments.staging.slo: is required (expected object)",
      'environments.staging.slos: unknown key (did you mean "slo"?)',
      "environments.prod us: must be a mapping of environment name → { deployer, slo, lock?, smoke_checks? }",
    ]);
  });
});
