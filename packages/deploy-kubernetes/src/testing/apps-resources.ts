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
