import {
  checkManifestText,
  type DeployTarget,
  type PreparationFinding,
  type ProviderPreparation,
  type ShipgateError,
} from "@shipgate/core";
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import type { HelmContext } from "./helm-context.js";
import { helmReleaseName } from "./helm-settings.js";
import { describeDiff, diffManifests } from "./manifest-diff.js";
import { manifestObjects } from "./manifest-objects.js";

/**
 * The deployer's preparation checks: `helm template` of the chart with the new version
 * must render (helm's error verbatim otherwise) into valid Kubernetes manifests (core's
 * manifest check), and a `helm diff`-like summary of the objects it would add, change and
 * remove against the release's current manifest — what `shipgate plan` shows.
 */
export function helmPreparation(ctx: HelmContext): ProviderPreparation {
  return (target: DeployTarget, signal: AbortSignal) => {
    const release = helmReleaseName(ctx.settings, target);
    if (release.isErr()) return errAsync(release.error);
    const name = release.value;
    const subject = `helm template ${name}`;
    return ctx
      .template(
        name,
        [{ path: ctx.settings.imageTagPath, value: target.version, string: true }],
        signal,
      )
      .andThen((rendered) =>
        ctx.reader
          .manifest(name, { signal })
          .map((m): string | null => m)
          .orElse((e) =>
            e.kind === "not_found" ? okAsync<string | null, ShipgateError>(null) : errAsync(e),
          )
          .map((current): PreparationFinding[] => {
            const next = manifestObjects(rendered);
            const diff = diffManifests(current === null ? [] : manifestObjects(current), next);
            return [
              checkManifestText(rendered, subject),
              {
                check: "manifest",
                subject: `helm diff ${name}`,
                passed: true,
                blocking: false,
                message: `chart ${ctx.settings.chart} at ${target.version} vs ${current === null ? "no release yet" : `release "${name}"`}: ${describeDiff(diff)}`,
              },
            ];
          }),
      )
      .orElse(
        (e): ResultAsync<PreparationFinding[], ShipgateError> =>
          e.kind === "aborted"
            ? errAsync(e)
            : okAsync([
                {
                  check: "manifest",
                  subject,
                  passed: false,
                  blocking: true,
                  message: `manifest ${subject}: ${e.vendorMessage ?? e.message}`,
                },
              ]),
      );
  };
}
