import { fileURLToPath } from "node:url";
import type { ResourceType } from "./kube-object.js";
import { checkObjectMeta, compileCrdValidator } from "./kube-schema.js";

/*
 * Test-only: Argo Rollouts' `Rollout`, validated against the upstream CRD's schema.
 */

const crdPath = fileURLToPath(
  new URL("./__fixtures__/argo-rollouts-rollout-crd.yaml", import.meta.url),
);
let rolloutValidator: ((object: unknown) => string[]) | null = null;

/** The `argoproj.io/v1alpha1` Rollout resource. */
export function rolloutResource(): ResourceType {
  rolloutValidator ??= compileCrdValidator(crdPath);
  const validateRollout = rolloutValidator;
  return {
    group: "argoproj.io",
    version: "v1alpha1",
    plural: "rollouts",
    singular: "rollout",
    kind: "Rollout",
    namespaced: true,
    shortNames: ["ro"],
    statusSubresource: true,
    scaleSubresource: true,
    validate: (o) => validateRollout(o).concat(checkObjectMeta(o.metadata)),
  };
}
