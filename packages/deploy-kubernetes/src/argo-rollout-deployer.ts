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
import { parseImageReference } from "./image-reference.js";
import { JSON_PATCH, type KubeClients, MERGE_PATCH } from "./kube-clients.js";
import { type ObjectApi, objectApi, REPLICA_SETS, ROLLOUTS, safely } from "./kube-object-api.js";
import {
  degradedCondition,
  getRolloutPhase,
  isFullyPromoted,
  isGenerationObserved,
  isUnpausing,
  PROGRESS_DEADLINE_EXCEEDED_REASON,
  ROLLOUT_ABORTED_REASON,
} from "./rollout-phase.js";
import {
  buildCanarySteps,
  currentSetWeight,
  isPausedAfterStep,
  planSetWeight,
} from "./rollout-steps.js";
import type { PodTemplateJson, ReplicaSetJson, RolloutJson } from "./rollout-types.js";
import { type WaitDecision, waitForStable } from "./wait-for-stable.js";

/** The label Argo Rollouts puts on a Rollout's ReplicaSets (and pods). */
export const ROLLOUT_POD_TEMPLATE_HASH_LABEL = "rollouts-pod-template-hash";
/** The ReplicaSet annotation holding the Rollout revision (what `undo` looks up). */
export const ROLLOUT_REVISION_ANNOTATION = "rollout.argoproj.io/revision";

/** Options of {@link createArgoRolloutDeployer}. */
export interface ArgoRolloutDeployerOptions extends WorkloadSettings {
  clients: KubeClients;
  /**
   * Weights written as `setWeight`/`pause` steps at start when the target does not carry the
   * release's own (`DeployTarget.canarySteps`, which the orchestrator always sets).
   */
  canarySteps: readonly number[];
  /** Bound on each wait for the controller (start, setWeight, promote, abort, rollback). */
  stepTimeoutMs: number;
}

/** Maps a Degraded Rollout onto an error carrying the controller's own message. */
export function degradedError(rollout: RolloutJson, what: string): ShipgateError {
  const reading = getRolloutPhase(rollout);
  const condition = degradedCondition(rollout);
  const name = rollout.metadata.name ?? "";
  const message = `Rollout "${name}" is Degraded while waiting for ${what}: ${reading.message}`;
  const options = { vendorMessage: condition?.message || reading.message, retryable: false };
  if (condition?.reason === PROGRESS_DEADLINE_EXCEEDED_REASON) {
    return new ShipgateError("timeout", message, {
      ...options,
      hint: "The new pods did not become available within progressDeadlineSeconds; look at the canary ReplicaSet's pods",
    });
  }
  if (condition?.reason === ROLLOUT_ABORTED_REASON) {
    return new ShipgateError("conflict", message, {
      ...options,
      hint: "Someone aborted the Rollout",
    });
  }
  return new ShipgateError("bad_query", message, options);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

function withoutHashLabel(template: PodTemplateJson | undefined): PodTemplateJson {
  const copy = structuredClone(template ?? {});
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[ROLLOUT_POD_TEMPLATE_HASH_LABEL];
    if (Object.keys(copy.metadata.labels).length === 0) delete copy.metadata.labels;
  }
  return copy;
}

/**
 * The canary's traffic weight as the controller reported it (`status.canary.weights`),
 * or `null` when a Rollout with trafficRouting carries none (controllers before the
 * field existed, or a router that has not reported yet): unknown, not zero.
 */
export function reportedCanaryWeight(rollout: RolloutJson): number | null {
  return rollout.status?.canary?.weights?.canary.weight ?? null;
}

/**
 * The canary's share of traffic as the plugin shows it: the router's weight with
 * trafficRouting (the current step's `setWeight` when the controller reported none),
 * else the canary ReplicaSet's available pods over all available pods; 0 when nothing
 * is in flight or the Rollout is aborted.
 */
export function rolloutCanaryWeight(rollout: RolloutJson, replicaSets: ReplicaSetJson[]): number {
  const status = rollout.status ?? {};
  if (isFullyPromoted(rollout) || status.abort) return 0;
  if (rollout.spec.strategy?.canary?.trafficRouting) {
    return reportedCanaryWeight(rollout) ?? currentSetWeight(rollout);
  }
  const available = status.availableReplicas ?? 0;
  if (available === 0) return 0;
  const canary = replicaSets.find(
    (rs) => rs.metadata.labels?.[ROLLOUT_POD_TEMPLATE_HASH_LABEL] === status.currentPodHash,
  );
  return Math.floor(((canary?.status?.availableReplicas ?? 0) * 100) / available);
}

function ownedReplicaSets(rollout: RolloutJson, all: ReplicaSetJson[]): ReplicaSetJson[] {
  return all.filter((rs) =>
    rs.metadata.ownerReferences?.some((o) => o.controller && o.uid === rollout.metadata.uid),
  );
}

function selectorString(rollout: RolloutJson): string {
  return Object.entries(rollout.spec.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

/**
 * A {@link Deployer} driving an Argo Rollouts `Rollout` through the Kubernetes API — the
 * same requests `kubectl argo rollouts` sends, without the plugin:
 * - `start`: one update setting the image and the steps `pause{}, setWeight w, pause{}, …`
 *   (from `canarySteps`), so the controller creates the canary and pauses at weight 0;
 * - `setWeight`: the plugin's promote (`{"status":{"pauseConditions":null}}`, with
 *   `currentStepIndex` when skipping) — resolves once paused after that weight;
 * - `promote`: `promote --full`; `abort`: `{"status":{"abort":true}}`;
 * - `rollback`: `undo` to the stable ReplicaSet's template (JSON patch of `/spec/template`).
 * Every action waits on a watch of the Rollout until the controller applied it.
 */
export function createArgoRolloutDeployer(options: ArgoRolloutDeployerOptions): Deployer {
  const { clients } = options;
  const rollouts: ObjectApi<RolloutJson> = objectApi(clients, ROLLOUTS);
  const replicaSets: ObjectApi<ReplicaSetJson> = objectApi(clients, REPLICA_SETS);
  const weights = [...options.canarySteps];

  const where = () => `namespace "${clients.namespace}" (context "${clients.context}")`;

  const notFound = (name: string) =>
    new ShipgateError("not_found", `Rollout "${name}" not found in ${where()}`, {
      hint: "Check `name`, `namespace` and `context` in the provider options",
    });

  const getRollout = (name: string, signal: AbortSignal) =>
    rollouts
      .find(name, signal)
      .andThen((ro) => (ro ? okAsync(ro) : errAsync<RolloutJson, ShipgateError>(notFound(name))));

  const listOwned = (ro: RolloutJson, signal: AbortSignal) =>
    replicaSets.list(selectorString(ro), signal).map((all) => ownedReplicaSets(ro, all));

  const wait = (
    name: string,
    what: string,
    signal: AbortSignal,
    done: (ro: RolloutJson) => boolean,
    tolerateDegraded = false,
  ) =>
    waitForStable<RolloutJson>({
      clients,
      collectionPath: rollouts.collectionPath,
      name,
      read: (s) => rollouts.find(name, s),
      timeoutMs: options.stepTimeoutMs,
      signal,
      what: `Rollout "${name}" ${what}`,
      evaluate: (ro): WaitDecision => {
        if (!ro) return { kind: "fail", error: notFound(name) };
        if (done(ro)) return { kind: "done" };
        const reading = getRolloutPhase(ro);
        if (!tolerateDegraded && reading.phase === "Degraded" && !isUnpausing(ro)) {
          return { kind: "fail", error: degradedError(ro, what) };
        }
        return {
          kind: "wait",
          progress: `${reading.phase}${reading.message ? `: ${reading.message}` : ""}`,
        };
      },
    });

  /**
   * The Rollout once the controller has observed its latest spec: decisions such as
   * "nothing in flight" are only sound then (a just-written template may not have a
   * currentPodHash yet).
   */
  const getObserved = (
    name: string,
    signal: AbortSignal,
  ): ResultAsync<RolloutJson, ShipgateError> =>
    getRollout(name, signal).andThen((ro) =>
      isGenerationObserved(ro)
        ? okAsync(ro)
        : wait(
            name,
            "to be observed by the controller",
            signal,
            isGenerationObserved,
            true,
          ).andThen(() => getRollout(name, signal)),
    );

  /** Status patch as the plugin sends it, falling back to the main object when the CRD has no status subresource. */
  const patchStatus = (
    name: string,
    statusPatch: Record<string, unknown>,
    unified: Record<string, unknown>,
    signal: AbortSignal,
  ) =>
    rollouts
      .patchStatus(name, statusPatch, MERGE_PATCH, signal)
      .orElse((e) =>
        e.kind === "not_found" ? rollouts.patch(name, unified, MERGE_PATCH, signal) : errAsync(e),
      );

  const unpauseIfPaused = (
    ro: RolloutJson,
    signal: AbortSignal,
  ): ResultAsync<unknown, ShipgateError> =>
    ro.spec.paused
      ? rollouts.patch(ro.metadata.name ?? "", { spec: { paused: false } }, MERGE_PATCH, signal)
      : okAsync(undefined);

  /** `kubectl argo rollouts promote --full`: unpauses `ro` and skips its remaining steps. */
  const promoteFull = (name: string, ro: RolloutJson, signal: AbortSignal) =>
    unpauseIfPaused(ro, signal).andThen(() =>
      patchStatus(
        name,
        { status: { promoteFull: true } },
        { spec: { paused: false }, status: { promoteFull: true } },
        signal,
      ),
    );

  const runsImage = (ro: RolloutJson, image: string) =>
    findContainer(ro.spec.template, options.container)
      .map((c) => c.image === image)
      .unwrapOr(false);

  const guard = <T>(signal: AbortSignal, run: () => ResultAsync<T, ShipgateError>) =>
    signal.aborted ? errAsync<T, ShipgateError>(abortedError(signal)) : safely(run);

  const resolve = (target: DeployTarget) =>
    workloadName(options, target).andThen((name) =>
      targetImage(options, target).map((image) => ({ name, image })),
    );

  const preflight = (
    target: DeployTarget,
    { signal }: CallOptions,
  ): ResultAsync<PreflightReport, ShipgateError> =>
    guard(signal, () => {
      const nameResult = workloadName(options, target);
      if (nameResult.isErr()) return errAsync(nameResult.error);
      const name = nameResult.value;
      const problems: string[] = [];
      const facts: Record<string, string> = {
        kind: "Rollout",
        name,
        namespace: clients.namespace,
        context: clients.context,
      };
      const image = targetImage(options, target);
      if (image.isErr()) problems.push(image.error.message);
      else facts.image = image.value;
      return rollouts.find(name, signal).map((ro): PreflightReport => {
        if (!ro) {
          problems.unshift(`Rollout "${name}" not found in ${where()}`);
          return { ok: false, problems, stableVersion: null, facts };
        }
        const canary = ro.spec.strategy?.canary;
        if (ro.spec.workloadRef) {
          problems.push(
            `Rollout "${name}" uses spec.workloadRef; shipgate sets the image on spec.template and needs it inline`,
          );
        }
        if (!canary) {
          problems.push(
            `Rollout "${name}" does not use the canary strategy${ro.spec.strategy?.blueGreen ? " (it is blueGreen)" : ""}; shipgate drives canary weights`,
          );
        } else {
          facts.strategy = canary.trafficRouting
            ? `canary (trafficRouting: ${Object.keys(canary.trafficRouting).join(", ")})`
            : "canary (weights by replica count)";
        }
        if (ro.spec.paused)
          problems.push(`Rollout "${name}" is paused (spec.paused is true); resume it first`);
        if (ro.status?.abort) {
          problems.push(
            `Rollout "${name}" is aborted (status.abort is true); undo or retry it first`,
          );
        }
        if ((ro.status?.pauseConditions?.length ?? 0) > 0) {
          problems.push(
            `Rollout "${name}" is paused at step ${ro.status?.currentStepIndex ?? 0} (${ro.status?.pauseConditions?.map((p) => p.reason).join(", ")}); another release is in flight`,
          );
        } else if (!isFullyPromoted(ro)) {
          problems.push(`Rollout "${name}" has an update in flight (currentPodHash ≠ stableRS)`);
        }
        const reading = getRolloutPhase(ro);
        facts.phase = reading.phase;
        if (reading.phase === "Degraded" && !ro.status?.abort) {
          problems.push(`Rollout "${name}" is Degraded: ${reading.message}`);
        }
        const container = findContainer(ro.spec.template, options.container);
        if (container.isErr()) problems.push(`Rollout "${name}" ${container.error}`);
        else {
          facts.container = container.value.name;
          facts.currentImage = container.value.image ?? "";
          const current = parseImageReference(container.value.image ?? "");
          if (current.isErr()) facts.currentImageProblem = current.error;
          if (image.isOk() && container.value.image === image.value && isFullyPromoted(ro)) {
            problems.push(`Rollout "${name}" already runs ${image.value}`);
          }
        }
        facts.replicas = String(ro.spec.replicas ?? 1);
        const stableVersion = isFullyPromoted(ro)
          ? templateVersion(ro.spec.template, options, target)
          : null;
        return { ok: problems.length === 0, problems, stableVersion, facts };
      });
    });

  const start = (target: DeployTarget, { signal }: CallOptions): ResultAsync<void, ShipgateError> =>
    guard(signal, () =>
      resolve(target).asyncAndThen(({ name, image }) => {
        /** Resolves to true once our update is written, false when it was already there. */
        const attempt = (left: number): ResultAsync<boolean, ShipgateError> =>
          getRollout(name, signal).andThen((ro) => {
            const canary = ro.spec.strategy?.canary;
            if (!canary || ro.spec.workloadRef) {
              return errAsync(
                new ShipgateError(
                  "precondition_failed",
                  `Rollout "${name}" must use an inline template and the canary strategy`,
                ),
              );
            }
            const container = findContainer(ro.spec.template, options.container);
            if (container.isErr()) {
              return errAsync(
                new ShipgateError("precondition_failed", `Rollout "${name}" ${container.error}`, {
                  field: "with.container",
                }),
              );
            }
            if (container.value.image === image && isFullyPromoted(ro)) {
              return errAsync(
                new ShipgateError(
                  "precondition_failed",
                  `Rollout "${name}" already runs ${image} as its stable version`,
                ),
              );
            }
            if (container.value.image === image) return okAsync(false); // a retried start
            // As `kubectl argo rollouts set image`: rewrite the object and update it, with
            // the steps in the same update so the controller starts at our first pause.
            container.value.image = image;
            // The release's own steps win over the configured default.
            canary.steps = buildCanarySteps(target.canarySteps ?? weights);
            return rollouts
              .replace(name, ro, signal)
              .map(() => true)
              .orElse((e) => (e.kind === "conflict" && left > 0 ? attempt(left - 1) : errAsync(e)));
          });
        return attempt(3).andThen((wrote) =>
          wrote
            ? wait(
                name,
                `to start ${image} as a paused canary`,
                signal,
                (ro) =>
                  isGenerationObserved(ro) &&
                  !isFullyPromoted(ro) &&
                  runsImage(ro, image) &&
                  isPausedAfterStep(ro, -1),
              )
            : okAsync(undefined),
        );
      }),
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
      return resolve(target).asyncAndThen(({ name, image }) =>
        getObserved(name, signal).andThen((ro) => {
          if (!runsImage(ro, image) || isFullyPromoted(ro)) {
            return errAsync(
              new ShipgateError(
                "precondition_failed",
                `Rollout "${name}" is not running a canary of ${image}; call start first`,
              ),
            );
          }
          if (ro.status?.abort) {
            return errAsync(
              new ShipgateError("precondition_failed", `Rollout "${name}" is aborted`),
            );
          }
          const plan = planSetWeight(ro, weight, target.canarySteps ?? weights);
          const send: ResultAsync<unknown, ShipgateError> =
            plan.kind === "noop"
              ? okAsync(undefined)
              : plan.kind === "promote"
                ? unpauseIfPaused(ro, signal).andThen(() =>
                    patchStatus(
                      name,
                      plan.statusPatch,
                      { spec: { paused: false }, ...plan.statusPatch },
                      signal,
                    ),
                  )
                : rollouts.patch(
                    name,
                    { spec: { strategy: { canary: { steps: plan.steps } } } },
                    MERGE_PATCH,
                    signal,
                  );
          return send.andThen(() =>
            wait(
              name,
              `to reach weight ${weight}%`,
              signal,
              (current) =>
                isGenerationObserved(current) &&
                !isUnpausing(current) &&
                isPausedAfterStep(current, plan.targetIndex),
            ),
          );
        }),
      );
    });

  const promote = (
    target: DeployTarget,
    { signal }: CallOptions,
  ): ResultAsync<void, ShipgateError> =>
    guard(signal, () =>
      resolve(target).asyncAndThen(({ name, image }) =>
        getObserved(name, signal).andThen((ro) => {
          const healthy = (r: RolloutJson) =>
            isGenerationObserved(r) &&
            isFullyPromoted(r) &&
            !isUnpausing(r) &&
            getRolloutPhase(r).phase === "Healthy";
          if (!runsImage(ro, image)) {
            return errAsync(
              new ShipgateError(
                "precondition_failed",
                `Rollout "${name}" does not run ${image}; nothing to promote`,
              ),
            );
          }
          if (healthy(ro)) return okAsync(undefined);
          return promoteFull(name, ro, signal).andThen(() =>
            wait(name, `to promote ${image} to stable`, signal, healthy),
          );
        }),
      ),
    );

  const abort = (target: DeployTarget, { signal }: CallOptions): ResultAsync<void, ShipgateError> =>
    guard(signal, () =>
      resolve(target).asyncAndThen(({ name }) =>
        getObserved(name, signal).andThen((ro) => {
          if (isFullyPromoted(ro)) return okAsync(undefined); // no canary in flight
          const applied = (r: RolloutJson) => {
            const routed = r.spec.strategy?.canary?.trafficRouting !== undefined;
            // A router that reports no weight cannot be waited on; verifyStable fails closed on it.
            const drained = routed
              ? (reportedCanaryWeight(r) ?? 0) === 0
              : (r.status?.updatedReplicas ?? 0) === 0;
            return (
              r.status?.abort === true &&
              degradedCondition(r)?.reason === ROLLOUT_ABORTED_REASON &&
              drained &&
              (r.status?.availableReplicas ?? 0) >= (r.spec.replicas ?? 1)
            );
          };
          return patchStatus(
            name,
            { status: { abort: true } },
            { status: { abort: true } },
            signal,
          ).andThen(() =>
            wait(name, "to abort (all traffic back to stable)", signal, applied, true),
          );
        }),
      ),
    );

  const rollback = (
    target: DeployTarget,
    { signal }: CallOptions,
  ): ResultAsync<void, ShipgateError> =>
    guard(signal, () =>
      resolve(target).asyncAndThen(({ name }) =>
        getObserved(name, signal).andThen((ro) => {
          const restored = (r: RolloutJson) =>
            isGenerationObserved(r) &&
            isFullyPromoted(r) &&
            r.status?.abort !== true &&
            getRolloutPhase(r).phase === "Healthy";
          // Promoted to the release's version (a later breach, or another environment's in
          // a release with waves): undo to the newest revision of another version.
          const promotedToTarget =
            isFullyPromoted(ro) &&
            templateVersion(ro.spec.template, options, target) === target.version;
          if (isFullyPromoted(ro) && !ro.status?.abort && !promotedToTarget) {
            return wait(name, "to be healthy on its stable version", signal, restored);
          }
          return listOwned(ro, signal).andThen((owned) => {
            const revision = (rs: ReplicaSetJson) =>
              Number(rs.metadata.annotations?.[ROLLOUT_REVISION_ANNOTATION] ?? 0);
            const newestFirst = [...owned].sort((a, b) => revision(b) - revision(a));
            // The stable ReplicaSet; without one, the plugin's default: the previous revision.
            const stable = promotedToTarget
              ? newestFirst.find(
                  (rs) => templateVersion(rs.spec?.template, options, target) !== target.version,
                )
              : (owned.find(
                  (rs) =>
                    rs.metadata.labels?.[ROLLOUT_POD_TEMPLATE_HASH_LABEL] === ro.status?.stableRS,
                ) ?? newestFirst[1]);
            if (!stable) {
              return errAsync(
                new ShipgateError(
                  "precondition_failed",
                  `Rollout "${name}" has no previous revision to undo to`,
                ),
              );
            }
            const template = withoutHashLabel(stable.spec?.template);
            if (stableJson(withoutHashLabel(ro.spec.template)) === stableJson(template)) {
              return wait(name, "to roll back to its stable version", signal, restored);
            }
            // `kubectl argo rollouts undo`: a JSON patch replacing the whole pod template.
            const undone = rollouts.patch(
              name,
              [{ op: "replace", path: "/spec/template", value: template }],
              JSON_PATCH,
              signal,
            );
            // Undoing a promoted version starts a canary of the old one: `promote --full`
            // takes it to stable at once, as an emergency rollback does.
            const full = promotedToTarget
              ? undone
                  .andThen(() => getObserved(name, signal))
                  .andThen((back) => promoteFull(name, back, signal))
              : undone;
            return full.andThen(() =>
              wait(name, "to roll back to its stable version", signal, restored),
            );
          });
        }),
      ),
    );

  const phaseOf = (ro: RolloutJson): DeploymentPhase => {
    const reading = getRolloutPhase(ro);
    switch (reading.phase) {
      case "Healthy":
        return "healthy";
      case "Paused":
        return "paused";
      case "Progressing":
        return "progressing";
      case "Degraded":
        return degradedCondition(ro)?.reason === ROLLOUT_ABORTED_REASON ? "aborted" : "degraded";
      default:
        return "unknown";
    }
  };

  const status = (
    target: DeployTarget,
    { signal }: CallOptions,
  ): ResultAsync<DeploymentStatus, ShipgateError> =>
    guard(signal, () =>
      workloadName(options, target).asyncAndThen((name) =>
        getRollout(name, signal).andThen((ro) => {
          const promoted = isFullyPromoted(ro);
          const sets: ResultAsync<ReplicaSetJson[], ShipgateError> = promoted
            ? okAsync([])
            : listOwned(ro, signal);
          return sets.map((owned): DeploymentStatus => {
            const stableRS = owned.find(
              (rs) => rs.metadata.labels?.[ROLLOUT_POD_TEMPLATE_HASH_LABEL] === ro.status?.stableRS,
            );
            const reading = getRolloutPhase(ro);
            return {
              phase: phaseOf(ro),
              canaryWeight: rolloutCanaryWeight(ro, owned),
              stableVersion: templateVersion(
                promoted ? ro.spec.template : stableRS?.spec?.template,
                options,
                target,
              ),
              canaryVersion: promoted ? null : templateVersion(ro.spec.template, options, target),
              message: reading.message || null,
            };
          });
        }),
      ),
    );

  const verifyStable = (
    target: DeployTarget,
    { signal }: CallOptions,
  ): ResultAsync<StableVerification, ShipgateError> =>
    guard(signal, () =>
      workloadName(options, target).asyncAndThen((name) =>
        getRollout(name, signal).map((ro): StableVerification => {
          const reading = getRolloutPhase(ro);
          const healthy =
            isGenerationObserved(ro) &&
            isFullyPromoted(ro) &&
            !ro.status?.abort &&
            reading.phase === "Healthy";
          // With a traffic router, "all traffic on stable" is the router's word; a weight
          // the controller did not report is unknown, never taken as 0 (fail closed).
          const routed = ro.spec.strategy?.canary?.trafficRouting !== undefined;
          const canaryWeight = routed ? reportedCanaryWeight(ro) : 0;
          const stableVersion = isFullyPromoted(ro)
            ? templateVersion(ro.spec.template, options, target)
            : null;
          // The release's own version serving is not the previous stable one serving again.
          const serving = healthy && canaryWeight === 0 && stableVersion !== target.version;
          return {
            serving,
            stableVersion,
            message: serving
              ? `Rollout "${name}" is Healthy: stable ${stableVersion ?? "version"} serves 100% (${ro.status?.availableReplicas ?? 0}/${ro.spec.replicas ?? 1} available)`
              : healthy && canaryWeight === 0 && stableVersion === target.version
                ? `Rollout "${name}" is Healthy on the release's own version ${stableVersion}: not rolled back`
                : healthy && canaryWeight === null
                  ? `Rollout "${name}" is Healthy on ${stableVersion ?? "its stable version"}, but the controller reported no traffic weights (status.canary.weights is missing), so the canary's share of traffic is unknown: not verified`
                  : healthy
                    ? `Rollout "${name}" is Healthy, but the router still sends ${canaryWeight}% to the canary`
                    : `${reading.phase}${reading.message ? `: ${reading.message}` : ""}`,
          };
        }),
      ),
    );

  return {
    name: "@shipgate/deploy-kubernetes (Argo Rollout)",
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
