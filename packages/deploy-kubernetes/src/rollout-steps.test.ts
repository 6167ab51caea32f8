import { describe, expect, it } from "vitest";
import {
  buildCanarySteps,
  currentSetWeight,
  isPausedAfterStep,
  planSetWeight,
} from "./rollout-steps.js";
import type { RolloutJson } from "./rollout-types.js";
import { ROLLOUT_STEPS_5_25_100 } from "./testing/deploy-test-support.js";

function pausedAt(index: number, weights = [5, 25, 100]): RolloutJson {
  return {
    metadata: { name: "shop" },
    spec: { strategy: { canary: { steps: buildCanarySteps(weights) } } },
    status: {
      currentStepIndex: index,
      controllerPause: true,
      pauseConditions: [{ reason: "CanaryPauseStep", startTime: "2026-01-01T00:00:00Z" }],
    },
  };
}

describe("buildCanarySteps", () => {
  it("starts with a pause and follows every weight with an indefinite pause", () => {
    expect(buildCanarySteps([5, 25, 100])).toEqual(ROLLOUT_STEPS_5_25_100);
  });
});

describe("planSetWeight", () => {
  it("sends the plugin's plain promote when the weight is the next step", () => {
    expect(planSetWeight(pausedAt(0), 5, [5, 25, 100])).toEqual({
      kind: "promote",
      statusPatch: { status: { pauseConditions: null } },
      targetIndex: 1,
    });
    expect(planSetWeight(pausedAt(2), 25, [5, 25, 100])).toEqual({
      kind: "promote",
      statusPatch: { status: { pauseConditions: null } },
      targetIndex: 3,
    });
  });

  it("jumps with currentStepIndex when skipping steps (promote with step)", () => {
    expect(planSetWeight(pausedAt(0), 25, [5, 25, 100])).toEqual({
      kind: "promote",
      statusPatch: { status: { pauseConditions: null, currentStepIndex: 3 } },
      targetIndex: 3,
    });
    // going back down is a jump too
    expect(planSetWeight(pausedAt(4), 5, [5, 25, 100]).targetIndex).toBe(1);
  });

  it("is a no-op when already paused right after that weight", () => {
    expect(planSetWeight(pausedAt(4), 25, [5, 25, 100])).toEqual({ kind: "noop", targetIndex: 3 });
  });

  it("rewrites the steps when the weight was not written at start", () => {
    expect(planSetWeight(pausedAt(2), 50, [5, 25, 100])).toEqual({
      kind: "rewrite",
      steps: [{ setWeight: 50 }, { pause: {} }, { setWeight: 100 }, { pause: {} }],
      targetIndex: 0,
    });
  });

  it("isPausedAfterStep needs the index, a pause condition and no abort", () => {
    expect(isPausedAfterStep(pausedAt(2), 1)).toBe(true);
    expect(isPausedAfterStep(pausedAt(2), 3)).toBe(false);
    const unpausing = pausedAt(2);
    delete unpausing.status!.pauseConditions;
    expect(isPausedAfterStep(unpausing, 1)).toBe(false);
    const aborted = pausedAt(2);
    aborted.status!.abort = true;
    expect(isPausedAfterStep(aborted, 1)).toBe(false);
  });
});

describe("currentSetWeight (Argo Rollouts' GetCurrentSetWeight)", () => {
  const at = (index: number | undefined, abort = false): RolloutJson => ({
    metadata: { name: "r" },
    spec: { strategy: { canary: { steps: buildCanarySteps([5, 25, 100]) } } },
    status: { currentStepIndex: index, ...(abort ? { abort: true } : {}) },
  });
  it("is the last setWeight at or before the current step, 0 before any, 100 past the end, 0 when aborted", () => {
    expect(currentSetWeight(at(0))).toBe(0);
    expect(currentSetWeight(at(undefined))).toBe(0);
    expect(currentSetWeight(at(2))).toBe(5);
    expect(currentSetWeight(at(3))).toBe(25);
    expect(currentSetWeight(at(4))).toBe(25);
    expect(currentSetWeight(at(7))).toBe(100);
    expect(currentSetWeight(at(4, true))).toBe(0);
  });
});
