import { expect, it } from "vitest";
import {
  CI_CHECK_CONCLUSIONS,
  CI_CHECK_STATUSES,
  type CiCheck,
  type CiProvider,
} from "../../contracts/ci-provider.js";
import { isGreenCheck } from "../../release/ci-gate.js";
import {
  type ConformanceCleanup,
  defineConformanceSuite,
  itResolvesAbortedWhenSignalFired,
} from "./conformance-suite.js";
import { expectOk, liveSignal, settle } from "./run-safely.js";

/** What a CiProvider adapter's test provides. */
export interface CiProviderConformanceSetup extends ConformanceCleanup {
  ci: CiProvider;
  /** At least one check, all completed successfully. */
  greenSha: string;
  /** At least one completed check that failed. */
  redSha: string;
  /** No checks at all. */
  unknownSha: string;
  /** At least one queued or in-progress check. */
  pendingSha?: string;
}

const STATUSES = new Set<string>(CI_CHECK_STATUSES);
const CONCLUSIONS = new Set<string>(CI_CHECK_CONCLUSIONS);

function expectWellFormed(check: CiCheck): void {
  expect(check.name.length).toBeGreaterThan(0);
  expect(STATUSES.has(check.status)).toBe(true);
  if (check.status === "completed") expect(CONCLUSIONS.has(String(check.conclusion))).toBe(true);
  else expect(check.conclusion).toBeNull();
  expect(check.url === null || /^https?:\/\//.test(check.url)).toBe(true);
  for (const t of [check.startedAt, check.completedAt])
    expect(t === null || !Number.isNaN(Date.parse(t))).toBe(true);
}

/** The shared suite every {@link CiProvider} runs against itself. */
export const describeCiProviderConformance = defineConformanceSuite<CiProviderConformanceSetup>(
  "CiProvider",
  (s) => {
    const list = (sha: string) => settle(() => s().ci.listChecks(sha, { signal: liveSignal() }));

    it("reports a green commit's checks as completed and successful", async () => {
      const checks = expectOk(await list(s().greenSha));
      expect(checks.length).toBeGreaterThan(0);
      checks.forEach(expectWellFormed);
      expect(checks.every(isGreenCheck)).toBe(true);
    });

    it("reports a red commit's failure", async () => {
      const checks = expectOk(await list(s().redSha));
      checks.forEach(expectWellFormed);
      expect(checks.some((c) => c.status === "completed" && !isGreenCheck(c))).toBe(true);
    });

    it("returns no checks for a commit CI has never seen", async () => {
      expect(expectOk(await list(s().unknownSha))).toEqual([]);
    });

    it("reports checks still running as not completed", async () => {
      const { pendingSha } = s();
      if (!pendingSha) return;
      const checks = expectOk(await list(pendingSha));
      checks.forEach(expectWellFormed);
      expect(checks.some((c) => c.status !== "completed" && c.conclusion === null)).toBe(true);
    });

    itResolvesAbortedWhenSignalFired((signal) => [
      () => s().ci.listChecks(s().greenSha, { signal }),
    ]);
  },
);
