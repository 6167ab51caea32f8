/**
 * The parts of an Argo Rollouts `Rollout` (argoproj.io/v1alpha1) this package reads and
 * writes, as plain JSON. Field names and types follow the CRD's openAPIV3Schema
 * (note `status.observedGeneration` is a string there).
 */

/** One entry of `spec.strategy.canary.steps`. */
export interface CanaryStep {
  setWeight?: number;
  pause?: { duration?: string | number };
  [other: string]: unknown;
}

/** A container in a pod template. */
export interface ContainerJson {
  name: string;
  image?: string;
  [other: string]: unknown;
}

/** A pod template (`spec.template`). */
export interface PodTemplateJson {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: {
    containers?: ContainerJson[];
    initContainers?: ContainerJson[];
    [other: string]: unknown;
  };
}

/** `metav1.Condition`-like rollout condition. */
export interface RolloutCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
}

/** A reference from an object to the object that owns it (`metadata.ownerReferences[]`). */
export interface OwnerReferenceJson {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
}

/** Object metadata fields we use. */
export interface ObjectMetaJson {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReferenceJson[];
  [other: string]: unknown;
}

/** A Rollout as JSON. */
export interface RolloutJson {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMetaJson;
  spec: {
    replicas?: number;
    paused?: boolean;
    restartAt?: string;
    selector?: { matchLabels?: Record<string, string> };
    template?: PodTemplateJson;
    workloadRef?: { apiVersion?: string; kind?: string; name?: string };
    strategy?: {
      canary?: {
        steps?: CanaryStep[];
        trafficRouting?: Record<string, unknown>;
        canaryService?: string;
        stableService?: string;
        [other: string]: unknown;
      };
      blueGreen?: Record<string, unknown>;
    };
    [other: string]: unknown;
  };
  status?: {
    observedGeneration?: string;
    phase?: string;
    message?: string;
    abort?: boolean;
    promoteFull?: boolean;
    controllerPause?: boolean;
    pauseConditions?: { reason: string; startTime: string }[];
    currentStepIndex?: number;
    currentPodHash?: string;
    stableRS?: string;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    restartedAt?: string;
    conditions?: RolloutCondition[];
    canary?: {
      weights?: {
        canary: { weight: number; podTemplateHash?: string; serviceName?: string };
        stable: { weight: number; podTemplateHash?: string; serviceName?: string };
        verified?: boolean;
      };
      [other: string]: unknown;
    };
    [other: string]: unknown;
  };
}

/** A ReplicaSet (apps/v1) as JSON — the fields undo and weight reading need. */
export interface ReplicaSetJson {
  metadata: ObjectMetaJson;
  spec?: { replicas?: number; template?: PodTemplateJson };
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number };
}
