import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CI_CHECK_CONCLUSIONS,
  CI_CHECK_STATUSES,
  type CiCheck,
  type CiProvider,
} from "../../contracts/ci-provider.js";
import { isGreenCheck } from "../../release/ci-gate.js";
import { abortedSignal, expectOk, liveSignal, settle } from "./run-safely.js";

/** What a CiProvider adapter's test provides. */
export interface CiProviderConformanceSetup {
  ci: CiProvider;
  /** At least one check, all completed successfully. */
  greenSha: string;
  /** At least one completed check that failed. */
  redSha: string;
  /** No checks at all. */
  unknownSha: string;
  /** At least one queued or in-progress check. */
  pendingSha?: string;
  cleanup?: () => Promise<void> | void;
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
export function describeCiProviderConformance(
  name: string,
  setup: () => Promise<CiProviderConformanceSetup> | CiProviderConformanceSetup,
): void {
  describe(`CiProvider conformance: ${name}`, () => {
    let s: CiProviderConformanceSetup;
    beforeAll(async () => {
      s = await setup();
    });
    afterAll(async () => {
      await s?.cleanup?.();
    });
    const list = (sha: string) => settle(() => s.ci.listChecks(sha, { signal: liveSignal() }));

    it("reports a green commit's checks as completed and successful", async () => {
      const checks = expectOk(await list(s.greenSha));
      expect(checks.length).toBeGreaterThan(0);
      checks.forEach(expectWellFormed);
      expect(checks.every(isGreenCheck)).toBe(true);
    });

    it("reports a red commit's failure", async () => {
      const checks = expectOk(await list(s.redSha));
      checks.forEach(expectWellFormed);
      expect(checks.some((c) => c.status === "completed" && !isGreenCheck(c))).toBe(true);
    });

    it("returns no checks for a commit CI has never seen", async () => {
      expect(expectOk(await list(s.unknownSha))).toEqual([]);
    });

    it("reports checks still running as not completed", async () => {
      if (!s.pendingSha) return;
      const checks = expectOk(await list(s.pendingSha));
      checks.forEach(expectWellFormed);
      expect(checks.some((c) => c.status !== "completed" && c.conclusion === null)).toBe(true);
    });

    it("resolves to an aborted error, without throwing, when the signal has fired", async () => {
      const settled = await settle(() => s.ci.listChecks(s.greenSha, { signal: abortedSignal() }));
      expect(settled.ok).toBe(false);
      if (!settled.ok) expect(settled.error.kind).toBe("aborted");
    });
  });
}
