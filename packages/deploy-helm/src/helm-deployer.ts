import { KubeConfig } from "@kubernetes/client-node";
import {
  abortedError,
  type CallOptions,
  type Deployer,
  type DeployTarget,
  type ProviderPreparation,
  ShipgateError,
  type StableVerification,
} from "@shipgate/core";
import { type KubeClients, makeKubeClients } from "@shipgate/deploy-kubernetes";
import { err, errAsync, ok, okAsync, type Result, ResultAsync } from "neverthrow";
import type { CanaryMode } from "./canary-mode.js";
import { type HelmContext, helmCommands } from "./helm-context.js";
import { runHelmPreflight } from "./helm-preflight.js";
import { helmPreparation } from "./helm-preparation.js";
import {
  describeRevision,
  type HelmReleaseReader,
  type HelmRevision,
  helmReleaseReader,
  valueAt,
} from "./helm-release.js";
import { type HelmReleaseSettings, helmReleaseName, versionPaths } from "./helm-settings.js";
import {
  isRevisionOf,
  previousRevision,
  type RevisionWithValues,
  rolledBackTo,
} from "./previous-revision.js";
import { rolloutCanaryMode } from "./rollout-canary-mode.js";
import { type HelmRunner, runHelm } from "./run-helm.js";
import { valuesCanaryMode } from "./values-canary-mode.js";

/** Options of {@link createHelmDeployer}. */
export interface HelmDeployerOptions extends HelmReleaseSettings {
  runner: HelmRunner;
  /** A loaded kubeconfig for the Kubernetes reads (default: `runner.kubeconfig`, else the default rules). */
  kubeConfig?: KubeConfig;
}

/** A helm deployer, with the extra reads the CLI and tests use. */
export interface HelmDeployer extends Deployer {
  readonly reader: HelmReleaseReader;
  /** `helm template` + manifest checks + a diff against the release (for `shipgate plan`). */
  readonly preparation: ProviderPreparation;
  /** The release name of a target. */
  releaseName(target: DeployTarget): Result<string, ShipgateError>;
}

/**
 * A {@link Deployer} for a Helm chart, through the `helm` CLI (like core drives `git`):
 * `helm upgrade --install … --wait --timeout` (never `--atomic`: core owns rollback), the
 * canary in one of two modes (a values switch, or an Argo Rollout the chart renders),
 * `helm rollback <release> <previous revision> --wait`, and a verification that reads
 * `helm history -o json` / `helm status -o json`: the top revision is a rollback to the
 * previous revision with its chart, app version and values, `deployed`, and the workload
 * is ready. Every call names the kube context and namespace; helm's errors are passed on
 * verbatim, credentials redacted.
 *
 * @example
 * ```ts
 * const deployer = createHelmDeployer({
 *   runner: { helmBinary: "helm", cwd: ".", kubeContext: "prod-eu", namespace: "shop", processTimeoutMs: 900_000 },
 *   releaseTemplate: "{{service}}", chart: "./charts/shop", valuesFiles: ["values-prod.yaml"],
 *   imageTagPath: "image.tag", install: false, waitTimeoutSeconds: 600,
 *   mode: { kind: "values", enabledPath: "canary.enabled", weightPath: "canary.weight", imageTagPath: "canary.image.tag" },
 * });
 * ```
 */
export function createHelmDeployer(options: HelmDeployerOptions): HelmDeployer {
  const { runner } = options;
  const settings: HelmReleaseSettings = options;
  const reader = helmReleaseReader(runner);
  let clients: Result<KubeClients, ShipgateError> | null = null;
  const ctx: HelmContext = {
    runner,
    reader,
    settings,
    clients: () => {
      clients ??= loadKubeConfig(options).andThen((kc) =>
        makeKubeClients(kc, runner.kubeContext, runner.namespace),
      );
      return clients;
    },
    ...helmCommands(runner, settings),
  };
  const mode: CanaryMode =
    settings.mode.kind === "values"
      ? valuesCanaryMode(ctx, settings.mode)
      : rolloutCanaryMode(ctx, settings.mode);
  const paths = versionPaths(settings);

  const guard = <T>(
    signal: AbortSignal,
    target: DeployTarget,
    run: (release: string) => ResultAsync<T, ShipgateError>,
  ): ResultAsync<T, ShipgateError> => {
    if (signal.aborted) return errAsync(abortedError(signal));
    const release = helmReleaseName(settings, target);
    return release.isErr() ? errAsync(release.error) : run(release.value);
  };

  const withValues = (release: string, rows: HelmRevision[], signal: AbortSignal) =>
    ResultAsync.combine(
      [...rows]
        .reverse()
        .map((revision) =>
          reader
            .values(release, { signal }, { revision: revision.revision })
            .map((values): RevisionWithValues => ({ revision, values })),
        ),
    );

  const history = (release: string, signal: AbortSignal) =>
    reader
      .history(release, { signal })
      .andThen((rows) =>
        rows
          ? okAsync(rows)
          : errAsync<HelmRevision[], ShipgateError>(
              new ShipgateError(
                "not_found",
                `Release "${release}" not found in namespace "${runner.namespace}" (context "${runner.kubeContext}")`,
              ),
            ),
      );

  const install = (release: string, target: DeployTarget, signal: AbortSignal) =>
    ctx
      .upgrade(
        release,
        [{ path: settings.imageTagPath, value: target.version, string: true }],
        { reuse: false, install: true, valuesFiles: true },
        signal,
      )
      .map(() => undefined);

  const start = (target: DeployTarget, { signal }: CallOptions) =>
    guard(signal, target, (release) =>
      reader.status(release, { signal }).andThen((status) => {
        if (status) return mode.start(release, target, signal);
        if (!settings.install) {
          return errAsync(
            new ShipgateError(
              "not_found",
              `Release "${release}" not found in namespace "${runner.namespace}"`,
              {
                hint: "Install it first, or set install: true",
              },
            ),
          );
        }
        // A first install has no stable version to compare with: the version goes in whole.
        return install(release, target, signal);
      }),
    );

  const setWeight = (target: DeployTarget, weight: number, { signal }: CallOptions) =>
    guard(signal, target, (release) => {
      if (!Number.isInteger(weight) || weight < 1 || weight > 100) {
        return errAsync(
          new ShipgateError(
            "invalid_input",
            `Canary weight must be a whole number 1–100, got ${weight}`,
            {
              field: "weight",
            },
          ),
        );
      }
      return mode.setWeight(release, target, weight, signal);
    });

  const rollback = (target: DeployTarget, { signal }: CallOptions) =>
    guard(signal, target, (release) =>
      history(release, signal)
        .andThen((rows) => withValues(release, rows, signal))
        .andThen((newestFirst) => {
          const previous = previousRevision(newestFirst, target.version, paths);
          if (!previous) {
            // Nothing of this release is on top: nothing to undo, only wait for the workload.
            return mode.settle(release, target, signal);
          }
          return runHelm(
            runner,
            [
              "rollback",
              release,
              String(previous.revision),
              "--wait",
              "--timeout",
              `${settings.waitTimeoutSeconds}s`,
            ],
            signal,
          ).andThen(() => mode.settle(release, target, signal));
        }),
    );

  const verifyStable = (
    target: DeployTarget,
    { signal }: CallOptions,
  ): ResultAsync<StableVerification, ShipgateError> =>
    guard(signal, target, (release) =>
      history(release, signal).andThen((rows) => {
        const top = rows[rows.length - 1]!;
        const listed = `helm history: ${rows.slice(-6).map(describeRevision).join("; ")}`;
        const to = rolledBackTo(top);
        const target_ = to === null ? null : (rows.find((r) => r.revision === to) ?? null);
        return ResultAsync.combine([
          reader.values(release, { signal }, { revision: top.revision }),
          target_
            ? reader.values(release, { signal }, { revision: target_.revision })
            : okAsync<Record<string, unknown>, ShipgateError>({}),
          reader.values(release, { signal }, { all: true }),
        ]).andThen(([topValues, previousValues, effective]) => {
          const problems: string[] = [];
          if (top.status !== "deployed")
            problems.push(`revision ${top.revision} is ${top.status}, not deployed`);
          if (isRevisionOf(topValues, target.version, paths)) {
            problems.push(`revision ${top.revision} still carries ${target.version}`);
          }
          if (target_) {
            if (top.chart !== target_.chart || top.app_version !== target_.app_version) {
              problems.push(
                `revision ${top.revision} runs chart ${top.chart} (app ${top.app_version}), not revision ${target_.revision}'s ${target_.chart} (app ${target_.app_version})`,
              );
            }
            if (JSON.stringify(sortKeys(topValues)) !== JSON.stringify(sortKeys(previousValues))) {
              problems.push(
                `revision ${top.revision}'s values differ from revision ${target_.revision}'s`,
              );
            }
          }
          const stable = valueAt(effective, settings.imageTagPath);
          const stableVersion = typeof stable === "string" ? stable : null;
          return mode.workload(release, target, signal).map((w): StableVerification => {
            if (!w.ready) problems.push(w.message);
            const serving = problems.length === 0;
            return {
              serving,
              stableVersion,
              message: `${serving ? `revision ${top.revision} serves ${stableVersion ?? "the stable version"}${target_ ? ` (rolled back to revision ${target_.revision})` : ""}; ${w.message}` : `not verified: ${problems.join("; ")}`}. ${listed}`,
            };
          });
        });
      }),
    );

  return {
    name: `@shipgate/deploy-helm (${mode.label})`,
    reader,
    preparation: helmPreparation(ctx),
    releaseName: (target) => helmReleaseName(settings, target),
    preflight: (target, { signal }) =>
      guard(signal, target, (release) => runHelmPreflight(ctx, mode, release, target, signal)),
    start,
    setWeight,
    status: (target, { signal }) =>
      guard(signal, target, (release) => mode.status(release, target, signal)),
    promote: (target, { signal }) =>
      guard(signal, target, (release) => mode.promote(release, target, signal)),
    abort: (target, { signal }) =>
      guard(signal, target, (release) => mode.abort(release, target, signal)),
    rollback,
    verifyStable,
    history: (target, { signal }) =>
      guard(signal, target, (release) =>
        history(release, signal).map((rows) =>
          rows.map((r) => ({
            id: String(r.revision),
            status: r.status,
            detail: `${r.chart}${r.app_version ? `, app ${r.app_version}` : ""}${r.description ? `: ${r.description}` : ""}`,
          })),
        ),
      ),
  };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

function loadKubeConfig(options: HelmDeployerOptions): Result<KubeConfig, ShipgateError> {
  if (options.kubeConfig) return ok(options.kubeConfig);
  const kc = new KubeConfig();
  try {
    if (options.runner.kubeconfig) kc.loadFromFile(options.runner.kubeconfig);
    else kc.loadFromDefault();
    return ok(kc);
  } catch (cause) {
    return err(
      new ShipgateError("invalid_input", "Could not load the kubeconfig", {
        field: "with.kubeconfig",
        cause,
        hint: "Point `kubeconfig` at a readable kubeconfig file, or set KUBECONFIG",
      }),
    );
  }
}
