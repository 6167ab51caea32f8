import { ShipgateError } from "@shipgate/core";
import {
  createArgoRolloutDeployer,
  type ImageSource,
  parseImageReference,
} from "@shipgate/deploy-kubernetes";
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import type { CanaryMode, ModePreflight } from "./canary-mode.js";
import type { HelmContext } from "./helm-context.js";
import type { RolloutCanaryMode } from "./helm-settings.js";
import { manifestObjects } from "./manifest-objects.js";

/**
 * Mode (a): the chart renders an Argo Rollout, and the weights are driven on it exactly
 * as `@shipgate/deploy-kubernetes` does (its Argo Rollout deployer, reused as is):
 * - start: the Rollout deployer's start (image and shipgate's steps in one update, the
 *   canary paused at 0), then `helm upgrade --reuse-values --set image.tag=<version>
 *   --wait` records the revision (helm patches a custom resource with a two-way merge of
 *   the old and new manifests: only the image, which is already the live one);
 * - setWeight, promote, abort, status: the Rollout deployer's;
 * - after `helm rollback`: the Rollout deployer waits for the Rollout to be Healthy.
 * The image repository is the one the release's manifest renders for the Rollout.
 */
export function rolloutCanaryMode(ctx: HelmContext, mode: RolloutCanaryMode): CanaryMode {
  const { reader, settings } = ctx;
  const cache = new Map<string, ImageSource>();
  const rolloutName = (release: string) => mode.rolloutName.replaceAll("{{release}}", release);

  /** The Rollout's image repository, from the release's own manifest. */
  const imageSource = (release: string, signal: AbortSignal) => {
    const known = cache.get(release);
    if (known) return okAsync<ImageSource, ShipgateError>(known);
    return reader.manifest(release, { signal }).andThen((manifest) => {
      const name = rolloutName(release);
      const rollout = manifestObjects(manifest).find(
        (o) => o.kind === "Rollout" && o.name === name,
      );
      const containers =
        (
          rollout?.object.spec as
            | { template?: { spec?: { containers?: { name: string; image?: string }[] } } }
            | undefined
        )?.template?.spec?.containers ?? [];
      const container = mode.container
        ? containers.find((c) => c.name === mode.container)
        : containers.length === 1
          ? containers[0]
          : undefined;
      const parsed = parseImageReference(container?.image ?? "");
      if (!rollout || !container || parsed.isErr()) {
        return errAsync<ImageSource, ShipgateError>(
          new ShipgateError(
            "precondition_failed",
            `The manifest of release "${release}" has no Rollout "${name}" with ${mode.container ? `a container "${mode.container}"` : "one container"} and a valid image`,
            { field: "with.rollout.name" },
          ),
        );
      }
      const { registry, repository } = parsed.value;
      const source = { repository: registry ? `${registry}/${repository}` : repository };
      cache.set(release, source);
      return okAsync<ImageSource, ShipgateError>(source);
    });
  };

  const withDeployer = <T>(
    release: string,
    signal: AbortSignal,
    use: (d: ReturnType<typeof createArgoRolloutDeployer>) => ResultAsync<T, ShipgateError>,
  ): ResultAsync<T, ShipgateError> =>
    imageSource(release, signal).andThen((image) => {
      const clients = ctx.clients();
      if (clients.isErr()) return errAsync(clients.error);
      return use(
        createArgoRolloutDeployer({
          clients: clients.value,
          nameTemplate: rolloutName(release),
          container: mode.container,
          image,
          canarySteps: mode.canarySteps,
          stepTimeoutMs: settings.waitTimeoutSeconds * 1000,
        }),
      );
    });

  return {
    label: `Argo Rollout "${mode.rolloutName}"`,
    start: (release, target, signal) =>
      withDeployer(release, signal, (d) => d.start(target, { signal })).andThen(() =>
        ctx
          .upgrade(
            release,
            [{ path: settings.imageTagPath, value: target.version, string: true }],
            { reuse: true, valuesFiles: true },
            signal,
          )
          .map(() => undefined),
      ),
    setWeight: (release, target, weight, signal) =>
      withDeployer(release, signal, (d) => d.setWeight(target, weight, { signal })),
    promote: (release, target, signal) =>
      withDeployer(release, signal, (d) => d.promote(target, { signal })),
    abort: (release, target, signal) =>
      withDeployer(release, signal, (d) => d.abort(target, { signal })),
    status: (release, target, signal) =>
      withDeployer(release, signal, (d) => d.status(target, { signal })),
    settle: (release, target, signal) =>
      // Nothing in flight after helm put the stable template back: the deployer only waits.
      withDeployer(release, signal, (d) => d.rollback(target, { signal })),
    workload: (release, target, signal) =>
      withDeployer(release, signal, (d) => d.verifyStable(target, { signal })).map((v) => ({
        ready: v.serving,
        message: v.message ?? "",
      })),
    preflight: (release, target, rendered, signal) => {
      const name = rolloutName(release);
      const found = manifestObjects(rendered).some((o) => o.kind === "Rollout" && o.name === name);
      const base: ModePreflight = { problems: [], facts: { rollout: name } };
      if (!found) {
        base.problems.push(
          `The chart renders no Rollout named "${name}" (set rollout.name, or use the values canary mode)`,
        );
        return okAsync(base);
      }
      return withDeployer(release, signal, (d) => d.preflight(target, { signal }))
        .map(
          (p): ModePreflight => ({
            problems: p.problems,
            facts: {
              ...base.facts,
              ...Object.fromEntries(Object.entries(p.facts).map(([k, v]) => [`rollout.${k}`, v])),
            },
          }),
        )
        .orElse((e) =>
          e.kind === "not_found" || e.kind === "precondition_failed"
            ? okAsync<ModePreflight, ShipgateError>(base) // a release to install has no Rollout yet
            : errAsync(e),
        );
    },
  };
}
