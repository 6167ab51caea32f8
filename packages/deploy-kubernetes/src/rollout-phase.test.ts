import { describe, expect, it } from "vitest";
import {
  calculateRolloutPhase,
  getCurrentSetWeight,
  getRolloutPhase,
  isGenerationObserved,
  isUnpausing,
} from "./rollout-phase.js";
import type { RolloutJson } from "./rollout-types.js";

// Cases ported from argo-rollouts utils/rollout/rolloututil_test.go (same fixtures, same expectations).
function rollout(
  name: string,
  strategy: NonNullable<RolloutJson["spec"]["strategy"]>,
): RolloutJson {
  return {
    metadata: { name, namespace: "test" },
    spec: { replicas: 5, strategy },
    status: {
      currentStepIndex: 1,
      replicas: 4,
      readyReplicas: 1,
      updatedReplicas: 3,
      availableReplicas: 2,
    },
  };
}
function canaryRollout(): RolloutJson {
  return rollout("can-guestbook", {
    canary: { steps: [{ setWeight: 10 }, { pause: { duration: 60 } }, { setWeight: 20 }] },
  });
}
function blueGreenRollout(): RolloutJson {
  return rollout("bg-guestbook", { blueGreen: {} });
}
/** A canary Rollout whose every replica runs the stable, current pod template. */
function rolledOutCanary(): RolloutJson {
  const ro = canaryRollout();
  Object.assign(ro.status!, {
    replicas: 5,
    updatedReplicas: 5,
    availableReplicas: 5,
    readyReplicas: 5,
    stableRS: "abc1234",
    currentPodHash: "abc1234",
  });
  return ro;
}

describe("getRolloutPhase (upstream rolloututil_test.go cases)", () => {
  it.each([
    ["Progressing", "False", "ProgressDeadlineExceeded", "timed out"],
    ["Progressing", "False", "RolloutAborted", "Rollout aborted update to revision 2"],
    ["InvalidSpec", "True", "InvalidSpec", "bad steps"],
  ])(
    "Degraded on a %s=%s condition (%s), with reason: message",
    (type, status, reason, message) => {
      const ro = canaryRollout();
      ro.status!.conditions = [{ type, status, reason, message }];
      expect(getRolloutPhase(ro)).toEqual({ phase: "Degraded", message: `${reason}: ${message}` });
    },
  );

  it("Paused when spec.paused", () => {
    const ro = canaryRollout();
    ro.spec.paused = true;
    expect(getRolloutPhase(ro)).toEqual({ phase: "Paused", message: "manually paused" });
  });

  it("Paused at a pause condition, reporting its reason", () => {
    const ro = canaryRollout();
    ro.status!.pauseConditions = [{ reason: "CanaryPauseStep", startTime: "2026-01-01T00:00:00Z" }];
    expect(calculateRolloutPhase(ro)).toEqual({ phase: "Paused", message: "CanaryPauseStep" });
  });

  it("Progressing: the replica checks, in order", () => {
    const cases: [Partial<NonNullable<RolloutJson["status"]>>, string][] = [
      [
        { updatedReplicas: 4, availableReplicas: 4, replicas: 5 },
        "more replicas need to be updated",
      ],
      [
        { updatedReplicas: 5, availableReplicas: 4, replicas: 5 },
        "updated replicas are still becoming available",
      ],
      [
        { updatedReplicas: 5, availableReplicas: 5, replicas: 7 },
        "old replicas are pending termination",
      ],
      [
        { updatedReplicas: 5, availableReplicas: 5, replicas: 5 },
        "waiting for all steps to complete",
      ],
    ];
    for (const [status, message] of cases) {
      const ro = canaryRollout();
      Object.assign(ro.status!, status);
      expect(getRolloutPhase(ro)).toEqual({ phase: "Progressing", message });
    }
  });

  it("blue-green cutover and post-promotion", () => {
    const ro = blueGreenRollout();
    Object.assign(ro.status!, {
      blueGreen: { activeSelector: "abc1234" },
      stableRS: "abc1234",
      currentPodHash: "def5678",
      replicas: 5,
      updatedReplicas: 5,
      availableReplicas: 5,
    });
    expect(getRolloutPhase(ro).message).toBe("active service cutover pending");
    ro.status!.blueGreen = { activeSelector: "def5678" };
    expect(getRolloutPhase(ro).message).toBe("waiting for post-promotion verification to complete");
    (ro.spec.strategy!.blueGreen as Record<string, unknown>).postPromotionAnalysis = {};
    expect(getRolloutPhase(ro).message).toBe("waiting for analysis to complete");
  });

  it("a new rollout with hashes but no updated replicas is progressing", () => {
    const ro = canaryRollout();
    delete ro.spec.replicas;
    ro.status = { observedGeneration: "0", stableRS: "abc1234", currentPodHash: "abc1234" };
    expect(getRolloutPhase(ro)).toEqual({
      phase: "Progressing",
      message: "more replicas need to be updated",
    });
  });

  it("waits for the spec update to be observed", () => {
    const ro = canaryRollout();
    ro.metadata.generation = 2;
    ro.status = {
      stableRS: "abc1234",
      currentPodHash: "abc1234",
      observedGeneration: "1",
      phase: "Healthy",
    };
    expect(getRolloutPhase(ro)).toEqual({
      phase: "Progressing",
      message: "waiting for rollout spec update to be observed",
    });
  });

  it("treats legacy hash observedGeneration values as observed", () => {
    for (const observedGeneration of ["7d66d4485f", "1366344857"]) {
      const ro = canaryRollout();
      ro.metadata.generation = 2;
      delete ro.spec.replicas;
      ro.status = { stableRS: "abc1234", currentPodHash: "abc1234", observedGeneration };
      expect(getRolloutPhase(ro)).toEqual({
        phase: "Progressing",
        message: "more replicas need to be updated",
      });
    }
  });

  it("is restarting until restartedAt matches restartAt", () => {
    const ro = rolledOutCanary();
    ro.spec.restartAt = "2026-01-01T10:00:00Z";
    expect(getRolloutPhase(ro)).toEqual({ phase: "Progressing", message: "rollout is restarting" });
    ro.status!.restartedAt = "2026-01-01T10:00:00Z";
    expect(getRolloutPhase(ro)).toEqual({ phase: "Healthy", message: "" });
  });

  it("Healthy when stable equals current and all replicas are available", () => {
    expect(getRolloutPhase(rolledOutCanary())).toEqual({ phase: "Healthy", message: "" });
  });

  it("trusts status.phase only once observed and not unpausing (TestIsUnpausing)", () => {
    const ro = canaryRollout();
    Object.assign(ro.status!, {
      phase: "Paused",
      message: "canary pause",
      controllerPause: true,
      pauseConditions: [{ reason: "CanaryPauseStep", startTime: "" }],
    });
    expect(getRolloutPhase(ro)).toEqual({ phase: "Paused", message: "canary pause" });
    delete ro.status!.pauseConditions;
    expect(isUnpausing(ro)).toBe(true);
    expect(getRolloutPhase(ro)).toEqual({
      phase: "Progressing",
      message: "waiting for rollout to unpause",
    });
  });

  it("isGenerationObserved (Test_isGenerationObserved)", () => {
    const at = (observedGeneration: string, generation?: number): RolloutJson => ({
      metadata: { generation },
      spec: {},
      status: { observedGeneration },
    });
    expect(isGenerationObserved(at("invalid"))).toBe(true);
    expect(isGenerationObserved(at("10", 9))).toBe(true);
    expect(isGenerationObserved(at("10", 10))).toBe(true);
    expect(isGenerationObserved(at("10", 11))).toBe(false);
  });
});

describe("getCurrentSetWeight", () => {
  it("walks back to the nearest setWeight, 0 when aborted, 100 past the end", () => {
    const ro = canaryRollout();
    expect(getCurrentSetWeight(ro)).toBe(10); // at the pause after setWeight 10
    ro.status!.currentStepIndex = 2;
    expect(getCurrentSetWeight(ro)).toBe(20);
    ro.status!.currentStepIndex = 3;
    expect(getCurrentSetWeight(ro)).toBe(100);
    ro.status!.abort = true;
    expect(getCurrentSetWeight(ro)).toBe(0);
  });
});
