import { expect, it } from "vitest";
import type { ApprovalGate } from "../../contracts/approval-gate.js";
import {
  type ConformanceCleanup,
  defineConformanceSuite,
  itResolvesAbortedWhenSignalFired,
} from "./conformance-suite.js";
import { expectOk, liveSignal, settle } from "./run-safely.js";

/** What an ApprovalGate adapter's test provides. */
export interface ApprovalGateConformanceSetup extends ConformanceCleanup {
  gate: ApprovalGate;
  request: { service: string; environment: string; version: string; sha: string };
  /** Who the backend says signed off (order does not matter). */
  expectedApprovers: string[];
}

/** The shared suite every {@link ApprovalGate} runs against itself. */
export const describeApprovalGateConformance = defineConformanceSuite<ApprovalGateConformanceSetup>(
  "ApprovalGate",
  (s) => {
    it("lists who signed off, when and where", async () => {
      const signOffs = expectOk(
        await settle(() => s().gate.listSignOffs(s().request, { signal: liveSignal() })),
      );
      expect([...new Set(signOffs.map((x) => x.approver))].sort()).toEqual(
        [...s().expectedApprovers].sort(),
      );
      for (const x of signOffs) {
        expect(Number.isNaN(Date.parse(x.signedAt))).toBe(false);
        expect(x.where.length).toBeGreaterThan(0);
      }
    });

    itResolvesAbortedWhenSignalFired((signal) => [
      () => s().gate.listSignOffs(s().request, { signal }),
    ]);
  },
);
