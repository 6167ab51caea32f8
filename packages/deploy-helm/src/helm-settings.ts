import type { DeployTarget } from "@shipgate/core";
import { ShipgateError } from "@shipgate/core";
import { renderTemplate } from "@shipgate/deploy-kubernetes";
import { err, ok, type Result } from "neverthrow";

/** Mode (b): the chart has a canary values switch. */
export interface ValuesCanaryMode {
  kind: "values";
  /** Boolean turning the canary on (default `canary.enabled`). */
  enabledPath: string;
  /** The canary's share of traffic, 0–100 (default `canary.weight`). */
  weightPath: string;
  /** The canary's image tag (default `canary.image.tag`). */
  imageTagPath: string;
}

/** Mode (a): the chart renders an Argo Rollout; weights are driven on it. */
export interface RolloutCanaryMode {
  kind: "rollout";
  /** The Rollout's name; may use `{{release}}`, `{{service}}`, `{{environment}}` (default `{{release}}`). */
  rolloutName: string;
  /** Container whose image the chart sets; optional when the pod has one. */
  container?: string;
  /** Weights written as steps when the target carries none (`DeployTarget.canarySteps`). */
  canarySteps: readonly number[];
}

/** What every helm call of one deployer shares. */
export interface HelmReleaseSettings {
  /** Release name template (default `{{service}}`), `{{service}}` / `{{environment}}`. */
  releaseTemplate: string;
  /** Chart: a local path (relative to `cwd`), `repo/chart`, or `oci://…`. */
  chart: string;
  /** `--version` of the chart (repo and OCI charts). */
  chartVersion?: string;
  /** The user's values files (`-f`), relative to `cwd`. */
  valuesFiles: readonly string[];
  /** Values path of the stable image tag (default `image.tag`). */
  imageTagPath: string;
  /** Install the release when it does not exist yet. */
  install: boolean;
  /** helm's `--timeout` for `--wait`, in seconds. */
  waitTimeoutSeconds: number;
  mode: ValuesCanaryMode | RolloutCanaryMode;
}

const releaseName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The release name of a target, validated as helm validates it (DNS-1123, ≤ 53). */
export function helmReleaseName(
  settings: HelmReleaseSettings,
  target: DeployTarget,
): Result<string, ShipgateError> {
  const name = renderTemplate(settings.releaseTemplate, {
    service: target.service,
    environment: target.environment,
    version: target.version,
    sha: target.sha,
  });
  if (name.length > 53 || !releaseName.test(name)) {
    return err(
      new ShipgateError("invalid_input", `"${name}" is not a valid helm release name`, {
        field: "with.release",
        hint: "Lowercase letters, digits, '-' and '.', at most 53 characters",
      }),
    );
  }
  return ok(name);
}

/** The values paths that carry a version, for telling which revisions a release made. */
export function versionPaths(settings: HelmReleaseSettings): string[] {
  return settings.mode.kind === "values"
    ? [settings.imageTagPath, settings.mode.imageTagPath]
    : [settings.imageTagPath];
}
