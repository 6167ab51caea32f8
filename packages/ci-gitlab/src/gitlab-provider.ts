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
import {
  createGitLabApprovalGate,
  type GitLabApprovalGateOptions,
} from "./gitlab-approval-gate.js";
import type { GitLabChangesOptions } from "./gitlab-changes.js";
import { createGitLabCiProvider } from "./gitlab-ci-provider.js";
import { createGitLabClient } from "./gitlab-client.js";
import {
  createGitLabIncidentSink,
  type GitLabIncidentSinkOptions,
} from "./gitlab-incident-sink.js";
import { createGitLabSourceControl } from "./gitlab-source-control.js";
import type { GitLabTransportOptions } from "./gitlab-transport.js";

/** Trailing slashes and a pasted `/api/v4` are dropped: the client adds the API prefix itself. */
const baseUrlSchema = z
  .url({ protocol: /^https?$/ })
  .transform((url) => url.replace(/\/+$/, "").replace(/\/api\/v4$/, ""));

/** The `with:` block of `use: "@shipgate/ci-gitlab"`. */
export const gitlabOptionsSchema = z.strictObject({
  /** Numeric project id or full path (`acme/shop`). */
  project: z.union([z.string().min(1), z.number().int().positive()]).transform(String),
  release_branch: z.string().min(1).default("main"),
  /** Root URL of the GitLab instance (self-managed: `https://gitlab.example.com`). */
  base_url: baseUrlSchema.default("https://gitlab.com"),
  /** NAME of the environment variable holding the access token. */
  token_env: envVarNameSchema.default("GITLAB_TOKEN"),
  /** Where merge request approvals and changed files come from (`rest` when GraphQL is disabled). */
  changes_details: z.enum(["graphql", "rest"]).default("graphql"),
  /** shipgate environment → GitLab environment name, for deployment approvals. */
  environments: z.record(z.string(), z.string().min(1)).optional(),
  /** Labels put on every incident. */
  incident_labels: z.array(z.string().min(1)).default(["shipgate"]),
  max_retries: z.number().int().min(0).max(10).default(4),
  request_timeout_ms: z.number().int().positive().default(30_000),
  /** Tags made through the GitLab API are unsigned: only `false` is accepted. */
  sign: unsignedTagsSchema("GitLab"),
});

/** Parsed options of {@link shipgateProvider}. */
export type GitLabProviderOptions = z.output<typeof gitlabOptionsSchema>;

/** Options of {@link createGitLabProvider}. */
export interface CreateGitLabProviderOptions {
  /** Numeric project id or full path (`acme/shop`). */
  project: string | number;
  /** An access token with `read_api` (reads) or `api` (tags, incidents). */
  token: string;
  /** Root URL of the instance. Default `https://gitlab.com`. */
  baseUrl?: string;
  /** Default `main`. */
  releaseBranch?: string;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch;
  /** Retries, waits and timeouts. */
  transport?: Omit<GitLabTransportOptions, "fetch">;
  changes?: GitLabChangesOptions;
  approvals?: GitLabApprovalGateOptions;
  incidents?: GitLabIncidentSinkOptions;
  /** Name of the env var the token came from, used in error hints only. */
  tokenEnv?: string;
  /**
   * GitLab's API makes unsigned tags: `false` or absent. Anything else makes every
   * `createAnnotatedTag` fail with `unsupported` rather than tag unsigned.
   */
  sign?: false;
}

/**
 * GitLab as a CI provider, source control, approval gate and incident sink, through
 * `@gitbeaker/rest` with shipgate's own requester (rate-limit aware retries, cancellation).
 *
 * @example
 * ```ts
 * import { createGitLabProvider } from "@shipgate/ci-gitlab";
 *
 * const gitlab = createGitLabProvider({
 *   project: "acme/shop",
 *   token: process.env.GITLAB_TOKEN!,
 *   baseUrl: "https://gitlab.example.com",
 *   releaseBranch: "main",
 * });
 * const checks = await gitlab.ci.listChecks(sha, { signal });
 * ```
 */
export function createGitLabProvider(
  options: CreateGitLabProviderOptions,
): Required<Pick<ProviderParts, "sourceControl" | "ci" | "approvals" | "incidents">> {
  const client = createGitLabClient({
    baseUrl: options.baseUrl ?? "https://gitlab.com",
    token: options.token,
    project: String(options.project),
    ...(options.tokenEnv ? { tokenEnv: options.tokenEnv } : {}),
    transport: { ...options.transport, ...(options.fetch ? { fetch: options.fetch } : {}) },
  });
  return {
    sourceControl: refuseTagSigning(
      createGitLabSourceControl(client, {
        ...options.changes,
        releaseBranch: options.releaseBranch ?? "main",
      }),
      "GitLab",
      options.sign,
    ),
    ci: createGitLabCiProvider(client),
    approvals: createGitLabApprovalGate(client, options.approvals),
    incidents: createGitLabIncidentSink(client, options.incidents),
  };
}

/**
 * The provider the CLI loads for `use: "@shipgate/ci-gitlab"`.
 *
 * @example
 * ```yaml
 * providers:
 *   - use: "@shipgate/ci-gitlab"
 *     with:
 *       project: acme/shop
 *       release_branch: main
 *       base_url: https://gitlab.example.com
 *       token_env: GITLAB_TOKEN
 * ```
 */
export const shipgateProvider = defineProvider({
  name: "@shipgate/ci-gitlab",
  optionsSchema: gitlabOptionsSchema,
  create(options, context) {
    return readSecret(context, options.token_env, "with.token_env").andThen((token) =>
      ok<ProviderParts>(
        createGitLabProvider({
          project: options.project,
          token,
          tokenEnv: options.token_env,
          baseUrl: options.base_url,
          releaseBranch: options.release_branch,
          transport: {
            maxRetries: options.max_retries,
            requestTimeoutMs: options.request_timeout_ms,
          },
          changes: { details: options.changes_details },
          ...(options.environments ? { approvals: { environments: options.environments } } : {}),
          incidents: { labels: options.incident_labels },
        }),
      ),
    );
  },
});
