/** The parts of an apps/v1 Deployment read here (plain JSON or the client's model). */
export interface DeploymentLike {
  metadata?: {
    name?: string;
    generation?: number;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    resourceVersion?: string;
  };
  spec?: {
    replicas?: number;
    paused?: boolean;
    template?: { spec?: { containers?: { name: string; image?: string }[] } };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

/** Where a Deployment's rollout stands, in `kubectl rollout status` terms. */
export interface DeploymentRolloutReading {
  state: "complete" | "progressing" | "degraded";
  /** kubectl's sentence, plus the controller's own condition message on failure. */
  message: string;
}

/**
 * The rollout status of a Deployment as `kubectl rollout status` computes it
 * (kubectl/pkg/polymorphichelpers/rollout_status.go, DeploymentStatusViewer).
 */
export function deploymentRolloutStatus(deployment: DeploymentLike): DeploymentRolloutReading {
  const name = deployment.metadata?.name ?? "";
  const status = deployment.status ?? {};
  if ((deployment.metadata?.generation ?? 0) > (status.observedGeneration ?? -1)) {
    return {
      state: "progressing",
      message: "Waiting for deployment spec update to be observed...",
    };
  }
  const progressing = status.conditions?.find((c) => c.type === "Progressing");
  if (progressing?.reason === "ProgressDeadlineExceeded") {
    const own = progressing.message ? `: ${progressing.message}` : "";
    return {
      state: "degraded",
      message: `deployment "${name}" exceeded its progress deadline${own}`,
    };
  }
  const desired = deployment.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  if (updated < desired) {
    return {
      state: "progressing",
      message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${desired} new replicas have been updated...`,
    };
  }
  const replicas = status.replicas ?? 0;
  if (replicas > updated) {
    return {
      state: "progressing",
      message: `Waiting for deployment "${name}" rollout to finish: ${replicas - updated} old replicas are pending termination...`,
    };
  }
  const available = status.availableReplicas ?? 0;
  if (available < updated) {
    return {
      state: "progressing",
      message: `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...`,
    };
  }
  return { state: "complete", message: `deployment "${name}" successfully rolled out` };
}

/** Ready replicas equal the spec, nothing old left, the spec observed: the Deployment serves fully. */
export function isDeploymentFullyReady(deployment: DeploymentLike): boolean {
  const desired = deployment.spec?.replicas ?? 1;
  const status = deployment.status ?? {};
  return (
    deploymentRolloutStatus(deployment).state === "complete" &&
    (status.readyReplicas ?? 0) === desired &&
    (status.availableReplicas ?? 0) === desired
  );
}
