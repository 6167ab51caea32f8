import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApprovalGate } from "../../contracts/approval-gate.js";
import { abortedSignal, expectOk, liveSignal, settle } from "./run-safely.js";

/** What an ApprovalGate adapter's test provides. */
export interface ApprovalGateConformanceSetup {
  gate: ApprovalGate;
  request: { service: string; environment: string; version: string; sha: string };
  /** Who the backend says signed off (order does not matter). */
  expectedApprovers: string[];
  cleanup?: () => Promise<void> | void;
}

/** The shared suite every {@link ApprovalGate} runs against itself. */
export function describeApprovalGateConformance(
  name: string,
  setup: () => Promise<ApprovalGateConformanceSetup> | ApprovalGateConformanceSetup,
): void {
  describe(`ApprovalGate conformance: ${name}`, () => {
    let s: ApprovalGateConformanceSetup;
    beforeAll(async () => {
      s = await setup();
    });
    afterAll(async () => {
      await s?.cleanup?.();
    });

    it("lists who signed off, when and where", async () => {
      const signOffs = expectOk(
        await settle(() => s.gate.listSignOffs(s.request, { signal: liveSignal() })),
      );
      expect([...new Set(signOffs.map((x) => x.approver))].sort()).toEqual(
        [...s.expectedApprovers].sort(),
      );
      for (const x of signOffs) {
        expect(Number.isNaN(Date.parse(x.signedAt))).toBe(false);
        expect(x.where.length).toBeGreaterThan(0);
      }
    });

    it("resolves to an aborted error, without throwing, when the signal has fired", async () => {
      const settled = await settle(() =>
        s.gate.listSignOffs(s.request, { signal: abortedSignal() }),
      );
      expect(settled.ok).toBe(false);
      if (!settled.ok) expect(settled.error.kind).toBe("aborted");
    });
  });
}
