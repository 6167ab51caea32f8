import { expect, it } from "vitest";
import type { Deployer, DeployTarget } from "../../contracts/deployer.js";
import {
  type ConformanceCleanup,
  defineConformanceSuite,
  itResolvesAbortedWhenSignalFired,
} from "./conformance-suite.js";
import { expectOk, liveSignal, settle } from "./run-safely.js";

/** What a Deployer adapter's test provides. */
export interface DeployerConformanceSetup extends ConformanceCleanup {
  deployer: Deployer;
  /** A deployable target (its service exists on the platform). */
  target: DeployTarget;
  /** The same service and environment, the next version. */
  secondTarget: DeployTarget;
  /** A target whose service does not exist. */
  missingTarget: DeployTarget;
}

/** The shared suite every {@link Deployer} runs against itself. Tests run in order and share state. */
export const describeDeployerConformance = defineConformanceSuite<DeployerConformanceSetup>(
  "Deployer",
  (s) => {
    const o = () => ({ signal: liveSignal() });

    it("passes preflight for a deployable target", async () => {
      const report = expectOk(await settle(() => s().deployer.preflight(s().target, o())));
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
    });

    it("fails preflight for a missing target, with a problem or a not_found error", async () => {
      const settled = await settle(() => s().deployer.preflight(s().missingTarget, o()));
      if (settled.ok) {
        expect(settled.value.ok).toBe(false);
        expect(settled.value.problems.length).toBeGreaterThan(0);
      } else {
        expect(settled.error.kind).toBe("not_found");
      }
    });

    it("starts a canary and applies a weight", async () => {
      expectOk(await settle(() => s().deployer.start(s().target, o())));
      expectOk(await settle(() => s().deployer.setWeight(s().target, 25, o())));
      const status = expectOk(await settle(() => s().deployer.status(s().target, o())));
      expect(status.canaryWeight).toBe(25);
      expect(status.canaryVersion).toBe(s().target.version);
    });

    it("promotes the canary to stable", async () => {
      expectOk(await settle(() => s().deployer.setWeight(s().target, 100, o())));
      expectOk(await settle(() => s().deployer.promote(s().target, o())));
      const status = expectOk(await settle(() => s().deployer.status(s().target, o())));
      expect(status.stableVersion).toBe(s().target.version);
      expect(status.phase).toBe("healthy");
    });

    it("aborts and rolls back a canary, and verifies the stable version serves again", async () => {
      expectOk(await settle(() => s().deployer.start(s().secondTarget, o())));
      expectOk(await settle(() => s().deployer.setWeight(s().secondTarget, 5, o())));
      expectOk(await settle(() => s().deployer.abort(s().secondTarget, o())));
      expectOk(await settle(() => s().deployer.rollback(s().secondTarget, o())));
      const verified = expectOk(
        await settle(() => s().deployer.verifyStable(s().secondTarget, o())),
      );
      expect(verified.serving).toBe(true);
      expect(verified.stableVersion).toBe(s().target.version);
      const status = expectOk(await settle(() => s().deployer.status(s().secondTarget, o())));
      expect(status.canaryWeight).toBe(0);
    });

    itResolvesAbortedWhenSignalFired((signal) => [
      () => s().deployer.status(s().target, { signal }),
      () => s().deployer.setWeight(s().target, 5, { signal }),
    ]);
  },
);
