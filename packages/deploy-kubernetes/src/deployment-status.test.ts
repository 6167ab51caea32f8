import { describe, expect, it } from "vitest";
import { canaryReplicasFor, replicaShareWeight } from "./deployment-canary-deployer.js";
import {
  type DeploymentLike,
  deploymentRolloutStatus,
  isDeploymentFullyReady,
} from "./deployment-status.js";

const base = (status: DeploymentLike["status"], generation = 3, replicas = 4): DeploymentLike => ({
  metadata: { name: "shop", generation },
  spec: { replicas },
  status: { observedGeneration: 3, ...status },
});

describe("deploymentRolloutStatus (kubectl rollout status wording)", () => {
  it("waits for the spec to be observed", () => {
    expect(deploymentRolloutStatus(base({ updatedReplicas: 4 }, 4))).toEqual({
      state: "progressing",
      message: "Waiting for deployment spec update to be observed...",
    });
  });
  it("reports the progress deadline with the controller's message", () => {
    const d = base({
      conditions: [
        {
          type: "Progressing",
          status: "False",
          reason: "ProgressDeadlineExceeded",
          message: 'ReplicaSet "shop-abc" has timed out progressing.',
        },
      ],
    });
    expect(deploymentRolloutStatus(d)).toEqual({
      state: "degraded",
      message:
        'deployment "shop" exceeded its progress deadline: ReplicaSet "shop-abc" has timed out progressing.',
    });
  });
  it("walks the replica checks in kubectl's order", () => {
    expect(
      deploymentRolloutStatus(base({ updatedReplicas: 2, replicas: 4, availableReplicas: 4 }))
        .message,
    ).toBe(
      'Waiting for deployment "shop" rollout to finish: 2 out of 4 new replicas have been updated...',
    );
    expect(
      deploymentRolloutStatus(base({ updatedReplicas: 4, replicas: 5, availableReplicas: 4 }))
        .message,
    ).toBe(
      'Waiting for deployment "shop" rollout to finish: 1 old replicas are pending termination...',
    );
    expect(
      deploymentRolloutStatus(base({ updatedReplicas: 4, replicas: 4, availableReplicas: 3 }))
        .message,
    ).toBe(
      'Waiting for deployment "shop" rollout to finish: 3 of 4 updated replicas are available...',
    );
    expect(
      deploymentRolloutStatus(base({ updatedReplicas: 4, replicas: 4, availableReplicas: 4 })),
    ).toEqual({
      state: "complete",
      message: 'deployment "shop" successfully rolled out',
    });
  });
  it("fully ready also needs ready replicas equal to the spec", () => {
    expect(
      isDeploymentFullyReady(
        base({ updatedReplicas: 4, replicas: 4, availableReplicas: 4, readyReplicas: 4 }),
      ),
    ).toBe(true);
    expect(
      isDeploymentFullyReady(
        base({ updatedReplicas: 4, replicas: 4, availableReplicas: 4, readyReplicas: 3 }),
      ),
    ).toBe(false);
  });
});

describe("replica share", () => {
  it("gives the canary at least one pod and everything at 100", () => {
    expect(canaryReplicasFor(5, 20)).toBe(1);
    expect(canaryReplicasFor(25, 20)).toBe(5);
    expect(canaryReplicasFor(1, 4)).toBe(1);
    expect(canaryReplicasFor(100, 4)).toBe(4);
    expect(canaryReplicasFor(0, 4)).toBe(0);
  });
  it("reads the share of ready pods", () => {
    expect(replicaShareWeight(1, 3)).toBe(25);
    expect(replicaShareWeight(0, 0)).toBe(0);
    expect(replicaShareWeight(1, 19)).toBe(5);
  });
});
