import {
  type Condition,
  imagesOf,
  podTemplateHash,
  rfc3339,
  setCondition,
  setProgressDeadlineExceeded,
  stableJson,
} from "./controller-sim-support.js";
import type { KubeObject } from "./kube-object.js";

export { podTemplateHash } from "./controller-sim-support.js";

/*
 * Test-only: moves status the way the Argo Rollouts controller (basic canary, or canary
 * with trafficRouting) and the Deployment controller do, one small step per tick, so that
 * clients see a realistic sequence of watch events:
 *  - Rollout: observedGeneration; a ReplicaSet per pod-template hash with the
 *    `rollout.argoproj.io/revision` annotation and a controller ownerReference;
 *    currentPodHash / stableRS / currentStepIndex / currentStepHash; setWeight scales the
 *    canary ReplicaSet to ceil(weight × replicas / 100) (stable gets the rest, or stays
 *    full with trafficRouting, which reports status.canary.weights); pause steps set
 *    pauseConditions + controllerPause; clearing them moves on; promoteFull skips to the
 *    end; abort scales the canary to 0 and sets the RolloutAborted condition (Degraded);
 *    a template equal to the stable one is a rollback (steps skipped, abort removed);
 *    Healthy once stableRS == currentPodHash and all replicas are available.
 *  - Deployment: observedGeneration, a rolling update of (internal) ReplicaSets,
 *    updated/ready/available replicas, Available and Progressing conditions.
 *  - Pods whose image matches `brokenImage` never become ready: the progress deadline
 *    (`progressDeadlineMs`) then sets ProgressDeadlineExceeded.
 */

/** What the simulation needs from the emulator's store. */
export interface SimStore {
  get(plural: string, namespace: string, name: string): KubeObject | undefined;
  list(plural: string, namespace: string): KubeObject[];
  create(plural: string, object: KubeObject): KubeObject;
  update(plural: string, object: KubeObject): KubeObject;
  updateStatus(plural: string, object: KubeObject): KubeObject;
}

/** Options of the controller simulation. */
export interface ControllerSimOptions {
  /** Delay between reconcile steps. */
  tickMs?: number;
  /** Images matching this never become ready. */
  brokenImage?: RegExp;
  /** Overrides `spec.progressDeadlineSeconds` (600 s by default) for tests. */
  progressDeadlineMs?: number;
  /**
   * Report `status.canary.weights` for Rollouts with trafficRouting (default true);
   * `false` behaves like controllers from before the field existed.
   */
  reportWeights?: boolean;
}

/** The running simulation. */
export interface ControllerSim {
  changed(plural: string, object: KubeObject): void;
  deleted(plural: string, object: KubeObject): void;
  /** Pauses reconciling (to observe intermediate states); `resume` continues. */
  hold(): void;
  resume(): void;
  stop(): void;
}

/** The label Argo Rollouts puts on ReplicaSets and pods. */
export const ROLLOUT_HASH_LABEL = "rollouts-pod-template-hash";
/** The label the Deployment controller puts on its ReplicaSets and pods. */
export const DEPLOYMENT_HASH_LABEL = "pod-template-hash";
/** The ReplicaSet annotation holding the rollout revision. */
export const ROLLOUT_REVISION_ANNOTATION = "rollout.argoproj.io/revision";

interface RsState {
  name: string;
  replicas: number;
  available: number;
  broken: boolean;
}

/** Starts the simulation over a store. */
export function createControllerSim(store: SimStore, options: ControllerSimOptions): ControllerSim {
  const tickMs = options.tickMs ?? 5;
  const timers = new Map<string, NodeJS.Timeout>();
  const progressAt = new Map<string, number>();
  const deploymentSets = new Map<string, Map<string, RsState>>();
  let held = false;
  let stopped = false;
  const pending = new Set<string>();

  const isBroken = (template: unknown) =>
    options.brokenImage !== undefined &&
    imagesOf(template).some((i) => options.brokenImage!.test(i));

  const deadlineMs = (object: KubeObject) =>
    options.progressDeadlineMs ?? Number(object.spec?.progressDeadlineSeconds ?? 600) * 1000;

  const schedule = (plural: string, namespace: string, name: string, delay = tickMs) => {
    const key = `${plural}/${namespace}/${name}`;
    if (stopped) return;
    if (held) {
      pending.add(key);
      return;
    }
    if (timers.has(key)) return;
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        if (stopped) return;
        if (held) {
          pending.add(key);
          return;
        }
        try {
          reconcile(plural, namespace, name);
        } catch (e) {
          // A simulation bug must be loud in tests, not a silent stall.
          console.error(`controller simulation failed on ${key}:`, e);
        }
      }, delay),
    );
  };

  const reconcile = (plural: string, namespace: string, name: string) => {
    const object = store.get(plural, namespace, name);
    if (!object) return;
    let again = false;
    if (plural === "rollouts") again = reconcileRollout(object);
    else if (plural === "replicasets") again = reconcileReplicaSet(object);
    else if (plural === "deployments") again = reconcileDeployment(object);
    if (again) schedule(plural, namespace, name);
  };

  // ReplicaSet: pods come up one tick after being asked for (unless the image is broken).
  const reconcileReplicaSet = (rs: KubeObject): boolean => {
    // A Deployment's ReplicaSets are kept by the Deployment's own reconcile (below).
    if (rs.metadata.ownerReferences?.some((o) => o.controller && o.kind === "Deployment")) {
      return false;
    }
    const want = Number(rs.spec?.replicas ?? 0);
    const ready = isBroken(rs.spec?.template) ? 0 : want;
    const status = {
      replicas: want,
      fullyLabeledReplicas: want,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: rs.metadata.generation ?? 1,
    };
    if (stableJson(status) !== stableJson(rs.status ?? {})) {
      store.updateStatus("replicasets", { ...rs, status });
      const owner = rs.metadata.ownerReferences?.find((o) => o.controller);
      if (owner?.kind === "Rollout") {
        progressAt.set(`${rs.metadata.namespace}/${owner.name}`, Date.now());
        schedule("rollouts", rs.metadata.namespace ?? "", owner.name);
      }
    }
    return false;
  };

  const reconcileRollout = (ro: KubeObject): boolean => {
    const ns = ro.metadata.namespace ?? "";
    const key = `${ns}/${ro.metadata.name}`;
    const spec = ro.spec as {
      replicas?: number;
      paused?: boolean;
      selector?: { matchLabels?: Record<string, string> };
      template?: { metadata?: { labels?: Record<string, string> }; spec?: Record<string, unknown> };
      strategy?: {
        canary?: {
          steps?: { setWeight?: number; pause?: unknown }[];
          trafficRouting?: unknown;
          canaryService?: string;
          stableService?: string;
        };
      };
    };
    const replicas = spec.replicas ?? 1;
    const canary = spec.strategy?.canary;
    const steps = canary?.steps ?? [];
    const stepCount = steps.length;
    const routed = canary?.trafficRouting !== undefined;
    const hash = podTemplateHash(spec.template);
    const stepHash = podTemplateHash(steps);
    const status = structuredClone(ro.status ?? {}) as Record<string, unknown> & {
      conditions?: Condition[];
      pauseConditions?: { reason: string; startTime: string }[];
    };
    const owned = store
      .list("replicasets", ns)
      .filter((rs) => rs.metadata.ownerReferences?.some((o) => o.uid === ro.metadata.uid));
    const revisionOf = (rs: KubeObject) =>
      Number(rs.metadata.annotations?.[ROLLOUT_REVISION_ANNOTATION] ?? 0);
    const maxRevision = Math.max(0, ...owned.map(revisionOf));
    const newRS = owned.find((rs) => rs.metadata.labels?.[ROLLOUT_HASH_LABEL] === hash);
    if (!newRS) {
      const labels = { ...(spec.template?.metadata?.labels ?? {}), [ROLLOUT_HASH_LABEL]: hash };
      store.create("replicasets", {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        metadata: {
          name: `${ro.metadata.name}-${hash}`,
          namespace: ns,
          labels,
          annotations: { [ROLLOUT_REVISION_ANNOTATION]: String(maxRevision + 1) },
          ownerReferences: [
            {
              apiVersion: "argoproj.io/v1alpha1",
              kind: "Rollout",
              name: ro.metadata.name,
              uid: ro.metadata.uid ?? "",
              controller: true,
              blockOwnerDeletion: true,
            } as never,
          ],
        },
        spec: {
          replicas: 0,
          selector: {
            matchLabels: { ...(spec.selector?.matchLabels ?? {}), [ROLLOUT_HASH_LABEL]: hash },
          },
          template: {
            ...structuredClone(spec.template ?? {}),
            metadata: { ...(spec.template?.metadata ?? {}), labels },
          },
        },
      });
      return true;
    }
    if (revisionOf(newRS) < maxRevision) {
      // Going back to an older template makes its ReplicaSet the newest revision again.
      store.update("replicasets", {
        ...newRS,
        metadata: {
          ...newRS.metadata,
          annotations: {
            ...newRS.metadata.annotations,
            [ROLLOUT_REVISION_ANNOTATION]: String(maxRevision + 1),
          },
        },
      });
      return true;
    }
    const revision = revisionOf(newRS);
    status.observedGeneration = String(ro.metadata.generation ?? 1);
    status.selector = Object.entries(spec.selector?.matchLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
    let conditions = status.conditions ?? [];
    const clearPause = () => {
      delete status.pauseConditions;
      delete status.controllerPause;
    };
    const removeAbort = () => {
      delete status.abort;
      delete status.abortedAt;
      conditions = conditions.filter((c) => c.reason !== "RolloutAborted");
    };

    if (!status.currentPodHash) {
      // First sight: whatever runs is stable; steps apply to later updates only.
      status.currentPodHash = hash;
      status.stableRS = hash;
      status.currentStepHash = stepHash;
      if (stepCount > 0) status.currentStepIndex = stepCount;
    } else if (status.currentPodHash !== hash || status.currentStepHash !== stepHash) {
      // resetRolloutStatus: a new template or new steps start over.
      clearPause();
      removeAbort();
      delete status.promoteFull;
      if (stepCount > 0) status.currentStepIndex = hash === status.stableRS ? stepCount : 0;
      else delete status.currentStepIndex;
      status.currentPodHash = hash;
      status.currentStepHash = stepHash;
      progressAt.set(key, Date.now());
      conditions = setCondition(
        conditions,
        "Progressing",
        "True",
        "ReplicaSetUpdated",
        `ReplicaSet "${newRS.metadata.name}" is progressing.`,
      );
      status.conditions = conditions;
      status.phase = "Progressing";
      status.message = "more replicas need to be updated";
      store.updateStatus("rollouts", { ...ro, status });
      return true;
    }
    const stableHash = String(status.stableRS ?? hash);
    const stableRS = owned.find((rs) => rs.metadata.labels?.[ROLLOUT_HASH_LABEL] === stableHash);
    const promoted = stableHash === hash;

    if (status.promoteFull) {
      clearPause();
      removeAbort();
      if (stepCount > 0) status.currentStepIndex = stepCount;
    }
    const available = (rs: KubeObject | undefined) =>
      Number((rs?.status as { availableReplicas?: number } | undefined)?.availableReplicas ?? 0);
    const specReplicas = (rs: KubeObject | undefined) => Number(rs?.spec?.replicas ?? 0);
    const weightReplicas = (weight: number) =>
      Math.min(replicas, Math.ceil((weight * replicas) / 100));
    const atDesired = (canaryWant: number, stableWant: number) =>
      specReplicas(newRS) === canaryWant &&
      available(newRS) === canaryWant &&
      (promoted || (specReplicas(stableRS) === stableWant && available(stableRS) === stableWant));

    let weight = 100;
    const aborted = status.abort === true;
    if (promoted) {
      weight = 100;
    } else if (aborted) {
      clearPause();
      status.abortedAt ??= rfc3339();
      if (stepCount > 0) status.currentStepIndex = 0;
      conditions = setCondition(
        conditions,
        "Progressing",
        "False",
        "RolloutAborted",
        `Rollout aborted update to revision ${revision}`,
      );
      weight = 0;
    } else {
      if (status.controllerPause === true && (status.pauseConditions?.length ?? 0) === 0) {
        // Someone cleared the pause: the pause step is complete.
        delete status.controllerPause;
        const index = Number(status.currentStepIndex ?? 0);
        if (steps[index]?.pause !== undefined) status.currentStepIndex = index + 1;
      }
      const index = Number(status.currentStepIndex ?? stepCount);
      const step = index < stepCount ? steps[index]! : null;
      const currentSetWeight = () => {
        for (let i = Math.min(index, stepCount - 1); i >= 0; i--) {
          const w = steps[i]?.setWeight;
          if (typeof w === "number") return w;
        }
        return 0;
      };
      weight = step === null ? 100 : currentSetWeight();
      const canaryWant = weightReplicas(weight);
      const stableWant = routed ? replicas : replicas - canaryWant;
      if (spec.paused) {
        // Manually paused: hold everything.
      } else if (step === null) {
        if (atDesired(replicas, routed ? replicas : 0) || atDesired(replicas, 0)) {
          status.stableRS = hash; // promote: the canary is the new stable
        }
      } else if (typeof step.setWeight === "number") {
        if (atDesired(canaryWant, stableWant)) status.currentStepIndex = index + 1;
      } else if (step.pause !== undefined) {
        if ((status.pauseConditions?.length ?? 0) === 0 && atDesired(canaryWant, stableWant)) {
          status.pauseConditions = [{ reason: "CanaryPauseStep", startTime: rfc3339() }];
          status.controllerPause = true;
        }
      } else {
        status.currentStepIndex = index + 1; // analysis/experiment steps are not simulated
      }
    }

    // Scale the ReplicaSets toward the weight.
    const nowPromoted = status.stableRS === hash;
    const canaryWant = nowPromoted ? replicas : weightReplicas(weight);
    const stableWant = nowPromoted ? replicas : routed ? replicas : replicas - canaryWant;
    let scaled = false;
    for (const rs of owned) {
      const rsHash = rs.metadata.labels?.[ROLLOUT_HASH_LABEL];
      const want = rsHash === hash ? canaryWant : rsHash === status.stableRS ? stableWant : 0;
      if (specReplicas(rs) !== want) {
        store.update("replicasets", { ...rs, spec: { ...rs.spec, replicas: want } });
        scaled = true;
      }
    }
    if (scaled) progressAt.set(key, Date.now()); // scaling a ReplicaSet counts as progress
    if (routed && options.reportWeights !== false) {
      const canaryWeight = nowPromoted || aborted ? 0 : weight;
      status.canary = {
        ...((status.canary as Record<string, unknown>) ?? {}),
        weights: {
          canary: {
            weight: canaryWeight,
            podTemplateHash: hash,
            serviceName: canary?.canaryService ?? "",
          },
          stable: {
            weight: 100 - canaryWeight,
            podTemplateHash: String(status.stableRS),
            serviceName: canary?.stableService ?? "",
          },
          verified: true,
        },
      };
    }
    const fresh = store
      .list("replicasets", ns)
      .filter((rs) => rs.metadata.ownerReferences?.some((o) => o.uid === ro.metadata.uid));
    const sum = (f: (s: Record<string, number>) => number | undefined) =>
      fresh.reduce((n, rs) => n + Number(f((rs.status ?? {}) as Record<string, number>) ?? 0), 0);
    const currentRS = fresh.find((rs) => rs.metadata.labels?.[ROLLOUT_HASH_LABEL] === hash);
    status.replicas = sum((s) => s.replicas);
    status.HPAReplicas = status.replicas;
    status.updatedReplicas = Number(
      (currentRS?.status as { replicas?: number } | undefined)?.replicas ?? 0,
    );
    status.readyReplicas = sum((s) => s.readyReplicas);
    status.availableReplicas = sum((s) => s.availableReplicas);

    const notReady = specReplicas(currentRS) > available(currentRS);
    const lastProgress = progressAt.get(key) ?? Date.now();
    let recheckIn: number | null = null;
    if (!aborted && notReady && !status.pauseConditions) {
      const left = lastProgress + deadlineMs(ro) - Date.now();
      if (left <= 0) {
        conditions = setProgressDeadlineExceeded(conditions, newRS.metadata.name);
      } else {
        recheckIn = left + 1;
      }
    } else if (!aborted && status.stableRS === hash && !notReady) {
      conditions = setCondition(
        conditions,
        "Progressing",
        "True",
        "NewReplicaSetAvailable",
        `ReplicaSet "${newRS.metadata.name}" has successfully progressed.`,
      );
    }
    const healthy =
      status.stableRS === hash &&
      Number(status.availableReplicas) >= replicas &&
      Number(status.replicas) === replicas;
    conditions = setCondition(
      conditions,
      "Healthy",
      healthy ? "True" : "False",
      "RolloutHealthy",
      healthy ? "Rollout is healthy" : "Rollout is not healthy",
    );
    status.conditions = conditions;

    // The controller's own phase computation (what `status.phase` holds on 1.0+).
    const degraded = conditions.find(
      (c) => c.reason === "RolloutAborted" || c.reason === "ProgressDeadlineExceeded",
    );
    if (degraded) {
      status.phase = "Degraded";
      status.message = `${degraded.reason}: ${degraded.message}`;
    } else if (spec.paused) {
      status.phase = "Paused";
      status.message = "manually paused";
    } else if (status.pauseConditions?.length) {
      status.phase = "Paused";
      status.message = status.pauseConditions[0]!.reason;
    } else if (Number(status.updatedReplicas) < replicas) {
      status.phase = "Progressing";
      status.message = "more replicas need to be updated";
    } else if (Number(status.availableReplicas) < Number(status.updatedReplicas)) {
      status.phase = "Progressing";
      status.message = "updated replicas are still becoming available";
    } else if (!routed && Number(status.replicas) > Number(status.updatedReplicas)) {
      status.phase = "Progressing";
      status.message = "old replicas are pending termination";
    } else if (status.stableRS !== hash) {
      status.phase = "Progressing";
      status.message = "waiting for all steps to complete";
    } else {
      status.phase = "Healthy";
      delete status.message;
    }

    let wrote = scaled;
    if (stableJson(status) !== stableJson(ro.status ?? {})) {
      store.updateStatus("rollouts", { ...ro, status });
      wrote = true;
    }
    if (!wrote && recheckIn !== null) schedule("rollouts", ns, ro.metadata.name, recheckIn);
    return wrote;
  };

  /**
   * Writes a Deployment's ReplicaSets as the Deployment controller does — named
   * `<deployment>-<pod-template-hash>`, owned by the Deployment, the template plus the
   * `pod-template-hash` label — so clients that look for "the new ReplicaSet" (helm's
   * `--wait`, `kubectl rollout status`) find it.
   */
  const mirrorReplicaSets = (d: KubeObject, sets: Map<string, RsState>) => {
    const ns = d.metadata.namespace ?? "";
    const spec = d.spec as {
      selector?: { matchLabels?: Record<string, string> };
      template?: { metadata?: { labels?: Record<string, string> } };
    };
    for (const [hash, state] of sets) {
      const template = structuredClone(spec.template ?? {});
      template.metadata = {
        ...template.metadata,
        labels: { ...template.metadata?.labels, [DEPLOYMENT_HASH_LABEL]: hash },
      };
      const existing = store.get("replicasets", ns, state.name);
      const rs =
        existing ??
        store.create("replicasets", {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          metadata: {
            name: state.name,
            namespace: ns,
            labels: template.metadata.labels,
            ownerReferences: [
              {
                apiVersion: "apps/v1",
                kind: "Deployment",
                name: d.metadata.name,
                uid: d.metadata.uid ?? "",
                controller: true,
              },
            ],
          },
          spec: {
            replicas: state.replicas,
            selector: {
              matchLabels: { ...spec.selector?.matchLabels, [DEPLOYMENT_HASH_LABEL]: hash },
            },
            template,
          },
        });
      const updated =
        Number(rs.spec?.replicas ?? 0) === state.replicas
          ? rs
          : store.update("replicasets", { ...rs, spec: { ...rs.spec, replicas: state.replicas } });
      const status: Record<string, unknown> = {
        replicas: state.replicas,
        fullyLabeledReplicas: state.replicas,
        readyReplicas: state.available,
        availableReplicas: state.available,
        observedGeneration: updated.metadata.generation ?? 1,
      };
      for (const field of Object.keys(status)) if (status[field] === 0) delete status[field];
      if (stableJson(status) !== stableJson(updated.status ?? {})) {
        store.updateStatus("replicasets", { ...updated, status });
      }
    }
  };

  const reconcileDeployment = (d: KubeObject): boolean => {
    const ns = d.metadata.namespace ?? "";
    const key = `${ns}/${d.metadata.name}`;
    const spec = d.spec as { replicas?: number; paused?: boolean; template?: unknown };
    const replicas = spec.replicas ?? 1;
    const hash = podTemplateHash(spec.template);
    const sets = deploymentSets.get(key) ?? new Map<string, RsState>();
    deploymentSets.set(key, sets);
    let changed = false;
    if (!sets.has(hash)) {
      sets.set(hash, {
        name: `${d.metadata.name}-${hash}`,
        replicas: 0,
        available: 0,
        broken: isBroken(spec.template),
      });
      progressAt.set(key, Date.now());
      changed = true;
    }
    const current = sets.get(hash)!;
    if (!spec.paused) {
      // Pods become available one tick after being asked for.
      for (const rs of sets.values()) {
        const ready = rs.broken ? 0 : rs.replicas;
        if (rs.available !== ready) {
          rs.available = ready;
          progressAt.set(key, Date.now());
          changed = true;
        }
      }
      if (current.replicas !== replicas) {
        current.replicas = replicas;
        progressAt.set(key, Date.now()); // scaling a ReplicaSet counts as progress
        changed = true;
      }
      if (current.available >= replicas) {
        for (const [h, rs] of sets) {
          if (h !== hash && rs.replicas > 0) {
            rs.replicas = 0;
            rs.available = 0;
            changed = true;
          }
        }
      }
    }
    const all = [...sets.values()];
    const status = structuredClone(d.status ?? {}) as Record<string, unknown> & {
      conditions?: Condition[];
    };
    status.observedGeneration = d.metadata.generation ?? 1;
    status.replicas = all.reduce((n, rs) => n + rs.replicas, 0);
    status.updatedReplicas = current.replicas;
    status.readyReplicas = all.reduce((n, rs) => n + rs.available, 0);
    status.availableReplicas = status.readyReplicas;
    const unavailable = Number(status.replicas) - Number(status.availableReplicas);
    if (unavailable > 0) status.unavailableReplicas = unavailable;
    else delete status.unavailableReplicas;
    for (const field of ["replicas", "updatedReplicas", "readyReplicas", "availableReplicas"]) {
      if (status[field] === 0) delete status[field]; // omitempty, as the API server sends it
    }
    let conditions = status.conditions ?? [];
    const maxUnavailable = Math.floor(replicas * 0.25);
    conditions =
      Number(status.availableReplicas ?? 0) >= replicas - maxUnavailable
        ? setCondition(
            conditions,
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
          )
        : setCondition(
            conditions,
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
          );
    let recheckIn: number | null = null;
    const complete = current.available >= replicas && Number(status.replicas ?? 0) === replicas;
    if (complete) {
      conditions = setCondition(
        conditions,
        "Progressing",
        "True",
        "NewReplicaSetAvailable",
        `ReplicaSet "${current.name}" has successfully progressed.`,
      );
    } else if (!spec.paused) {
      const left = (progressAt.get(key) ?? Date.now()) + deadlineMs(d) - Date.now();
      if (left <= 0) {
        conditions = setProgressDeadlineExceeded(conditions, current.name);
      } else {
        conditions = setCondition(
          conditions,
          "Progressing",
          "True",
          "ReplicaSetUpdated",
          `ReplicaSet "${current.name}" is progressing.`,
        );
        recheckIn = left + 1;
      }
    }
    status.conditions = conditions;
    mirrorReplicaSets(d, sets);
    if (stableJson(status) !== stableJson(d.status ?? {})) {
      store.updateStatus("deployments", { ...d, status });
      changed = true;
    }
    if (!changed && recheckIn !== null) schedule("deployments", ns, d.metadata.name, recheckIn);
    return changed;
  };

  return {
    changed(plural, object) {
      const ns = object.metadata.namespace ?? "";
      if (plural === "rollouts" || plural === "replicasets" || plural === "deployments") {
        schedule(plural, ns, object.metadata.name);
      }
    },
    deleted(plural, object) {
      if (plural === "deployments")
        deploymentSets.delete(`${object.metadata.namespace}/${object.metadata.name}`);
    },
    hold() {
      held = true;
    },
    resume() {
      held = false;
      for (const key of pending) {
        const [plural, namespace, name] = key.split("/") as [string, string, string];
        schedule(plural, namespace, name);
      }
      pending.clear();
    },
    stop() {
      stopped = true;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}
