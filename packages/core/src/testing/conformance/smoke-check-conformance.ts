import { expect, it } from "vitest";
import type { SmokeCheck } from "../../contracts/smoke-check.js";
import {
  type ConformanceCleanup,
  defineConformanceSuite,
  itResolvesAbortedWhenSignalFired,
} from "./conformance-suite.js";
import { conformanceSmokeCheckContext } from "./fixtures.js";
import { expectOk, liveSignal, settle } from "./run-safely.js";

/** What a SmokeCheck's test provides. */
export interface SmokeCheckConformanceSetup extends ConformanceCleanup {
  passing: SmokeCheck;
  failing: SmokeCheck;
}

const context = conformanceSmokeCheckContext;

/** The shared suite every {@link SmokeCheck} runs against itself. */
export const describeSmokeCheckConformance = defineConformanceSuite<SmokeCheckConformanceSetup>(
  "SmokeCheck",
  (s) => {
    it("reports a passing probe as passed", async () => {
      const r = expectOk(await settle(() => s().passing.run(context, { signal: liveSignal() })));
      expect(r.passed).toBe(true);
      expect(r.attempts).toBeGreaterThanOrEqual(1);
      expect(r.detail.length).toBeGreaterThan(0);
    });

    it("reports a failing probe as a result, not an error", async () => {
      const r = expectOk(await settle(() => s().failing.run(context, { signal: liveSignal() })));
      expect(r.passed).toBe(false);
      expect(r.detail.length).toBeGreaterThan(0);
    });

    itResolvesAbortedWhenSignalFired((signal) => [() => s().passing.run(context, { signal })]);
  },
);
