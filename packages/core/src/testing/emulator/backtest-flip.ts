import { expect } from "vitest";
import { backtest } from "../../backtest/backtest.js";
import type { BacktestPolicyInput } from "../../backtest/backtest-policy.js";
import type { BacktestReport } from "../../backtest/backtest-report.js";
import type { PastRelease } from "../../backtest/release-history.js";
import type { SloSource } from "../../contracts/slo-source.js";
import { expectDecisionsReproduced } from "../past-releases.js";

/**
 * Seeds the traffic of past releases: release `i` starts at `startOf(i)`, and `seed` gets
 * its window, from five minutes before to an hour after.
 */
export function seedPastReleaseWindows<Run>(
  runs: readonly Run[],
  startOf: (index: number) => number,
  seed: (run: Run, startMs: number, endMs: number) => void,
): void {
  for (const [i, run] of runs.entries()) seed(run, startOf(i) - 300_000, startOf(i) + 3_600_000);
}

/**
 * Expects three recorded releases (promoted, rolled back, promoted) to be reproduced by a
 * backtest with the policy they ran under, and the third to flip to a rollback under
 * `strict`; `versions` are the three releases' versions. Returns the strict backtest.
 */
export async function expectStricterPolicyFlip(
  history: readonly PastRelease[],
  slo: SloSource,
  policies: { current: BacktestPolicyInput; strict: BacktestPolicyInput },
  versions: readonly [string, string, string],
): Promise<BacktestReport> {
  const signal = new AbortController().signal;
  expect(history.map((r) => r.status)).toEqual(["SUCCESS", "ABORTED", "SUCCESS"]);
  const current = (await backtest(history, policies.current, slo, { signal }))._unsafeUnwrap();
  expectDecisionsReproduced(current);
  expect(current.releases.map((r) => r.candidate.decision)).toEqual([
    "promote",
    "rollback",
    "promote",
  ]);

  const strict = (await backtest(history, policies.strict, slo, { signal }))._unsafeUnwrap();
  expect(strict.releases.map((r) => [r.version, r.candidate.decision, r.changed])).toEqual([
    [versions[0], "promote", false],
    [versions[1], "rollback", false],
    [versions[2], "rollback", true],
  ]);
  expect(strict.totals).toMatchObject({ changed: 1, promoted_then_rolled_back_now: 1 });
  return strict;
}
