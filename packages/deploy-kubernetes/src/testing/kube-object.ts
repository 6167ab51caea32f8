import type { ObjectMetaJson } from "../rollout-types.js";

/*
 * Test-only: the shapes the Kubernetes emulator stores and serves.
 */

/** Any Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  /** The metadata product code reads, with a name (the emulator names every object). */
  metadata: ObjectMetaJson & { name: string; creationTimestamp?: string };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A resource type the emulator serves. */
export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  statusSubresource: boolean;
  scaleSubresource?: boolean;
  validate?: (object: KubeObject) => string[];
  /** Server-side defaulting on create (e.g. a Service's `clusterIP`). */
  defaults?: (object: KubeObject) => void;
  /** Fields kept from the stored object on update when the request leaves them out. */
  preserveOnUpdate?: (next: KubeObject, old: KubeObject) => void;
}

/** `group/version`, or `version` for the core group. */
export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** `plural.group` as the API server names a resource in messages. */
export function qualified(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}
