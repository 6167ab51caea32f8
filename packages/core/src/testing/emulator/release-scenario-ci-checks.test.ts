import { okAsync } from "neverthrow";
import { describe } from "vitest";
import type { CiCheck, CiProvider } from "../../contracts/ci-provider.js";
import { itReportsReleaseScenarioChecks } from "./release-scenario-ci-checks.js";
import { sampleReleaseScenario } from "./sample-release-scenario.js";

const s = sampleReleaseScenario;

const check = (name: string, fields: Partial<CiCheck>): CiCheck => ({
  name,
  status: "completed",
  conclusion: "success",
  url: null,
  startedAt: "2026-01-01T00:00:00Z",
  completedAt: "2026-01-01T00:01:00Z",
  ...fields,
});

const checksBySha = new Map<string, CiCheck[]>([
  [s.redSha, [check("build", { conclusion: "failure" })]],
  [s.pendingSha, [check("build", { status: "in_progress", conclusion: null, completedAt: null })]],
]);

const ci: CiProvider = {
  name: "scenario ci",
  listChecks: (sha) => okAsync(checksBySha.get(sha) ?? []),
};

describe("release-scenario CI checks, against a CI that passes them", () => {
  itReportsReleaseScenarioChecks(async () => ({ s, provider: { ci } }), {
    red: [{ name: "build", conclusion: "failure" }],
    pending: [{ name: "build", status: "in_progress", completedAt: null }],
  });
});
