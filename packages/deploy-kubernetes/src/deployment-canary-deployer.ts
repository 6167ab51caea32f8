import {
  abortedError,
  type CallOptions,
  type Deployer,
  type DeploymentPhase,
  type DeploymentStatus,
  type DeployTarget,
  type PreflightReport,
  ShipgateError,
  type StableVerification,
} from "@shipgate/core";
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import {
  findContainer,
  targetImage,
  templateVersion,
  type WorkloadSettings,
  workloadName,
} from "./deploy-target.js";
import {
  type DeploymentLike,
  deploymentRolloutStatus,
  isDeploymentFullyReady,
} from "./deployment-status.js";
import { type KubeClients, MERGE_PATCH } from "./kube-clients.js";
import { DEPLOYMENTS, objectApi, safely } from "./kube-object-api.js";
import type { PodTemplateJson } from "./rollout-types.js";
import { type WaitDecision, waitForStable } from "./wait-for-stable.js";

/** Label on the canary Deployment, its selector and its pods. */
export const TRACK_LABEL = "shipgate.dev/track";
/** Annotation on the stable Deployment: its replica count before the canary started. */
export const STABLE_REPLICAS_ANNOTATION = "shipgate.dev/stable-replicas";
/** Annotation on the canary Deployment: the release version it runs. */
export const CANARY_VERSION_ANNOTATION = "shipgate.dev/version";
/** Annotation on the canary Deployment: set once aborted. */
export const CANARY_ABORTED_ANNOTATION = "shipgate.dev/aborted";
/**
 * Annotation on the stable Deployment, set by `promote`: the image it ran before, so a
 * rollback after promotion (a breach while stabilizing, or a later wave's) can put it back.
 */
export const PREVIOUS_IMAGE_ANNOTATION = "shipgate.dev/previous-image";

/** A Deployment as plain JSON (the fields this deployer touches). */
interface DeploymentJson extends DeploymentLike {
  apiVersion?: string;
  kind?: string;
  metadata: NonNullable<DeploymentLike["metadata"]> & { name: string };
  spec: NonNullable<DeploymentLike["spec"]> & {
    selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
    template?: PodTemplateJson;
    [other: string]: unknown;
  };
}

/** Options of {@link createDeploymentCanaryDeployer}. */
export interface DeploymentCanaryDeployerOptions extends WorkloadSettings {
  clients: KubeClients;
  /** Appended to the stable Deployment's name for the canary (default `-canary`). */
  canarySuffix?: string;
  /** Bound on each wait for the Deployment controller. */
  stepTimeoutMs: number;
}

/**
 * Canary replicas for a weight out of the stable's replica count: at least one pod for any
 * weight above 0, all of them at 100.
 */
export function canaryReplicasFor(weight: number, totalReplicas: number): number {
  if (weight <= 0 || totalReplicas <= 0) return 0;
  if (weight >= 100) return totalReplicas;
  return Math.min(totalReplicas, Math.max(1, Math.round((totalReplicas * weight) / 100)));
}

/** Share of ready pods on the canary, in percent (rounded). */
export function replicaShareWeight(canaryReady: number, stableReady: number): number {
  const total = canaryReady + stableReady;
  return total === 0 ? 0 : Math.round((canaryReady * 100) / total);
}

/**
 * A {@link Deployer} for clusters without Argo Rollouts: a canary Deployment beside the
 * stable one (same pod labels plus `shipgate.dev/track: canary`, so the Service's selector
 * sends it traffic), weight by replica share; promote updates the stable Deployment's image
 * and removes the canary; rollback removes the canary and restores the stable's replicas;
 * verification: the stable's ready replicas are back to its spec and no canary is left.
 */
export function createDeploymentCanaryDeployer(options: DeploymentCanaryDeployerOptions): Deployer {
  const { clients } = options;
  const deployments = objectApi<DeploymentJson>(clients, DEPLOYMENTS);
  const suffix = options.canarySuffix ?? "-canary";
  const where = () => `namespace "${clients.namespace}" (context "${clients.context}")`;

  const guard = <T>(signal: AbortSignal, run: () => ResultAsync<T, ShipgateError>) =>
    signal.aborted ? errAsync<T, ShipgateError>(abortedError(signal)) : safely(run);

  const getStable = (name: string, signal: AbortSignal) =>
    deployments.find(name, signal).andThen((d) =>
      d
        ? okAsync(d)
        : errAsync<DeploymentJson, ShipgateError>(
            new ShipgateError("not_found", `Deployment "${name}" not found in ${where()}`, {
              hint: "Check `name`, `namespace` and `context` in the provider options",
            }),
          ),
    );

  /** Reads the stable Deployment of `target` (which must exist) and its canary, if any. */
  const readTracks = <T>(
    target: DeployTarget,
    signal: AbortSignal,
    read: (name: string, stable: DeploymentJson, canary: DeploymentJson | null) => T,
  ): ResultAsync<T, ShipgateError> =>
    guard(signal, () =>
      workloadName(options, target).asyncAndThen((name) =>
        getStable(name, signal).andThen((stable) =>
          deployments.find(`${name}${suffix}`, signal).map((canary) => read(name, stable, canary)),
        ),
      ),
    );

  const imageOf = (d: DeploymentJson | null) =>
    d
      ? findContainer(d.spec.template, options.container)
          .map((c) => c.image ?? "")
          .unwrapOr("")
      : "";

  const recordedReplicas = (stable: DeploymentJson) => {
    const recorded = Number(stable.metadata.annotations?.[STABLE_REPLICAS_ANNOTATION]);
    return Number.isInteger(recorded) && recorded >= 0 ? recorded : (stable.spec.replicas ?? 1);
  };

  const waitFor = (
    name: string,
    what: string,
    signal: AbortSignal,
    done: (d: DeploymentJson | null) => boolean,
  ) =>
    waitForStable<DeploymentJson>({
      clients,
      collectionPath: deployments.collectionPath,
      name,
      read: (s) => deployments.find(name, s),
      timeoutMs: options.stepTimeoutMs,
      signal,
      what: `Deployment "${name}" ${what}`,
      evaluate: (d): WaitDecision => {
        if (done(d)) return { kind: "done" };
        if (!d) {
          return {
            kind: "fail",
            error: new ShipgateError(
              "not_found",
              `Deployment "${name}" was deleted while waiting for it ${what}`,
            ),
          };
        }
        const reading = deploymentRolloutStatus(d);
        if (reading.state === "degraded") {
          return {
            kind: "fail",
            error: new ShipgateError(
              "timeout",
              `Deployment "${name}" failed while waiting for it ${what}: ${reading.message}`,
              {
                vendorMessage: d.status?.conditions?.find((c) => c.type === "Progressing")?.message,
                retryable: false,
                hint: "The pods did not become available within progressDeadlineSeconds; look at the ReplicaSet's pods",
              },
            ),
          };
        }
        return { kind: "wait", progress: reading.message };
      },
    });

  /** Scales to `replicas` and waits until that many are ready. */
  const scale = (
    name: string,
    replicas: number,
    signal: AbortSignal,
    annotations?: Record<string, string | null>,
  ) =>
    deployments
      .patch(
        name,
        { ...(annotations ? { metadata: { annotations } } : {}), spec: { replicas } },
        MERGE_PATCH,
        signal,
      )
      .andThen(() =>
        waitFor(
          name,
          `to run ${replicas} ready replicas`,
          signal,
          (d) => d !== null && d.spec.replicas === replicas && isDeploymentFullyReady(d),
        ),
      );

  const resolve = (target: DeployTarget) =>
    workloadName(options, target).andThen((name) =>
      targetImage(options, target).map((image) => ({ name, canary: `${name}${suffix}`, image })),
    );

  const preflight = (
    target: DeployTarget,
    { signal }: CallOptions,
  ): ResultAsync<PreflightReport, ShipgateError> =>
    guard(signal, () => {
      const nameResult = workloadName(options, target);
      if (nameResult.isErr()) return errAsync(nameResult.error);
      const name = nameResult.value;
      const canaryName = `${name}${suffix}`;
      const problems: string[] = [];
      const facts: Record<string, string> = {
        kind: "Deployment",
        name,
        canary: canaryName,
        namespace: clients.namespace,
        context: clients.context,
        strategy: "canary Deployment (weights by replica share)",
      };
      const image = targetImage(options, target);
      if (image.isErr()) problems.push(image.error.message);
      else facts.image = image.value;
      return deployments.find(name, signal).andThen((stable) =>
        deployments.find(canaryName, signal).map((canary): PreflightReport => {
          if (!stable) {
            problems.unshift(`Deployment "${name}" not found in ${where()}`);
            return { ok: false, problems, stableVersion: null, facts };
          }
          if (stable.spec.paused)
            problems.push(`Deployment "${name}" is paused (spec.paused is true)`);
          if (canary) {
            problems.push(
              `Canary Deployment "${canaryName}" exists (version ${canary.metadata.annotations?.[CANARY_VERSION_ANNOTATION] ?? "unknown"}); another release is in flight or was not rolled back`,
            );
          }
          const reading = deploymentRolloutStatus(stable);
          if (reading.state !== "complete") problems.push(reading.message);
          const container = findContainer(stable.spec.template, options.container);
          if (container.isErr()) problems.push(`Deployment "${name}" ${container.error}`);
          else {
            facts.container = container.value.name;
            facts.currentImage = container.value.image ?? "";
            if (image.isOk() && container.value.image === image.value) {
              problems.push(`Deployment "${name}" already runs ${image.value}`);
            }
          }
          const replicas = recordedReplicas(stable);
          facts.replicas = String(replicas);
          if (replicas > 0)
            facts.weightGranularity = `${Math.round(10000 / replicas) / 100}% per pod`;
          return {
            ok: problems.length === 0,
            problems,
            stableVersion: templateVersion(stable.spec.template, options, target),
            facts,
          };
        }),
      );
    });

  const start = (target: DeployTarget, { signal }: CallOptions): ResultAsync<void, ShipgateError> =>
    guard(signal, () =>
      resolve(target).asyncAndThen(({ name, canary: canaryName, image }) =>
        getStable(name, signal).andThen((stable) =>
          deployments.find(canaryName, signal).andThen((existing) => {
            const container = findContainer(stable.spec.template, options.container);
            if (container.isErr()) {
              return errAsync(
                new ShipgateError(
                  "precondition_failed",
                  `Deployment "${name}" ${container.error}`,
                  { field: "with.container" },
                ),
              );
            }
            if (existing) {
              return imageOf(existing) === image
                ? okAsync(undefined) // a retried start
                : errAsync(
                    new ShipgateError(
                      "precondition_failed",
                      `Canary Deployment "${canaryName}" already exists with ${imageOf(existing)}`,
                      {
                        hint: "Roll the previous release back first",
                      },
                    ),
                  );
            }
            if (container.value.image === image) {
              return errAsync(
                new ShipgateError(
                  "precondition_failed",
                  `Deployment "${name}" already runs ${image}`,
                ),
              );
            }
            const replicas = recordedReplicas(stable);
            const template = structuredClone(stable.spec.template ?? {});
            // Same containers as checked above (a copy of the same template).
            findContainer(template, options.container).map((c) => Object.assign(c, { image }));
            template.metadata = {
              ...template.metadata,
              labels: { ...(template.metadata?.labels ?? {}), [TRACK_LABEL]: "canary" },
            };
            const { replicas: _r, paused: _p, selector, template: _t, ...rest } = stable.spec;
            const body: DeploymentJson = {
              apiVersion: "apps/v1",
              kind: "Deployment",
              metadata: {
                name: canaryName,
                labels: { ...(stable.metadata.labels ?? {}), [TRACK_LABEL]: "canary" },
                annotations: {
                  [CANARY_VERSION_ANNOTATION]: target.version,
                  "shipgate.dev/canary-of": name,
                },
              },
              spec: {
                ...structuredClone(rest),
                replicas: 0,
                selector: {
                  ...structuredClone(selector ?? {}),
                  matchLabels: { ...(selector?.matchLabels ?? {}), [TRACK_LABEL]: "canary" },
                },
                template,
              },
            };
            const record = stable.metadata.annotations?.[STABLE_REPLICAS_ANNOTATION]
              ? okAsync(undefined)
              : deployments
                  .patch(
                    name,
                    {
                      metadata: { annotations: { [STABLE_REPLICAS_ANNOTATION]: String(replicas) } },
                    },
                    MERGE_PATCH,
                    signal,
                  )
                  .map(() => undefined);
            return record
              .andThen(() => deployments.create(body, signal))
              .andThen(() =>
                waitFor(
                  canaryName,
                  "to be created at 0 replicas",
                  signal,
                  (d) => d !== null && deploymentRolloutStatus(d).state === "complete",
                ),
              );
          }),
        ),
      ),
    );

  const setWeight = (
    target: DeployTarget,
    weight: number,
    { signal }: CallOptions,
  ): ResultAsync<void, ShipgateError> =>
    guard(signal, () => {
      if (!Number.isInteger(weight) || weight < 1 || weight > 100) {
        return errAsync(
          new ShipgateError(
            "invalid_input",
            `Canary weight must be a whole number 1–100, got ${weight}`,
            { field: "weight" },
          ),
        );
      }
      return resolve(target).asyncAndThen(({ name, canary: canaryName, image }) =>
        getStable(name, signal).andThen((stable) =>
          deployments.find(canaryName, signal).andThen((canary) => {
            if (!canary || imageOf(canary) !== image) {
              return errAsync(
                new ShipgateError(
                  "precondition_failed",
                  `No canary Deployment "${canaryName}" running ${image}; call start first`,
                ),
              );
            }
            if (canary.metadata.annotations?.[CANARY_ABORTED_ANNOTATION]) {
              return errAsync(
                new ShipgateError(
                  "precondition_failed",
                  `Canary Deployment "${canaryName}" was aborted`,
                ),
              );
            }
            const total = recordedReplicas(stable);
            const canaryReplicas = canaryReplicasFor(weight, total);
            const stableReplicas = total - canaryReplicas;
            // Add capacity before taking it away: grow first, then shrink.
            return canaryReplicas >= (canary.spec.replicas ?? 0)
              ? scale(canaryName, canaryReplicas, signal).andThen(() =>
                  scale(name, stableReplicas, signal),
                )
              : scale(name, stableReplicas, signal).andThen(() =>
                  scale(canaryName, canaryReplicas, signal),
                );
          }),
        ),
      );
    });

  /**
   * Sets the stable Deployment's container image, its replicas back to the recorded count,
   * and `annotations` (of the stable as read); resolves to the replicas. A merge patch
   * replaces the containers list whole; `resourceVersion` makes it a compare-and-swap, so a
   * concurrent edit is not overwritten (a conflict reads again, up to 3 times).
   */
  const setStableImage = (
    name: string,
    image: string,
    signal: AbortSignal,
    annotations: (stable: DeploymentJson) => Record<string, string | null>,
    left = 3,
  ): ResultAsync<number, ShipgateError> =>
    getStable(name, signal).andThen((stable) => {
      const replicas = recordedReplicas(stable);
      const template = structuredClone(stable.spec.template ?? {});
      const container = findContainer(template, options.container);
      if (container.isErr()) {
        return errAsync(
          new ShipgateError("precondition_failed", `Deployment "${name}" ${container.error}`, {
            field: "with.container",
          }),
        );
      }
      container.value.image = image;
      const patch = {
        metadata: {
          resourceVersion: stable.metadata.resourceVersion,
          annotations: annotations(stable),
        },
        spec: { replicas, template: { spec: { containers: template.spec?.containers } } },
      };
      return deployments
        .patch(name, patch, MERGE_PATCH, signal)
        .map(() => replicas)
        .orElse((e) =>
          e.kind === "conflict" && left > 0
            ? setStableImage(name, image, signal, annotations, left - 1)
            : errAsync(e),
        );
    });

  /** Deletes the canary Deployment (if there is one) and waits until it is gone. */
  const removeCanary = (canaryName: string, signal: AbortSignal) =>
    deployments
      .delete(canaryName, signal)
      .andThen(() => waitFor(canaryName, "to be removed", signal, (d) => d === null));

  const runsOnAllReplicas = (image: string, replicas: number) => (d: DeploymentJson | null) =>
    d !== null && imageOf(d) === image && d.spec.replicas === replicas && isDeploymentFullyReady(d);

  const promote = (
    target: DeployTarget,
    { signal }: CallOptions,
  ): ResultAsync<void, ShipgateError> =>
    guard(signal, () =>
      resolve(target).asyncAndThen(({ name, canary: canaryName, image }) => {
        return getStable(name, signal).andThen((stable) =>
          deployments.find(canaryName, signal).andThen((canary) => {
            if (!canary) {
              return runsOnAllReplicas(image, stable.spec.replicas ?? 1)(stable)
                ? okAsync(undefined)
                : errAsync(
                    new ShipgateError(
                      "precondition_failed",
                      `No canary Deployment "${canaryName}" to promote`,
                    ),
                  );
            }
            if (imageOf(canary) !== image) {
              return errAsync(
                new ShipgateError(
                  "precondition_failed",
                  `Canary Deployment "${canaryName}" runs ${imageOf(canary)}, not ${image}`,
                ),
              );
            }
            return setStableImage(name, image, signal, (stable) => ({
              [STABLE_REPLICAS_ANNOTATION]: null,
              // Kept from a first attempt: a promote run again must not record its own image.
              ...(imageOf(stable) !== image
                ? { [PREVIOUS_IMAGE_ANNOTATION]: imageOf(stable) }
                : {}),
            }))
              .andThen((replicas) =>
                waitFor(
                  name,
                  `to run ${image} on all replicas`,
                  signal,
                  runsOnAllReplicas(image, replicas),
                ),
              )
              .andThen(() => removeCanary(canaryName, signal));
          }),
        );
      }),
    );

  const abort = (target: DeployTarget, { signal }: CallOptions): ResultAsync<void, ShipgateError> =>
    guard(signal, () =>
      resolve(target).asyncAndThen(({ name, canary: canaryName }) =>
        getStable(name, signal).andThen((stable) =>
          deployments.find(canaryName, signal).andThen((canary) => {
            if (!canary) return okAsync(undefined);
            const total = recordedReplicas(stable);
            // Traffic off the canary first (it leaves the Service's endpoints), then capacity back.
            return scale(canaryName, 0, signal, { [CANARY_ABORTED_ANNOTATION]: "true" }).andThen(
              () => scale(name, total, signal),
            );
          }),
        ),
      ),
    );

  const rollback = (
    target: DeployTarget,
    { signal }: CallOptions,
  ): ResultAsync<void, ShipgateError> =>
    guard(signal, () =>
      resolve(target).asyncAndThen(({ name, canary: canaryName, image }) =>
        getStable(name, signal).andThen((stable) => {
          const total = recordedReplicas(stable);
          // Promoted already (the stable runs this release's image): the image it ran before,
          // as `promote` recorded it, goes back.
          const previous = stable.metadata.annotations?.[PREVIOUS_IMAGE_ANNOTATION];
          const restore = previous && imageOf(stable) === image ? previous : null;
          // The canary goes first (a promote cut short may also have left one).
          return removeCanary(canaryName, signal).andThen(() =>
            restore
              ? setStableImage(name, restore, signal, () => ({
                  [PREVIOUS_IMAGE_ANNOTATION]: null,
                })).andThen((replicas) =>
                  waitFor(
                    name,
                    `to run ${restore} on all replicas again`,
                    signal,
                    runsOnAllReplicas(restore, replicas),
                  ),
                )
              : scale(name, total, signal, { [STABLE_REPLICAS_ANNOTATION]: null }),
          );
        }),
      ),
    );

  const status = (
    target: DeployTarget,
    { signal }: CallOptions,
  ): ResultAsync<DeploymentStatus, ShipgateError> =>
    readTracks(target, signal, (_name, stable, canary): DeploymentStatus => {
      const stableReading = deploymentRolloutStatus(stable);
      const canaryReading = canary ? deploymentRolloutStatus(canary) : null;
      const aborted = canary?.metadata.annotations?.[CANARY_ABORTED_ANNOTATION] !== undefined;
      let phase: DeploymentPhase;
      let message: string | null = null;
      if (aborted) phase = "aborted";
      else if (stableReading.state === "degraded" || canaryReading?.state === "degraded") {
        phase = "degraded";
        message = (canaryReading?.state === "degraded" ? canaryReading : stableReading).message;
      } else if (stableReading.state === "progressing" || canaryReading?.state === "progressing") {
        phase = "progressing";
        message = (canaryReading?.state === "progressing" ? canaryReading : stableReading).message;
      } else phase = canary ? "paused" : "healthy";
      const canaryReady = canary?.status?.readyReplicas ?? 0;
      const weight =
        canary && !aborted ? replicaShareWeight(canaryReady, stable.status?.readyReplicas ?? 0) : 0;
      if (message === null && canary)
        message = `canary ${canaryReady} of ${canaryReady + (stable.status?.readyReplicas ?? 0)} ready pods`;
      return {
        phase,
        canaryWeight: weight,
        stableVersion: templateVersion(stable.spec.template, options, target),
        canaryVersion: canary
          ? (canary.metadata.annotations?.[CANARY_VERSION_ANNOTATION] ??
            templateVersion(canary.spec.template, options, target))
          : null,
        message,
      };
    });

  const verifyStable = (
    target: DeployTarget,
    { signal }: CallOptions,
  ): ResultAsync<StableVerification, ShipgateError> =>
    readTracks(target, signal, (name, stable, canary): StableVerification => {
      const ready = isDeploymentFullyReady(stable);
      const serving = ready && !canary;
      const replicas = stable.spec.replicas ?? 1;
      return {
        serving,
        stableVersion: templateVersion(stable.spec.template, options, target),
        message: serving
          ? `Deployment "${name}": ${stable.status?.readyReplicas ?? 0}/${replicas} ready, no canary`
          : canary
            ? `Canary Deployment "${canary.metadata.name}" still exists`
            : deploymentRolloutStatus(stable).message,
      };
    });

  return {
    name: "@shipgate/deploy-kubernetes (Deployment canary)",
    preflight,
    start,
    setWeight,
    status,
    promote,
    abort,
    rollback,
    verifyStable,
  };
}
