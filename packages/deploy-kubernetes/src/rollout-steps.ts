import type { CanaryStep, RolloutJson } from "./rollout-types.js";

/**
 * The canary steps the adapter writes together with the new image: an indefinite pause
 * first (the canary exists at weight 0), then `setWeight: w` + `pause: {}` for each weight.
 * Every weight ends in a pause so the controller never moves on by itself; shipgate
 * promotes after each passed check.
 *
 * @example buildCanarySteps([5, 25, 100])
 * // [{pause:{}}, {setWeight:5}, {pause:{}}, {setWeight:25}, {pause:{}}, {setWeight:100}, {pause:{}}]
 */
export function buildCanarySteps(weights: readonly number[]): CanaryStep[] {
  const steps: CanaryStep[] = [{ pause: {} }];
  for (const weight of weights) steps.push({ setWeight: weight }, { pause: {} });
  return steps;
}

/** What `setWeight` has to send to move a paused Rollout to a weight. */
export type SetWeightPlan =
  /** Already paused right after that weight's step. */
  | { kind: "noop"; targetIndex: number }
  /** Status merge patch (the plugin's promote, optionally with the step index to go to). */
  | { kind: "promote"; statusPatch: Record<string, unknown>; targetIndex: number }
  /** The weight is not among the written steps: write new steps (the controller restarts at step 0). */
  | { kind: "rewrite"; steps: CanaryStep[]; targetIndex: number };

/**
 * Plans how to reach `weight` on a Rollout whose steps were written by
 * {@link buildCanarySteps}. `targetIndex` is the index of the `setWeight` step; the
 * change is applied once the controller is paused at `targetIndex + 1`.
 */
export function planSetWeight(
  rollout: RolloutJson,
  weight: number,
  configuredWeights: readonly number[],
): SetWeightPlan {
  const steps = rollout.spec.strategy?.canary?.steps ?? [];
  const current = rollout.status?.currentStepIndex ?? 0;
  const paused = (rollout.status?.pauseConditions?.length ?? 0) > 0;
  const candidates = steps
    .map((step, index) => ({ step, index }))
    .filter(
      ({ step, index }) => step.setWeight === weight && steps[index + 1]?.pause !== undefined,
    );
  if (candidates.length === 0) {
    const remaining = configuredWeights.filter((w) => w > weight);
    return {
      kind: "rewrite",
      steps: buildCanarySteps([weight, ...remaining]).slice(1),
      targetIndex: 0,
    };
  }
  // Prefer the occurrence at or after the current step (weights normally only go up).
  const target = candidates.find(({ index }) => index + 1 >= current) ?? candidates[0]!;
  if (current === target.index + 1 && paused) return { kind: "noop", targetIndex: target.index };
  if (paused && current === target.index - 1 && steps[current]?.pause !== undefined) {
    // Exactly `kubectl argo rollouts promote`: clear the pause, the controller moves on.
    return {
      kind: "promote",
      statusPatch: { status: { pauseConditions: null } },
      targetIndex: target.index,
    };
  }
  // The plugin's promote-with-step form (`--skip-current-step`): go straight to the step.
  return {
    kind: "promote",
    statusPatch: { status: { pauseConditions: null, currentStepIndex: target.index } },
    targetIndex: target.index,
  };
}

/** True once the controller has applied `setWeight` at `targetIndex` and paused after it. */
export function isPausedAfterStep(rollout: RolloutJson, targetIndex: number): boolean {
  const status = rollout.status;
  return (
    status?.currentStepIndex === targetIndex + 1 &&
    (status.pauseConditions?.length ?? 0) > 0 &&
    status.abort !== true
  );
}

/**
 * The weight of the current step as Argo Rollouts computes it (`GetCurrentSetWeight`):
 * 0 when aborted, 100 once past the last step, else the last `setWeight` at or before
 * the current step (0 when none). What `kubectl argo rollouts get` shows as the weight of
 * a Rollout whose traffic router did not report `status.canary.weights`.
 */
export function currentSetWeight(rollout: RolloutJson): number {
  if (rollout.status?.abort) return 0;
  const steps = rollout.spec.strategy?.canary?.steps ?? [];
  const index = rollout.status?.currentStepIndex ?? 0;
  if (steps.length === 0 || index >= steps.length) return 100;
  for (let i = index; i >= 0; i--) {
    const weight = steps[i]?.setWeight;
    if (typeof weight === "number") return weight;
  }
  return 0;
}
