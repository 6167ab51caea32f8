import { appsResources } from "./apps-resources.js";
import { coreResources } from "./core-resources.js";
import type { ResourceType } from "./kube-object.js";
import { leaseResource } from "./lease-resource.js";
import { rolloutResource } from "./rollout-resource.js";

/** The resource types the Kubernetes emulator serves. */
export function emulatedResources(): ResourceType[] {
  return [...coreResources(), ...appsResources(), rolloutResource(), leaseResource()];
}
