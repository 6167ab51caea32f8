import type { ResourceType } from "./kube-object.js";
import { checkLease, checkObjectMeta } from "./kube-schema.js";

/*
 * Test-only: `coordination.k8s.io/v1` Leases (the release lock's store).
 */

/** The Lease resource. */
export function leaseResource(): ResourceType {
  return {
    group: "coordination.k8s.io",
    version: "v1",
    plural: "leases",
    singular: "lease",
    kind: "Lease",
    namespaced: true,
    statusSubresource: false,
    validate: (o) => checkLease(o).concat(checkObjectMeta(o.metadata)),
  };
}
