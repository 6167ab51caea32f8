import { isAbsolute, resolve } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import {
  canaryStepsSchema,
  type Deployer,
  defineProvider,
  type ProviderParts,
  ShipgateError,
} from "@shipgate/core";
import { err, ok, type Result } from "neverthrow";
import { z } from "zod";
import { createArgoRolloutDeployer } from "./argo-rollout-deployer.js";
import { createDeploymentCanaryDeployer } from "./deployment-canary-deployer.js";
import {
  type ImageSource,
  parseImageReference,
  renderTemplate,
  unknownTemplatePlaceholders,
} from "./image-reference.js";
import { makeKubeClients } from "./kube-clients.js";
import type { KubeRequestSettings } from "./kube-request.js";
import { createKubernetesLeaseLock, type KubernetesLeaseLock } from "./kubernetes-lease-lock.js";
import { createKubernetesReleaseJournal } from "./kubernetes-release-journal.js";

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The `with:` block of `use: "@shipgate/deploy-kubernetes"` (snake_case, strict). */
export const kubernetesOptionsSchema = z
  .strictObject({
    /** Path to a kubeconfig file; default: `$KUBECONFIG`, `~/.kube/config`, or in-cluster. */
    kubeconfig: z.string().min(1).optional(),
    /** The kubeconfig context to use — named explicitly, never the current one by accident. */
    context: z.string().min(1),
    /** The namespace of the workload — named explicitly. */
    namespace: z.string().max(63).regex(dnsLabel, "namespace must be a DNS-1123 label"),
    /** `rollout` (Argo Rollouts) or `deployment` (a canary Deployment beside the stable one). */
    kind: z.enum(["rollout", "deployment"]).default("rollout"),
    /** Object name; may use `{{service}}` and `{{environment}}`. */
    name: z.string().min(1).default("{{service}}"),
    /** Container whose image is set; optional when the pod has one container. */
    container: z.string().min(1).optional(),
    /** Image repository; the image is `<image_repository>:<version>`. */
    image_repository: z.string().min(1).optional(),
    /** Image template instead, e.g. `registry.example.com/shop:{{version}}`. */
    image_template: z.string().min(1).optional(),
    /** Rollout mode: the weights written as steps at start; keep equal to the release's canary_steps. */
    canary_steps: canaryStepsSchema.default([5, 25, 100]),
    /** Deployment mode: suffix of the canary Deployment's name. */
    canary_suffix: z
      .string()
      .regex(/^[-a-z0-9.]*$/)
      .default("-canary"),
    timeouts: z
      .strictObject({
        /** Bound on each wait for the controller to apply an action. */
        step_seconds: z.number().positive().default(600),
        /** Bound on each API request. */
        request_seconds: z.number().positive().default(30),
      })
      .prefault({}),
    /** Retries of 429, 5xx and network failures per request. */
    retries: z.number().int().min(0).max(10).default(3),
    lease: z
      .strictObject({
        /** Provide the Lease-based release lock. */
        enabled: z.boolean().default(true),
        /** How long a holder that stopped renewing keeps the lock. */
        duration_seconds: z.number().int().min(1).max(3600).default(60),
        /** Namespace of the Leases (default: `namespace`). */
        namespace: z.string().max(63).regex(dnsLabel).optional(),
        name_prefix: z
          .string()
          .regex(/^[a-z0-9][-a-z0-9.]*$/)
          .default("shipgate-release-"),
      })
      .prefault({}),
  })
  .superRefine((o, ctx) => {
    if ((o.image_repository === undefined) === (o.image_template === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["image_repository"],
        message: "set exactly one of image_repository or image_template",
      });
    }
    if (o.image_template !== undefined) {
      if (!o.image_template.includes("{{version}}")) {
        ctx.addIssue({
          code: "custom",
          path: ["image_template"],
          message: "image_template must contain {{version}}",
        });
      }
      const unknown = unknownTemplatePlaceholders(o.image_template);
      if (unknown.length) {
        ctx.addIssue({
          code: "custom",
          path: ["image_template"],
          message: `unknown placeholder(s) ${unknown.map((u) => `{{${u}}}`).join(", ")}; use {{version}}, {{service}}, {{environment}} or {{sha}}`,
        });
      }
    }
    const sample = { version: "v1.0.0", service: "svc", environment: "env", sha: "0".repeat(40) };
    const image = o.image_template
      ? renderTemplate(o.image_template, sample)
      : o.image_repository
        ? `${o.image_repository}:v1.0.0`
        : null;
    if (image !== null) {
      const parsed = parseImageReference(image);
      if (parsed.isErr()) {
        ctx.addIssue({
          code: "custom",
          path: [o.image_template ? "image_template" : "image_repository"],
          message: `does not make a valid image reference: ${parsed.error}`,
        });
      }
    }
  });

/** Parsed options of {@link kubernetesOptionsSchema}. */
export type KubernetesProviderOptions = z.output<typeof kubernetesOptionsSchema>;

/** Options of {@link createKubernetesProvider} (programmatic use, camelCase). */
export interface CreateKubernetesProviderOptions {
  /** A loaded kubeconfig; otherwise `kubeconfigPath`, else the default loading rules. */
  kubeConfig?: KubeConfig;
  kubeconfigPath?: string;
  context: string;
  namespace: string;
  kind?: "rollout" | "deployment";
  /** Object name template (default `{{service}}`). */
  name?: string;
  container?: string;
  /** Exactly one of `imageRepository` / `imageTemplate`. */
  imageRepository?: string;
  imageTemplate?: string;
  canarySteps?: readonly number[];
  canarySuffix?: string;
  stepTimeoutMs?: number;
  request?: Partial<KubeRequestSettings>;
  /** The Lease lock; `false` to leave it out. */
  lease?:
    | false
    | {
        durationSeconds?: number;
        namespace?: string;
        namePrefix?: string;
        renewEveryMs?: number;
        now?: () => number;
      };
}

/** What {@link createKubernetesProvider} returns. */
export interface KubernetesProviderParts extends ProviderParts {
  deployer: Deployer;
  lock?: KubernetesLeaseLock;
}

function loadKubeConfig(
  options: CreateKubernetesProviderOptions,
): Result<KubeConfig, ShipgateError> {
  if (options.kubeConfig) return ok(options.kubeConfig);
  const kc = new KubeConfig();
  try {
    if (options.kubeconfigPath) kc.loadFromFile(options.kubeconfigPath);
    else kc.loadFromDefault();
    return ok(kc);
  } catch (cause) {
    return err(
      new ShipgateError(
        "invalid_input",
        `Could not load the kubeconfig${options.kubeconfigPath ? ` ${options.kubeconfigPath}` : ""}`,
        {
          field: "with.kubeconfig",
          cause,
          hint: "Point `kubeconfig` at a readable kubeconfig file, or set KUBECONFIG",
        },
      ),
    );
  }
}

/**
 * Builds the Kubernetes deployer (Argo Rollout or Deployment canary) and the Lease lock.
 *
 * @example
 * ```ts
 * const parts = createKubernetesProvider({
 *   context: "prod-eu", namespace: "shop", kind: "rollout",
 *   imageRepository: "registry.example.com/acme/shop", canarySteps: [5, 25, 100],
 * });
 * if (parts.isOk()) await parts.value.deployer.preflight(target, { signal });
 * ```
 */
export function createKubernetesProvider(
  options: CreateKubernetesProviderOptions,
): Result<KubernetesProviderParts, ShipgateError> {
  const image: ImageSource | null = options.imageTemplate
    ? { template: options.imageTemplate }
    : options.imageRepository
      ? { repository: options.imageRepository }
      : null;
  if (!image || (options.imageTemplate && options.imageRepository)) {
    return err(
      new ShipgateError("invalid_input", "Set exactly one of imageRepository or imageTemplate", {
        field: "with.image_repository",
      }),
    );
  }
  return loadKubeConfig(options).andThen((kubeConfig) =>
    makeKubeClients(kubeConfig, options.context, options.namespace, options.request).andThen(
      (clients) => {
        const workload = {
          clients,
          nameTemplate: options.name ?? "{{service}}",
          container: options.container,
          image,
        };
        const stepTimeoutMs = options.stepTimeoutMs ?? 600_000;
        const deployer =
          (options.kind ?? "rollout") === "rollout"
            ? createArgoRolloutDeployer({
                ...workload,
                canarySteps: options.canarySteps ?? [5, 25, 100],
                stepTimeoutMs,
              })
            : createDeploymentCanaryDeployer({
                ...workload,
                canarySuffix: options.canarySuffix,
                stepTimeoutMs,
              });
        if (options.lease === false)
          return ok<KubernetesProviderParts, ShipgateError>({ deployer });
        const lease = options.lease ?? {};
        const leaseClients =
          lease.namespace && lease.namespace !== options.namespace
            ? makeKubeClients(kubeConfig, options.context, lease.namespace, options.request)
            : ok(clients);
        return leaseClients.map((lc) => ({
          deployer,
          lock: createKubernetesLeaseLock({
            clients: lc,
            leaseDurationSeconds: lease.durationSeconds,
            namePrefix: lease.namePrefix,
            renewEveryMs: lease.renewEveryMs,
            now: lease.now,
          }),
          // The release journal lives next to the lock, so a runner that takes an expired
          // Lease over can recover the release its dead holder left.
          journal: createKubernetesReleaseJournal({ clients: lc }),
        }));
      },
    ),
  );
}

/**
 * The provider the CLI loads for `use: "@shipgate/deploy-kubernetes"`: a `deployer` and,
 * unless `lease.enabled` is false, a `lock` on Kubernetes Leases and the release `journal`
 * beside it.
 */
export const shipgateProvider = defineProvider({
  name: "@shipgate/deploy-kubernetes",
  optionsSchema: kubernetesOptionsSchema,
  create(options, context) {
    const kubeconfigPath = options.kubeconfig
      ? isAbsolute(options.kubeconfig)
        ? options.kubeconfig
        : resolve(context.cwd, options.kubeconfig)
      : undefined;
    return createKubernetesProvider({
      kubeconfigPath,
      context: options.context,
      namespace: options.namespace,
      kind: options.kind,
      name: options.name,
      container: options.container,
      imageRepository: options.image_repository,
      imageTemplate: options.image_template,
      canarySteps: options.canary_steps,
      canarySuffix: options.canary_suffix,
      stepTimeoutMs: options.timeouts.step_seconds * 1000,
      request: {
        requestTimeoutMs: options.timeouts.request_seconds * 1000,
        maxRetries: options.retries,
      },
      lease: options.lease.enabled
        ? {
            durationSeconds: options.lease.duration_seconds,
            namespace: options.lease.namespace,
            namePrefix: options.lease.name_prefix,
          }
        : false,
    });
  },
});
