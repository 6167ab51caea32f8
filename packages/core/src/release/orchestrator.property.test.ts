import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { MemoryArtifactStore } from "../testing/fakes/memory-artifact-store.js";
import { createMemoryLockBackend } from "../testing/fakes/memory-release-lock.js";
import { runScenario } from "../testing/run-scenario.js";
import { baseScenario } from "../testing/test-scenarios.js";

const ERROR_MAX = 0.01;
const P95_MAX = 300;
const stepsArb = fc.constantFrom<number[]>([5, 25, 100], [10, 50, 100], [100], [1, 2, 3, 100]);
const errArb = fc.constantFrom<number | null>(0, 0.004, 0.01, 0.011, 0.2, null);
const p95Arb = fc.constantFrom<number | null>(80, 299, 300, 301, 900, null);
const seriesArb = fc.record({
  error_rate: fc.array(errArb, { minLength: 1, maxLength: 7 }),
  p95_latency_ms: fc.array(p95Arb, { minLength: 1, maxLength: 7 }),
});

type Series = { error_rate: (number | null)[]; p95_latency_ms: (number | null)[] };

/** An independent model of the watch rules: where must the release stop? */
function model(
  steps: number[],
  windowPolls: number,
  maxNoData: number,
  metrics: Record<string, Series>,
): { stoppedAt: number | null } {
  const at = (s: (number | null)[], poll: number) => s[Math.min(poll - 1, s.length - 1)] ?? null;
  const watch = (series: Series, fromPoll: number, polls: number): boolean => {
    let noData = 0;
    let last: "ok" | "no" = "no";
    for (let k = fromPoll; k < fromPoll + polls; k++) {
      const e = at(series.error_rate, k);
      const p = at(series.p95_latency_ms, k);
      if ((e !== null && e > ERROR_MAX) || (p !== null && p > P95_MAX)) return false;
      if (e === null || p === null) {
        noData++;
        last = "no";
        if (noData >= maxNoData) return false;
      } else {
        noData = 0;
        last = "ok";
      }
    }
    return last === "ok";
  };
  for (const w of steps) if (!watch(metrics[String(w)]!, 1, windowPolls)) return { stoppedAt: w };
  // Stabilization continues the 100% series after promotion.
  if (!watch(metrics["100"]!, windowPolls + 1, windowPolls)) return { stoppedAt: 100 };
  return { stoppedAt: null };
}

describe("release orchestrator: properties", () => {
  it("never passes a breaching step, and stops exactly where the rules say", async () => {
    await fc.assert(
      fc.asyncProperty(
        stepsArb,
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(seriesArb, { minLength: 4, maxLength: 4 }),
        async (steps, windowMinutes, maxNoData, seriesList) => {
          const metrics: Record<string, Series> = {};
          steps.forEach((w, i) => {
            metrics[String(w)] = seriesList[i]!;
          });
          const lockBackend = createMemoryLockBackend();
          const r = await runScenario(
            baseScenario({
              release: {
                canary_steps: steps,
                slo: {
                  error_rate_max: ERROR_MAX,
                  p95_latency_ms: P95_MAX,
                  window_minutes: windowMinutes,
                },
                policy: { max_no_data_polls: maxNoData },
              },
              metrics,
            }),
            { lockBackend },
          );
          const expected = model(steps, windowMinutes, maxNoData, metrics);
          if (expected.stoppedAt === null) {
            expect(r.outcome.status).toBe("SUCCESS");
            expect(r.deployer.state.history).toEqual(steps);
          } else {
            expect(r.outcome.status).toBe("ABORTED");
            expect(r.outcome.maxWeightReached).toBe(expected.stoppedAt);
            // Never past the breaching step: the history ends at it.
            expect(r.deployer.state.history.at(-1)).toBe(expected.stoppedAt);
            expect(r.outcome.rollbackVerified).toBe(true);
          }
          expect((r.artifacts as MemoryArtifactStore).files.has(r.outcome.paths.report!)).toBe(
            true,
          );
          expect(lockBackend.holders.size).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("always writes the report and releases the lock, whatever fails and whenever it is cancelled", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          ciRed: fc.boolean(),
          rollbackFails: fc.boolean(),
          failAtWeight: fc.option(fc.constantFrom(5, 25, 100), { nil: undefined }),
          breachAt: fc.option(fc.constantFrom("5", "25", "100"), { nil: undefined }),
          cancelAtEvent: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
          throwIn: fc.option(fc.constantFrom("measure", "listChanges", "setWeight"), {
            nil: undefined,
          }),
        }),
        async (f) => {
          const lockBackend = createMemoryLockBackend();
          const controller = new AbortController();
          let seen = 0;
          const metrics: Record<string, { error_rate: number; p95_latency_ms: number }> = {
            default: { error_rate: 0, p95_latency_ms: 100 },
          };
          if (f.breachAt) metrics[f.breachAt] = { error_rate: 0.5, p95_latency_ms: 100 };
          const scenario = baseScenario({
            ci: { checks: [{ name: "unit", conclusion: f.ciRed ? "failure" : "success" }] },
            deploy: { rollback_fails: f.rollbackFails, fail_at_weight: f.failAtWeight },
            metrics,
          });
          const boom = () => {
            throw new Error("adapter bug");
          };
          const r = await runScenario(scenario, {
            lockBackend,
            signal: controller.signal,
            onEvent: () => {
              if (f.cancelAtEvent !== undefined && seen++ === f.cancelAtEvent) controller.abort();
            },
            overrides:
              f.throwIn === "measure"
                ? { slo: { name: "boom", measure: boom } }
                : f.throwIn === "listChanges"
                  ? {
                      sourceControl: {
                        name: "boom",
                        getCommit: (sha, o) => okCommit(sha, o),
                        getTag: () => okNull(),
                        createAnnotatedTag: (t) => okTag(t),
                        listChanges: boom,
                      },
                    }
                  : undefined,
          });
          expect(r.outcome.paths.report).not.toBeNull();
          expect((r.artifacts as MemoryArtifactStore).files.get(r.outcome.paths.report!)).toContain(
            `status: ${r.outcome.status}`,
          );
          expect(lockBackend.holders.size).toBe(0);
          // A canary that started and did not succeed was rolled back.
          if (r.deployer.state.history.length > 0 && r.outcome.status !== "SUCCESS")
            expect(r.outcome.rolledBack).toBe(true);
          if (f.ciRed) expect(r.deployer.state.history).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

import { okAsync } from "neverthrow";

const okCommit = (sha: string, _o: unknown) =>
  okAsync({ sha, exists: true, releaseBranch: "main", onReleaseBranch: true });
const okNull = () => okAsync(null);
const okTag = (t: { name: string; sha: string }) =>
  okAsync({ name: t.name, sha: t.sha, annotated: true });
