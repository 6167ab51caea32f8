import type { DeployTarget, PreflightReport, ShipgateError } from "@shipgate/core";
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import type { CanaryMode } from "./canary-mode.js";
import type { HelmContext } from "./helm-context.js";
import { type HelmRevision, type HelmValues, PENDING_STATUSES, valueAt } from "./helm-release.js";
import { manifestObjects } from "./manifest-objects.js";
import { clusterFlags } from "./run-helm.js";

/** The `helm` command that clears a release stuck in a pending-* status. */
export function unstickCommand(
  release: string,
  status: string,
  history: readonly HelmRevision[],
  flags: readonly string[],
): string {
  const lastGood = [...history]
    .reverse()
    .find((r) => r.status === "deployed" || r.status === "superseded");
  const command =
    status === "pending-install" || !lastGood
      ? `helm uninstall ${release}`
      : `helm rollback ${release} ${lastGood.revision}`;
  return `${command} ${flags.join(" ")}`;
}

/**
 * Read-only checks before a release: the chart resolves and `helm template` renders it
 * with the new version; the release exists (or `install` allows creating it); it is not
 * stuck in pending-install/upgrade/rollback (the error names the helm command that
 * clears it); it does not already run the version; then the mode's own checks. helm's
 * messages are quoted verbatim.
 */
export function runHelmPreflight(
  ctx: HelmContext,
  mode: CanaryMode,
  release: string,
  target: DeployTarget,
  signal: AbortSignal,
): ResultAsync<PreflightReport, ShipgateError> {
  const { runner, reader, settings } = ctx;
  const problems: string[] = [];
  const facts: Record<string, string> = {
    release,
    chart: settings.chart,
    namespace: runner.namespace,
    context: runner.kubeContext,
    mode: mode.label,
  };
  const report = (stableVersion: string | null): PreflightReport => ({
    ok: problems.length === 0,
    problems,
    stableVersion,
    facts,
  });
  return ctx
    .template(
      release,
      [{ path: settings.imageTagPath, value: target.version, string: true }],
      signal,
    )
    .map((rendered) => {
      const objects = manifestObjects(rendered);
      facts.renders = objects.map((o) => `${o.kind}/${o.name}`).join(", ");
      return rendered as string | null;
    })
    .orElse((e) => {
      if (e.kind === "aborted") return errAsync<string | null, ShipgateError>(e);
      problems.push(`helm template of ${settings.chart} failed: ${e.vendorMessage ?? e.message}`);
      return okAsync<string | null, ShipgateError>(null);
    })
    .andThen((rendered) =>
      reader.history(release, { signal }).andThen((history) => {
        if (!history || history.length === 0) {
          if (settings.install)
            facts.install = "the release does not exist yet and will be installed";
          else
            problems.unshift(
              `Release "${release}" not found in namespace "${runner.namespace}" (context "${runner.kubeContext}"); install it first, or set install: true`,
            );
          return okAsync(report(null));
        }
        const top = history[history.length - 1]!;
        facts.revision = String(top.revision);
        facts.status = top.status;
        facts.revisions = history
          .slice(-5)
          .map((r) => `${r.revision} ${r.status}`)
          .join(", ");
        if (PENDING_STATUSES.includes(top.status)) {
          problems.push(
            `Release "${release}" is stuck in ${top.status} (revision ${top.revision}): helm refuses another operation until it is cleared with: ${unstickCommand(release, top.status, history.slice(0, -1), clusterFlags(runner))}`,
          );
        }
        return reader.values(release, { signal }, { all: true }).andThen((values: HelmValues) => {
          const stable = valueAt(values, settings.imageTagPath);
          const stableVersion = typeof stable === "string" ? stable : null;
          if (
            stableVersion === target.version &&
            settings.mode.kind === "values" &&
            valueAt(values, settings.mode.enabledPath) !== true
          ) {
            problems.push(`Release "${release}" already runs ${target.version}`);
          }
          if (rendered === null) return okAsync(report(stableVersion));
          return mode.preflight(release, target, rendered, signal).map((m) => {
            problems.push(...m.problems);
            Object.assign(facts, m.facts);
            return report(stableVersion);
          });
        });
      }),
    );
}
