import type { ResourceType } from "./kube-object.js";
import { checkObjectMeta, checkWorkload } from "./kube-schema.js";

/*
 * Test-only: the `apps/v1` kinds the emulator serves.
 */

/** Deployments and ReplicaSets. */
export function appsResources(): ResourceType[] {
  return [
    {
      group: "apps",
      version: "v1",
      plural: "deployments",
      singular: "deployment",
      kind: "Deployment",
      namespaced: true,
      shortNames: ["deploy"],
      statusSubresource: true,
      scaleSubresource: true,
      validate: (o) => checkWorkload(o, "V1Deployment").concat(checkObjectMeta(o.metadata)),
      // The API server's defaults for apps/v1 Deployments (clients read them, e.g. helm's --wait).
      defaults: (o) => {
        const spec = (o.spec ?? {}) as Record<string, unknown>;
        spec.replicas ??= 1;
        spec.strategy ??= {
          type: "RollingUpdate",
          rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" },
        };
        spec.revisionHistoryLimit ??= 10;
        spec.progressDeadlineSeconds ??= 600;
        o.spec = spec;
      },
    },
    {
      group: "apps",
      version: "v1",
      plural: "replicasets",
      singular: "replicaset",
      kind: "ReplicaSet",
      namespaced: true,
      shortNames: ["rs"],
      statusSubresource: true,
      scaleSubresource: true,
      validate: (o) => checkWorkload(o, "V1ReplicaSet").concat(checkObjectMeta(o.metadata)),
    },
  ];
}
