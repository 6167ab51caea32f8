import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SmokeCheck, SmokeCheckContext } from "../../contracts/smoke-check.js";
import { abortedSignal, expectOk, liveSignal, settle } from "./run-safely.js";

/** What a SmokeCheck's test provides. */
export interface SmokeCheckConformanceSetup {
  passing: SmokeCheck;
  failing: SmokeCheck;
  cleanup?: () => Promise<void> | void;
}

const context: SmokeCheckContext = {
  service: "shop",
  environment: "production",
  version: "v1.4.0",
  phase: "after_weight_change",
  weight: 5,
};

/** The shared suite every {@link SmokeCheck} runs against itself. */
export function describeSmokeCheckConformance(
  name: string,
  setup: () => Promise<SmokeCheckConformanceSetup> | SmokeCheckConformanceSetup,
): void {
  describe(`SmokeCheck conformance: ${name}`, () => {
    let s: SmokeCheckConformanceSetup;
    beforeAll(async () => {
      s = await setup();
    });
    afterAll(async () => {
      await s?.cleanup?.();
    });

    it("reports a passing probe as passed", async () => {
      const r = expectOk(await settle(() => s.passing.run(context, { signal: liveSignal() })));
      expect(r.passed).toBe(true);
      expect(r.attempts).toBeGreaterThanOrEqual(1);
      expect(r.detail.length).toBeGreaterThan(0);
    });

    it("reports a failing probe as a result, not an error", async () => {
      const r = expectOk(await settle(() => s.failing.run(context, { signal: liveSignal() })));
      expect(r.passed).toBe(false);
      expect(r.detail.length).toBeGreaterThan(0);
    });

    it("resolves to an aborted error, without throwing, when the signal has fired", async () => {
      const settled = await settle(() => s.passing.run(context, { signal: abortedSignal() }));
      expect(settled.ok).toBe(false);
      if (!settled.ok) expect(settled.error.kind).toBe("aborted");
    });
  });
}
