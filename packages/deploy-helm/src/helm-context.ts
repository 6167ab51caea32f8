import type { ShipgateError } from "@shipgate/core";
import type { KubeClients } from "@shipgate/deploy-kubernetes";
import type { Result, ResultAsync } from "neverthrow";
import type { HelmReleaseReader } from "./helm-release.js";
import type { HelmReleaseSettings } from "./helm-settings.js";
import { type HelmOutput, type HelmRunner, runHelm } from "./run-helm.js";

/** One `--set` (or `--set-string`) of a helm upgrade. */
export interface HelmSet {
  path: string;
  value: string | number | boolean;
  /** `--set-string`: keep the value a string (`1.10` stays `"1.10"`). */
  string?: boolean;
}

/** How an upgrade is run. */
export interface UpgradeOptions {
  /** `--reuse-values`: start from the release's last values. */
  reuse: boolean;
  /** `--install` (only when the release does not exist yet). */
  install?: boolean;
  /** Pass the user's values files (`-f`). */
  valuesFiles?: boolean;
}

/** What the deployer's parts share: the runner, the reader, the settings, the clients. */
export interface HelmContext {
  runner: HelmRunner;
  reader: HelmReleaseReader;
  settings: HelmReleaseSettings;
  /** Kubernetes API clients for the same kubeconfig, context and namespace. */
  clients(): Result<KubeClients, ShipgateError>;
  /** `helm upgrade <release> <chart> … --wait --timeout <s>s` (never `--atomic`). */
  upgrade(
    release: string,
    sets: readonly HelmSet[],
    options: UpgradeOptions,
    signal: AbortSignal,
  ): ResultAsync<HelmOutput, ShipgateError>;
  /** `helm template <release> <chart>` with the user's values files and `sets`. */
  template(
    release: string,
    sets: readonly HelmSet[],
    signal: AbortSignal,
  ): ResultAsync<string, ShipgateError>;
}

function setArgs(sets: readonly HelmSet[]): string[] {
  // helm splits --set on commas; a value carrying one must escape it.
  return sets.flatMap((s) => [
    s.string ? "--set-string" : "--set",
    `${s.path}=${String(s.value).replace(/\\/g, "\\\\").replace(/,/g, "\\,")}`,
  ]);
}

/** Builds the shared upgrade and template commands over a runner. */
export function helmCommands(
  runner: HelmRunner,
  settings: HelmReleaseSettings,
): Pick<HelmContext, "upgrade" | "template"> {
  const chartArgs = [...(settings.chartVersion ? ["--version", settings.chartVersion] : [])];
  const files = settings.valuesFiles.flatMap((f) => ["-f", f]);
  return {
    upgrade: (release, sets, options, signal) =>
      runHelm(
        runner,
        [
          "upgrade",
          release,
          settings.chart,
          ...(options.install ? ["--install"] : []),
          ...(options.reuse ? ["--reuse-values"] : []),
          ...chartArgs,
          ...(options.valuesFiles ? files : []),
          ...setArgs(sets),
          "--wait",
          "--timeout",
          `${settings.waitTimeoutSeconds}s`,
        ],
        signal,
      ),
    template: (release, sets, signal) =>
      runHelm(
        runner,
        ["template", release, settings.chart, ...chartArgs, ...files, ...setArgs(sets)],
        signal,
      ).map((out) => out.stdout),
  };
}
