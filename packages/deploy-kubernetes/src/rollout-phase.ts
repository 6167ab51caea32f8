import type { CanaryStep, RolloutJson } from "./rollout-types.js";

/** The phases Argo Rollouts reports (`RolloutPhase`). */
export type RolloutPhase = "Healthy" | "Progressing" | "Paused" | "Degraded";

/** A phase with the message the controller (or the plugin's computation) gives for it. */
export interface RolloutPhaseReading {
  phase: RolloutPhase;
  message: string;
}

/** Condition reasons that make a Rollout Degraded (utils/conditions). */
export const ROLLOUT_ABORTED_REASON = "RolloutAborted";
/** The controller's reason when a rollout made no progress within `progressDeadlineSeconds`. */
export const PROGRESS_DEADLINE_EXCEEDED_REASON = "ProgressDeadlineExceeded";
const INVALID_SPEC = "InvalidSpec";

/**
 * Whether the controller has seen the latest spec. `status.observedGeneration` is a string
 * in the CRD; a missing or non-numeric value (v0.9 controllers stored a hash) counts as
 * observed, exactly as in the plugin (`strconv.Atoi` failing → true).
 */
export function isGenerationObserved(rollout: RolloutJson): boolean {
  const observed = rollout.status?.observedGeneration ?? "";
  if (!/^-?\d+$/.test(observed)) return true;
  const generation = rollout.metadata.generation ?? 0;
  return Number(observed) >= generation;
}

/**
 * A user cleared the pause conditions but the controller has not reacted yet
 * (`controllerPause` still true): the phase must not be trusted in between.
 */
export function isUnpausing(rollout: RolloutJson): boolean {
  return (
    rollout.status?.controllerPause === true && (rollout.status.pauseConditions?.length ?? 0) === 0
  );
}

/** Stable ReplicaSet hash equals the desired one: nothing in flight. */
export function isFullyPromoted(rollout: RolloutJson): boolean {
  return (rollout.status?.stableRS ?? "") === (rollout.status?.currentPodHash ?? "");
}

/** The step being executed and its index (`null` step past the end), as `GetCurrentCanaryStep`. */
export function getCurrentCanaryStep(rollout: RolloutJson): {
  step: CanaryStep | null;
  index: number | null;
} {
  const steps = rollout.spec.strategy?.canary?.steps ?? [];
  if (!rollout.spec.strategy?.canary || steps.length === 0) return { step: null, index: null };
  const index = rollout.status?.currentStepIndex ?? 0;
  return { step: index < steps.length ? steps[index]! : null, index };
}

/**
 * The weight the controller is driving toward (`GetCurrentSetWeight`): 0 when aborted,
 * 100 past the last step, else the nearest `setWeight` at or before the current step.
 */
export function getCurrentSetWeight(rollout: RolloutJson): number {
  if (rollout.status?.abort) return 0;
  const { step, index } = getCurrentCanaryStep(rollout);
  if (step === null || index === null) return 100;
  const steps = rollout.spec.strategy?.canary?.steps ?? [];
  for (let i = index; i >= 0; i--) {
    const weight = steps[i]?.setWeight;
    if (typeof weight === "number") return weight;
  }
  return 0;
}

/** The Degraded reason among the conditions, if any (`RolloutAborted`, `ProgressDeadlineExceeded`, `InvalidSpec`). */
export function degradedCondition(
  rollout: RolloutJson,
): { reason: string; message: string } | null {
  for (const cond of rollout.status?.conditions ?? []) {
    if (cond.type === INVALID_SPEC) return { reason: INVALID_SPEC, message: cond.message ?? "" };
    if (
      cond.reason === ROLLOUT_ABORTED_REASON ||
      cond.reason === PROGRESS_DEADLINE_EXCEEDED_REASON
    ) {
      return { reason: cond.reason, message: cond.message ?? "" };
    }
  }
  return null;
}

/**
 * Computes the phase from spec and status, as `CalculateRolloutPhase` in
 * argo-rollouts utils/rollout/rolloututil.go (canary and blue-green).
 */
export function calculateRolloutPhase(rollout: RolloutJson): RolloutPhaseReading {
  const { spec } = rollout;
  const status = rollout.status ?? {};
  const degraded = degradedCondition(rollout);
  if (degraded) return { phase: "Degraded", message: `${degraded.reason}: ${degraded.message}` };
  if (spec.paused) return { phase: "Paused", message: "manually paused" };
  const pause = status.pauseConditions?.[0];
  if (pause) return { phase: "Paused", message: pause.reason };
  if (spec.restartAt && spec.restartAt !== status.restartedAt) {
    return { phase: "Progressing", message: "rollout is restarting" };
  }
  const replicas = spec.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  if (updated < replicas) {
    return { phase: "Progressing", message: "more replicas need to be updated" };
  }
  if ((status.availableReplicas ?? 0) < updated) {
    return { phase: "Progressing", message: "updated replicas are still becoming available" };
  }
  const blueGreen = spec.strategy?.blueGreen as { activeSelector?: string } | undefined;
  if (blueGreen) {
    const active = (status.blueGreen as { activeSelector?: string } | undefined)?.activeSelector;
    if (!active || active !== status.currentPodHash) {
      return { phase: "Progressing", message: "active service cutover pending" };
    }
    if (!status.stableRS || !isFullyPromoted(rollout)) {
      const analysis = (
        status.blueGreen as { postPromotionAnalysisRunStatus?: { status?: string } } | undefined
      )?.postPromotionAnalysisRunStatus;
      const completed = ["Successful", "Failed", "Error", "Inconclusive"];
      if (
        (blueGreen as { postPromotionAnalysis?: unknown }).postPromotionAnalysis !== undefined &&
        !completed.includes(analysis?.status ?? "")
      ) {
        return { phase: "Progressing", message: "waiting for analysis to complete" };
      }
      return {
        phase: "Progressing",
        message: "waiting for post-promotion verification to complete",
      };
    }
  } else if (spec.strategy?.canary) {
    if (!spec.strategy.canary.trafficRouting && (status.replicas ?? 0) > updated) {
      return { phase: "Progressing", message: "old replicas are pending termination" };
    }
    if (!status.stableRS || !isFullyPromoted(rollout)) {
      return { phase: "Progressing", message: "waiting for all steps to complete" };
    }
  }
  return { phase: "Healthy", message: "" };
}

/**
 * The phase the plugin shows (`GetRolloutPhase`): Progressing until the controller has
 * observed the latest generation and reacted to an unpause; then the controller's own
 * `status.phase`/`status.message`, or the computed phase for controllers that set none.
 */
export function getRolloutPhase(rollout: RolloutJson): RolloutPhaseReading {
  if (!isGenerationObserved(rollout)) {
    return { phase: "Progressing", message: "waiting for rollout spec update to be observed" };
  }
  if (isUnpausing(rollout)) {
    return { phase: "Progressing", message: "waiting for rollout to unpause" };
  }
  const phase = rollout.status?.phase;
  if (
    phase === "Healthy" ||
    phase === "Progressing" ||
    phase === "Paused" ||
    phase === "Degraded"
  ) {
    return { phase, message: rollout.status?.message ?? "" };
  }
  return calculateRolloutPhase(rollout);
}
