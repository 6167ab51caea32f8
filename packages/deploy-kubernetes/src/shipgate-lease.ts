import type { V1Lease } from "@kubernetes/client-node";

/**
 * A Lease object shipgate writes: `base` (the object read, when there is one) with its
 * name and namespace set, shipgate's managed-by label and `annotations` added to what it
 * carried, and `spec`. Pure.
 */
export function shipgateLease(options: {
  name: string;
  namespace: string;
  annotations: Record<string, string>;
  spec: NonNullable<V1Lease["spec"]>;
  base?: V1Lease | null;
}): V1Lease {
  const metadata = options.base?.metadata;
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      ...(metadata ?? {}),
      name: options.name,
      namespace: options.namespace,
      labels: { ...(metadata?.labels ?? {}), "app.kubernetes.io/managed-by": "shipgate" },
      annotations: { ...(metadata?.annotations ?? {}), ...options.annotations },
    },
    spec: options.spec,
  };
}
