import type { KubeObject, ResourceType } from "./kube-object.js";
import { checkAgainstModel, checkObjectMeta } from "./kube-schema.js";

/*
 * Test-only: the core-group (`v1`) kinds the emulator serves — Namespaces, and the
 * Secrets, ConfigMaps and Services charts render (Secrets are also Helm's release store).
 */

const base64 = /^[A-Za-z0-9+/]*={0,2}$/;
let nextClusterIp = 10;

function checkSecret(object: KubeObject): string[] {
  const problems = checkAgainstModel(object, "V1Secret").concat(checkObjectMeta(object.metadata));
  for (const [key, value] of Object.entries((object.data as Record<string, unknown>) ?? {})) {
    if (typeof value !== "string" || value.length % 4 !== 0 || !base64.test(value)) {
      problems.push(`/data/${key}: illegal base64 data`);
    }
  }
  return problems;
}

function checkService(object: KubeObject): string[] {
  const problems = checkAgainstModel(object, "V1Service").concat(checkObjectMeta(object.metadata));
  const spec = (object.spec ?? {}) as { type?: string; ports?: { port?: number }[] };
  if (spec.type !== "ExternalName" && (spec.ports ?? []).length === 0)
    problems.push("/spec/ports: Required value");
  for (const [i, p] of (spec.ports ?? []).entries()) {
    if (typeof p.port !== "number" || p.port < 1 || p.port > 65535)
      problems.push(`/spec/ports/${i}/port: must be between 1 and 65535, inclusive`);
  }
  return problems;
}

/** Namespaces, Secrets, ConfigMaps and Services. */
export function coreResources(): ResourceType[] {
  return [
    {
      group: "",
      version: "v1",
      plural: "namespaces",
      singular: "namespace",
      kind: "Namespace",
      namespaced: false,
      shortNames: ["ns"],
      statusSubresource: true,
    },
    {
      group: "",
      version: "v1",
      plural: "secrets",
      singular: "secret",
      kind: "Secret",
      namespaced: true,
      statusSubresource: false,
      validate: checkSecret,
      defaults: (o) => {
        o.type ??= "Opaque";
      },
    },
    {
      group: "",
      version: "v1",
      plural: "configmaps",
      singular: "configmap",
      kind: "ConfigMap",
      namespaced: true,
      shortNames: ["cm"],
      statusSubresource: false,
      validate: (o) => checkAgainstModel(o, "V1ConfigMap").concat(checkObjectMeta(o.metadata)),
    },
    {
      group: "",
      version: "v1",
      plural: "services",
      singular: "service",
      kind: "Service",
      namespaced: true,
      shortNames: ["svc"],
      statusSubresource: true,
      validate: checkService,
      // The API server allocates a cluster IP (what `helm --wait` checks for a Service).
      defaults: (o) => {
        o.spec ??= {};
        const spec = o.spec as {
          type?: string;
          clusterIP?: string;
          clusterIPs?: string[];
        };
        spec.type ??= "ClusterIP";
        if (spec.type !== "ExternalName" && !spec.clusterIP) {
          nextClusterIp += 1;
          spec.clusterIP = `10.96.${Math.floor(nextClusterIp / 250)}.${nextClusterIp % 250}`;
          spec.clusterIPs = [spec.clusterIP];
        }
        o.status ??= { loadBalancer: {} };
      },
      preserveOnUpdate: (next, old) => {
        next.spec ??= {};
        const spec = next.spec as Record<string, unknown>;
        const was = (old.spec ?? {}) as Record<string, unknown>;
        spec.type ??= was.type;
        spec.clusterIP ??= was.clusterIP;
        spec.clusterIPs ??= was.clusterIPs;
      },
    },
  ];
}
