import { type DeploymentStatus, type DeployTarget, ShipgateError } from "@shipgate/core";
import {
  DEPLOYMENTS,
  type DeploymentLike,
  deploymentRolloutStatus,
  objectApi,
} from "@shipgate/deploy-kubernetes";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import type { CanaryMode, ModePreflight, WorkloadReading } from "./canary-mode.js";
import type { HelmContext } from "./helm-context.js";
import { type HelmValues, valueAt } from "./helm-release.js";
import type { ValuesCanaryMode } from "./helm-settings.js";
import { manifestImages, manifestObjects } from "./manifest-objects.js";

/**
 * Mode (b): the chart has a canary values switch. Every action is one
 * `helm upgrade --reuse-values --set … --wait`:
 * - start: `canary.enabled=true, canary.weight=0, canary.image.tag=<version>`;
 * - setWeight: `canary.weight=<w>`;
 * - promote: `image.tag=<version>, canary.enabled=false, canary.weight=0`;
 * - abort: `canary.enabled=false, canary.weight=0`.
 * The weight reported is the one the deployed revision carries (helm's `--wait` has seen
 * its workloads ready).
 */
export function valuesCanaryMode(ctx: HelmContext, mode: ValuesCanaryMode): CanaryMode {
  const { reader, settings } = ctx;
  const values = (release: string, signal: AbortSignal) =>
    reader.values(release, { signal }, { all: true });
  const canaryOn = (v: HelmValues) => valueAt(v, mode.enabledPath) === true;
  const weightOf = (v: HelmValues) => {
    const w = Number(valueAt(v, mode.weightPath) ?? 0);
    return Number.isFinite(w) ? w : 0;
  };
  const tag = (v: HelmValues, path: string) => {
    const t = valueAt(v, path);
    return typeof t === "string" && t !== "" ? t : null;
  };

  const off = [
    { path: mode.enabledPath, value: false },
    { path: mode.weightPath, value: 0 },
  ];

  const workload = (
    release: string,
    _target: DeployTarget,
    signal: AbortSignal,
  ): ResultAsync<WorkloadReading, ShipgateError> =>
    reader.manifest(release, { signal }).andThen((manifest) => {
      const names = manifestObjects(manifest)
        .filter((o) => o.kind === "Deployment")
        .map((o) => o.name);
      const clients = ctx.clients();
      if (clients.isErr()) return errAsync(clients.error);
      const api = objectApi<DeploymentLike>(clients.value, DEPLOYMENTS);
      return ResultAsync.combine(names.map((n) => api.find(n, signal))).map(
        (found): WorkloadReading => {
          const notReady: string[] = [];
          found.forEach((d, i) => {
            if (!d) notReady.push(`Deployment "${names[i]}" is missing`);
            else {
              const reading = deploymentRolloutStatus(d);
              if (reading.state !== "complete") notReady.push(reading.message);
            }
          });
          return notReady.length === 0
            ? {
                ready: true,
                message: `${names.length} Deployment(s) ready (${names.join(", ") || "none"})`,
              }
            : { ready: false, message: notReady.join("; ") };
        },
      );
    });

  return {
    label: `values switch (${mode.enabledPath}, ${mode.weightPath}, ${mode.imageTagPath})`,
    start: (release, target, signal) =>
      values(release, signal).andThen((v) => {
        if (tag(v, settings.imageTagPath) === target.version && !canaryOn(v)) {
          return errAsync(
            new ShipgateError(
              "precondition_failed",
              `Release "${release}" already runs ${target.version} as its stable version`,
            ),
          );
        }
        if (canaryOn(v) && tag(v, mode.imageTagPath) === target.version) return okAsync(undefined); // a retried start
        const stable = tag(v, settings.imageTagPath);
        return ctx
          .upgrade(
            release,
            [
              // The values files are passed again: keep the stable tag what it is now.
              ...(stable ? [{ path: settings.imageTagPath, value: stable, string: true }] : []),
              { path: mode.enabledPath, value: true },
              { path: mode.weightPath, value: 0 },
              { path: mode.imageTagPath, value: target.version, string: true },
            ],
            { reuse: true, valuesFiles: true },
            signal,
          )
          .map(() => undefined);
      }),
    setWeight: (release, target, weight, signal) =>
      values(release, signal).andThen((v) => {
        if (!canaryOn(v) || tag(v, mode.imageTagPath) !== target.version) {
          return errAsync(
            new ShipgateError(
              "precondition_failed",
              `Release "${release}" is not running a canary of ${target.version}; call start first`,
            ),
          );
        }
        if (weightOf(v) === weight) return okAsync(undefined);
        return ctx
          .upgrade(release, [{ path: mode.weightPath, value: weight }], { reuse: true }, signal)
          .map(() => undefined);
      }),
    promote: (release, target, signal) =>
      values(release, signal).andThen((v) => {
        if (tag(v, settings.imageTagPath) === target.version && !canaryOn(v))
          return okAsync(undefined);
        if (!canaryOn(v) || tag(v, mode.imageTagPath) !== target.version) {
          return errAsync(
            new ShipgateError(
              "precondition_failed",
              `Release "${release}" does not run a canary of ${target.version}; nothing to promote`,
            ),
          );
        }
        return ctx
          .upgrade(
            release,
            [{ path: settings.imageTagPath, value: target.version, string: true }, ...off],
            { reuse: true },
            signal,
          )
          .map(() => undefined);
      }),
    abort: (release, _target, signal) =>
      values(release, signal).andThen((v) =>
        canaryOn(v)
          ? ctx.upgrade(release, off, { reuse: true }, signal).map(() => undefined)
          : okAsync(undefined),
      ),
    status: (release, _target, signal) =>
      reader.status(release, { signal }).andThen((s) => {
        if (!s) {
          return errAsync(new ShipgateError("not_found", `Release "${release}" not found`));
        }
        return values(release, signal).map((v): DeploymentStatus => {
          const on = canaryOn(v);
          const helmStatus = s.info.status;
          return {
            phase:
              helmStatus === "deployed"
                ? on
                  ? "paused"
                  : "healthy"
                : helmStatus === "failed"
                  ? "degraded"
                  : helmStatus.startsWith("pending-")
                    ? "progressing"
                    : "unknown",
            canaryWeight: on ? weightOf(v) : 0,
            stableVersion: tag(v, settings.imageTagPath),
            canaryVersion: on ? tag(v, mode.imageTagPath) : null,
            message: `revision ${s.version} ${helmStatus}${s.info.description ? `: ${s.info.description}` : ""}`,
          };
        });
      }),
    // `helm rollback --wait` has already waited for the Deployments.
    settle: () => okAsync(undefined),
    workload,
    preflight: (release, target, rendered, signal) =>
      // The switch must exist: with it on, the chart renders the canary's image.
      ctx
        .template(
          release,
          [
            { path: mode.enabledPath, value: true },
            { path: mode.weightPath, value: 5 },
            { path: mode.imageTagPath, value: target.version, string: true },
          ],
          signal,
        )
        .andThen((withCanary) =>
          values(release, signal)
            .orElse(() => okAsync<HelmValues, ShipgateError>({}))
            .map((current) => ({ withCanary, current })),
        )
        .map(({ withCanary, current }): ModePreflight => {
          const problems: string[] = [];
          if (canaryOn(current)) {
            problems.push(
              `Release "${release}" has a canary in flight (${mode.enabledPath} is true, ${tag(current, mode.imageTagPath) ?? "no tag"} at ${weightOf(current)}%); finish or abort it first`,
            );
          }
          const canaryImages = manifestImages(manifestObjects(withCanary)).filter((i) =>
            i.endsWith(`:${target.version}`),
          );
          const plainImages = manifestImages(manifestObjects(rendered));
          if (canaryImages.length === 0) {
            problems.push(
              `The chart renders no image tagged ${target.version} with ${mode.enabledPath}=true and ${mode.imageTagPath}=${target.version}: set the canary values paths to the chart's own switch`,
            );
          }
          return {
            problems,
            facts: {
              canaryImages: canaryImages.join(", "),
              images: [...new Set(plainImages)].join(", "),
            },
          };
        })
        .orElse((e) =>
          okAsync<ModePreflight, ShipgateError>({
            problems: [
              `helm template with ${mode.enabledPath}=true failed: ${e.vendorMessage ?? e.message}`,
            ],
            facts: {},
          }),
        ),
  };
}
