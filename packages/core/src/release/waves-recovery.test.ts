import { describe, expect, it } from "vitest";
import { readFrontMatter } from "../artifacts/front-matter.js";
import type { JournalRecord } from "../contracts/release-journal.js";
import { dyingReleaseJournal } from "../testing/fakes/dying-release-journal.js";
import { createMemoryArtifactStore } from "../testing/fakes/memory-artifact-store.js";
import {
  createMemoryJournalBackend,
  createMemoryReleaseJournal,
} from "../testing/fakes/memory-release-journal.js";
import { createMemoryLockBackend } from "../testing/fakes/memory-release-lock.js";
import { buildScenarioStack } from "../testing/run-scenario.js";
import { type ScenarioInput, scenarioSchema } from "../testing/scenario.js";
import { baseScenario } from "../testing/test-scenarios.js";
import { describeJournalRecord } from "./crashed-release.js";
import { createReleaseOrchestrator } from "./orchestrator.js";

const ENVIRONMENTS = ["staging", "prod-us-east-1", "prod-eu-west-1"];

function wavesScenario(breach: boolean): ScenarioInput {
  const healthy = { default: { error_rate: 0.002, p95_latency_ms: 120 } };
  return baseScenario({
    release: { waves: [["staging"], ["prod-us-east-1", "prod-eu-west-1"]], bake_minutes: 10 },
    environments: {
      staging: { metrics: healthy },
      "prod-us-east-1": { metrics: healthy },
      "prod-eu-west-1": {
        metrics: breach ? { ...healthy, "25": { error_rate: 0.05, p95_latency_ms: 120 } } : healthy,
      },
    },
  });
}

function world(scenario: ScenarioInput) {
  const parsed = scenarioSchema.parse(scenario);
  const artifacts = createMemoryArtifactStore();
  const lockBackend = createMemoryLockBackend();
  const journalBackend = createMemoryJournalBackend();
  const built = buildScenarioStack(parsed, { artifacts, lockBackend });
  return {
    parsed,
    artifacts,
    lockBackend,
    journalBackend,
    journal: createMemoryReleaseJournal(journalBackend),
    ...built,
  };
}

const records = (w: ReturnType<typeof world>) => [
  ...((w.journalBackend.journals.get("shop") as JournalRecord[] | undefined) ?? []),
];

describe("a release with waves killed at every journal boundary, then recovered", () => {
  for (const [name, breach] of [
    ["success", false],
    ["breach in wave 2", true],
  ] as const) {
    it(`${name}: every environment that moved is back on stable (or all are live), one report, the lock free`, async () => {
      const full = world(wavesScenario(breach));
      await createReleaseOrchestrator({ ...full.stack, journal: full.journal }).release(
        full.parsed.release,
      );
      const all = records(full);
      expect(all.at(-1)?.type).toBe("finished");
      // Records of the environments name them; the release's own do not.
      expect(
        new Set(
          all.flatMap((r) => (typeof r.data.environment === "string" ? [r.data.environment] : [])),
        ),
      ).toEqual(new Set(ENVIRONMENTS));
      expect(all.map((r) => r.seq)).toEqual(all.map((_, i) => i + 1));
      const started = all.find((r) => r.type === "deploy.start")!;
      expect(describeJournalRecord(started)).toMatch(/^\[staging\] /);

      for (let n = 1; n <= all.length; n++) {
        const w = world(wavesScenario(breach));
        void createReleaseOrchestrator({
          ...w.stack,
          journal: dyingReleaseJournal(w.journal, n),
        }).release(w.parsed.release);
        for (let i = 0; i < 300; i++) await new Promise((r) => setImmediate(r));
        const journaled = records(w);
        const label = `killed after record ${n} (${journaled.at(-1)?.type} ${String(journaled.at(-1)?.data.environment ?? "")})`;
        expect(journaled, label).toHaveLength(n);
        const dead = w.lockBackend.holders.get("shop");
        if (dead) dead.stale = true;
        const next = createReleaseOrchestrator({ ...w.stack, journal: w.journal });
        const recovered = await next.recover({ service: "shop" });
        const finished = journaled.at(-1)?.type === "finished";
        const succeeded = journaled.some(
          (r) => r.type === "outcome" && r.data.status === "SUCCESS",
        );
        const moved = new Set(
          journaled.flatMap((r) => (r.type === "deploy.start" ? [String(r.data.environment)] : [])),
        );
        for (const env of ENVIRONMENTS) {
          const state = w.environments[env]!.state;
          // Every environment is on exactly one version, nothing half-way.
          expect(state.canaryVersion, `${label}: ${env}`).toBeNull();
          expect(state.phase, `${label}: ${env}`).toBe("healthy");
          expect(state.stableVersion, `${label}: ${env}`).toBe(
            succeeded || (finished && !breach) ? "v1.4.0" : "v1.3.0",
          );
        }
        expect(w.lockBackend.holders.has("shop"), label).toBe(false);
        if (finished) expect(recovered, label).toBeNull();
        else if (succeeded) expect(recovered?.status, label).toBe("SUCCESS");
        else {
          expect(recovered?.reason, label).toBe("recovered_after_crash");
          expect(recovered?.exitCode, label).toBe(moved.size ? 3 : 1);
          if (moved.size) expect(recovered?.rollbackVerified, label).toBe(true);
        }
        const reports = [...w.artifacts.files.keys()].filter(
          (p) => p.startsWith("devops/reports/") && p.endsWith(".md"),
        );
        expect(reports, label).toEqual(["devops/reports/release-v1.4.0.md"]);
        const report = w.artifacts.files.get(reports[0]!)!;
        expect(readFrontMatter(report)?.status, label).not.toBe("IN_PROGRESS");
        if (!finished && !succeeded && moved.size)
          for (const env of moved)
            expect(report, `${label}: ${env}`).toMatch(
              new RegExp(
                `### Environment ${env} \\(wave \\d\\)\\n\\nState: [^\\n]*rolled back \\(verified\\)`,
              ),
            );
        expect(await next.recover({ service: "shop" }), label).toBeNull();
      }
    });
  }
});
