import { isAbsolute, resolve } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import {
  canaryStepsSchema,
  defineProvider,
  type ProviderParts,
  ShipgateError,
} from "@shipgate/core";
import { kubeConfigForContext } from "@shipgate/deploy-kubernetes";
import { err, ok, type Result } from "neverthrow";
import { z } from "zod";
import { createHelmDeployer, type HelmDeployer } from "./helm-deployer.js";
import type { HelmReleaseSettings } from "./helm-settings.js";

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const valuesPath = z
  .string()
  .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, "must be a dotted values path, e.g. image.tag");

/** The `with:` block of `use: "@shipgate/deploy-helm"` (snake_case, strict). */
export const helmOptionsSchema = z.strictObject({
  /** The chart: a local path (relative to the config file), `repo/chart`, or `oci://…`. */
  chart: z.string().min(1),
  /** Chart version (`--version`) for repository and OCI charts. */
  chart_version: z.string().min(1).optional(),
  /** The release name; may use `{{service}}` and `{{environment}}`. */
  release: z.string().min(1).default("{{service}}"),
  /** The kubeconfig context — named explicitly, never helm's current context by accident. */
  context: z.string().min(1),
  /** The release's namespace — named explicitly. */
  namespace: z.string().max(63).regex(dnsLabel, "namespace must be a DNS-1123 label"),
  /** Path to a kubeconfig file; default: `$KUBECONFIG` or `~/.kube/config`. */
  kubeconfig: z.string().min(1).optional(),
  /** Your values files (`-f`), relative to the config file, applied in order. */
  values_files: z.array(z.string().min(1)).default([]),
  /** Values path the version is written to as the image tag. */
  image_tag_path: valuesPath.default("image.tag"),
  /** Install the release when it does not exist yet (a first install goes in whole). */
  install: z.boolean().default(false),
  /** The helm binary. */
  helm_binary: z.string().min(1).default("helm"),
  /** `values`: the chart's canary switch; `rollout`: the chart renders an Argo Rollout. */
  canary: z
    .discriminatedUnion("mode", [
      z.strictObject({
        mode: z.literal("values"),
        enabled_path: valuesPath.default("canary.enabled"),
        weight_path: valuesPath.default("canary.weight"),
        image_tag_path: valuesPath.default("canary.image.tag"),
      }),
      z.strictObject({
        mode: z.literal("rollout"),
        /** The Rollout's name; may use `{{release}}`, `{{service}}`, `{{environment}}`. */
        name: z.string().min(1).default("{{release}}"),
        container: z.string().min(1).optional(),
        /** Weights written as steps; keep equal to the release's canary_steps. */
        canary_steps: canaryStepsSchema.default([5, 25, 100]),
      }),
    ])
    .default({
      mode: "values",
      enabled_path: "canary.enabled",
      weight_path: "canary.weight",
      image_tag_path: "canary.image.tag",
    }),
  timeouts: z
    .strictObject({
      /** helm's `--wait --timeout` for each upgrade and rollback. */
      wait_seconds: z.number().int().positive().default(600),
    })
    .prefault({}),
});

/** Parsed options of {@link helmOptionsSchema}. */
export type HelmProviderOptions = z.output<typeof helmOptionsSchema>;

/** What the helm provider contributes. */
export interface HelmProviderParts extends ProviderParts {
  deployer: HelmDeployer;
}

/** Builds the helm deployer from parsed options; relative paths are resolved against `cwd`. */
export function createHelmProvider(
  o: HelmProviderOptions,
  cwd: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Result<HelmProviderParts, ShipgateError> {
  const local = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  // A chart given as a path (./charts/shop) is resolved; a repo or OCI reference is not.
  const chart =
    o.chart.startsWith("./") || o.chart.startsWith("../") || isAbsolute(o.chart)
      ? local(o.chart)
      : o.chart;
  if (o.chart.startsWith("oci://") && o.chart_version === undefined) {
    return err(
      new ShipgateError("invalid_input", "An OCI chart needs chart_version (helm pulls a tag)", {
        field: "with.chart_version",
      }),
    );
  }
  const mode: HelmReleaseSettings["mode"] =
    o.canary.mode === "values"
      ? {
          kind: "values",
          enabledPath: o.canary.enabled_path,
          weightPath: o.canary.weight_path,
          imageTagPath: o.canary.image_tag_path,
        }
      : {
          kind: "rollout",
          rolloutName: o.canary.name,
          container: o.canary.container,
          canarySteps: o.canary.canary_steps,
        };
  const kubeconfig = o.kubeconfig ? local(o.kubeconfig) : env.KUBECONFIG || undefined;
  // The context must exist now: a typo is a config error, not a failure mid-release.
  const kubeConfig = new KubeConfig();
  try {
    if (kubeconfig) kubeConfig.loadFromFile(kubeconfig);
    else kubeConfig.loadFromDefault();
  } catch (cause) {
    return err(
      new ShipgateError(
        "invalid_input",
        `Could not load the kubeconfig${kubeconfig ? ` ${kubeconfig}` : ""}`,
        {
          field: "with.kubeconfig",
          cause,
          hint: "Point `kubeconfig` at a readable kubeconfig file, or set KUBECONFIG",
        },
      ),
    );
  }
  const pinned = kubeConfigForContext(kubeConfig, o.context);
  if (pinned.isErr()) return err(pinned.error);
  const deployer = createHelmDeployer({
    kubeConfig,
    runner: {
      helmBinary: o.helm_binary,
      cwd,
      kubeContext: o.context,
      namespace: o.namespace,
      kubeconfig,
      // helm's own --timeout bounds the wait; leave room for the rest of the command.
      processTimeoutMs: (o.timeouts.wait_seconds + 120) * 1000,
    },
    releaseTemplate: o.release,
    chart,
    chartVersion: o.chart_version,
    valuesFiles: o.values_files.map(local),
    imageTagPath: o.image_tag_path,
    install: o.install,
    waitTimeoutSeconds: o.timeouts.wait_seconds,
    mode,
  });
  return ok({ deployer, preparation: deployer.preparation });
}

/**
 * The provider the CLI loads for `use: "@shipgate/deploy-helm"`: a `deployer` (and its
 * `preparation` checks of the rendered chart).
 */
export const shipgateProvider = defineProvider({
  name: "@shipgate/deploy-helm",
  optionsSchema: helmOptionsSchema,
  create(options, context) {
    return createHelmProvider(options, context.cwd, context.env);
  },
});
