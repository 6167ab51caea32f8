import {
  defineProvider,
  envVarNameSchema,
  type ProviderParts,
  readSecret,
  refuseTagSigning,
  unsignedTagsSchema,
} from "@shipgate/core";
import { ok } from "neverthrow";
import { z } from "zod";
import { type AzureApprovalGateOptions, createAzureApprovalGate } from "./azure-approval-gate.js";
import type { AzureChangesOptions } from "./azure-changes.js";
import { createAzureCiProvider } from "./azure-ci-provider.js";
import { createAzureClient } from "./azure-client.js";
import { type AzureIncidentSinkOptions, createAzureIncidentSink } from "./azure-incident-sink.js";
import { createAzureSourceControl } from "./azure-source-control.js";
import type { AzureTransportOptions } from "./azure-transport.js";

/** The `with:` block of `use: "@shipgate/ci-azure"`. */
export const azureOptionsSchema = z.strictObject({
  /** `https://dev.azure.com/<org>`, or `https://<server>/<collection>` for Azure DevOps Server. */
  org_url: z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, "")),
  project: z.string().min(1),
  /** Repository name or id. Default: the project's name (Azure's default repository). */
  repository: z.string().min(1).optional(),
  release_branch: z.string().min(1).default("main"),
  /** NAME of the environment variable holding the personal access token. */
  token_env: envVarNameSchema.default("AZURE_DEVOPS_TOKEN"),
  /** Work item type of incidents (`Issue` in the Basic process). */
  work_item_type: z.string().min(1).default("Bug"),
  /** State that closes an incident after a good release (`Done` in Scrum and Basic). */
  resolved_state: z.string().min(1).default("Closed"),
  incident_tags: z.array(z.string().min(1)).default(["shipgate"]),
  /** shipgate environment → the pipeline stage deploying to it, for approvals. */
  approval_stages: z.record(z.string(), z.string().min(1)).optional(),
  /** Read each pull request's changed files (one request per pull request). */
  changes_files: z.boolean().default(true),
  max_retries: z.number().int().min(0).max(10).default(4),
  request_timeout_ms: z.number().int().positive().default(30_000),
  /** Tags made through the Azure Repos API are unsigned: only `false` is accepted. */
  sign: unsignedTagsSchema("Azure Repos"),
});

/** Parsed options of {@link shipgateProvider}. */
export type AzureProviderOptions = z.output<typeof azureOptionsSchema>;

/** Options of {@link createAzureDevOpsProvider}. */
export interface CreateAzureDevOpsProviderOptions {
  /** `https://dev.azure.com/acme`, or an Azure DevOps Server collection URL. */
  orgUrl: string;
  project: string;
  /** Default: the project's name. */
  repository?: string;
  /** A personal access token: Code (Read & write), Build (Read), Work Items (Read & write). */
  token: string;
  /** Default `main`. */
  releaseBranch?: string;
  transport?: AzureTransportOptions;
  changes?: AzureChangesOptions;
  approvals?: AzureApprovalGateOptions;
  incidents?: AzureIncidentSinkOptions;
  /** Name of the env var the token came from, used in error hints only. */
  tokenEnv?: string;
  /**
   * Azure Repos' API makes unsigned tags: `false` or absent. Anything else makes every
   * `createAnnotatedTag` fail with `unsupported` rather than tag unsigned.
   */
  sign?: false;
}

/**
 * Azure DevOps as a CI provider (builds and Git statuses), source control (Azure Repos),
 * approval gate (pipeline approvals) and incident sink (Azure Boards), through
 * `azure-devops-node-api` with retries, rate-limit waits and cancellation added.
 *
 * @example
 * ```ts
 * import { createAzureDevOpsProvider } from "@shipgate/ci-azure";
 *
 * const azure = createAzureDevOpsProvider({
 *   orgUrl: "https://dev.azure.com/acme",
 *   project: "shop",
 *   repository: "shop",
 *   token: process.env.AZURE_DEVOPS_TOKEN!,
 * });
 * const checks = await azure.ci.listChecks(sha, { signal });
 * ```
 */
export function createAzureDevOpsProvider(
  options: CreateAzureDevOpsProviderOptions,
): Required<Pick<ProviderParts, "sourceControl" | "ci" | "approvals" | "incidents">> {
  const releaseBranch = options.releaseBranch ?? "main";
  const client = createAzureClient({
    orgUrl: options.orgUrl,
    project: options.project,
    repository: options.repository ?? options.project,
    token: options.token,
    ...(options.tokenEnv ? { tokenEnv: options.tokenEnv } : {}),
    ...(options.transport ? { transport: options.transport } : {}),
  });
  return {
    sourceControl: refuseTagSigning(
      createAzureSourceControl(client, { ...options.changes, releaseBranch }),
      "Azure Repos",
      options.sign,
    ),
    ci: createAzureCiProvider(client, { releaseBranch }),
    approvals: createAzureApprovalGate(client, options.approvals),
    incidents: createAzureIncidentSink(client, options.incidents),
  };
}

/**
 * The provider the CLI loads for `use: "@shipgate/ci-azure"`.
 *
 * @example
 * ```yaml
 * providers:
 *   - use: "@shipgate/ci-azure"
 *     with:
 *       org_url: https://dev.azure.com/acme
 *       project: shop
 *       repository: shop
 *       release_branch: main
 *       token_env: AZURE_DEVOPS_TOKEN
 * ```
 */
export const shipgateProvider = defineProvider({
  name: "@shipgate/ci-azure",
  optionsSchema: azureOptionsSchema,
  create(options, context) {
    return readSecret(context, options.token_env, "with.token_env").andThen((token) =>
      ok<ProviderParts>(
        createAzureDevOpsProvider({
          orgUrl: options.org_url,
          project: options.project,
          ...(options.repository ? { repository: options.repository } : {}),
          token,
          tokenEnv: options.token_env,
          releaseBranch: options.release_branch,
          transport: {
            maxRetries: options.max_retries,
            requestTimeoutMs: options.request_timeout_ms,
          },
          changes: { files: options.changes_files },
          ...(options.approval_stages ? { approvals: { stages: options.approval_stages } } : {}),
          incidents: {
            workItemType: options.work_item_type,
            resolvedState: options.resolved_state,
            tags: options.incident_tags,
          },
        }),
      ),
    );
  },
});
