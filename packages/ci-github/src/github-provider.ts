import {
  type ApprovalGate,
  type CiProvider,
  defineProvider,
  envVarNameSchema,
  type IncidentSink,
  readSecret,
  refuseTagSigning,
  unsignedTagsSchema,
} from "@shipgate/core";
import { ok } from "neverthrow";
import { z } from "zod";
import { type ApprovalSource, createGitHubApprovalGate } from "./github-approval-gate.js";
import { createGitHubCiProvider } from "./github-ci-provider.js";
import { createGitHubIncidentSink } from "./github-incident-sink.js";
import { createGitHubSourceControl, type GitHubSourceControl } from "./github-source-control.js";
import {
  createGitHubClient,
  type GitHubClient,
  type GitHubLogger,
  type GitHubTiming,
} from "./octokit-client.js";

/** The `with:` block of `use: "@shipgate/ci-github"` (snake_case, strict). */
export const gitHubOptionsSchema = z.strictObject({
  /** Repository owner (user or organisation). */
  owner: z.string().min(1),
  /** Repository name, without `.git`. */
  repo: z.string().min(1),
  /** The branch releases are cut from. */
  release_branch: z.string().min(1).default("main"),
  /** REST API root; for GitHub Enterprise Server `https://ghe.example.com/api/v3`. */
  base_url: z.url().default("https://api.github.com"),
  /** NAME of the environment variable holding the token (never the token itself). */
  token_env: envVarNameSchema.default("GITHUB_TOKEN"),
  /** Timeout of one HTTP attempt, ms. */
  request_timeout_ms: z.int().positive().default(30_000),
  /** Retries of 5xx and network failures (with backoff). */
  max_retries: z.int().min(0).max(10).default(3),
  /** Longest rate-limit wait honoured (from Retry-After / x-ratelimit-reset) before failing. */
  max_rate_limit_wait_ms: z.int().min(0).default(120_000),
  /** Where sign-offs come from. */
  approval_source: z
    .enum(["pull_request_reviews", "environment_reviews"])
    .default("pull_request_reviews"),
  /** Labels put on incident issues (created if missing). */
  incident_labels: z.array(z.string().min(1)).default(["incident", "shipgate"]),
  /** Tags made through the GitHub API are unsigned: only `false` is accepted. */
  sign: unsignedTagsSchema("GitHub"),
});

/** Parsed options of {@link shipgateProvider}. */
export type GitHubProviderOptions = z.output<typeof gitHubOptionsSchema>;

/** Options of {@link createGitHubProvider}, for programmatic use. */
export interface CreateGitHubProviderOptions {
  owner: string;
  repo: string;
  /** The token; prefer reading it from the environment at the call site. */
  token: string;
  /** Named in auth error hints (e.g. `GITHUB_TOKEN`); never the value. */
  tokenEnv?: string;
  releaseBranch?: string;
  /** REST API root (default `https://api.github.com`; GHES: `https://host/api/v3`). */
  baseUrl?: string;
  requestTimeoutMs?: number;
  maxRetries?: number;
  maxRateLimitWaitMs?: number;
  approvalSource?: ApprovalSource;
  incidentLabels?: string[];
  /**
   * GitHub's API makes unsigned tags: `false` or absent. Anything else makes every
   * `createAnnotatedTag` fail with `unsupported` rather than tag unsigned.
   */
  sign?: false;
  /** A fetch implementation (proxies, tests). */
  fetch?: typeof globalThis.fetch;
  log?: GitHubLogger;
  /** Test and simulation knobs; see {@link GitHubTiming}. */
  timing?: GitHubTiming;
}

/** The contract implementations this package provides, plus the client they share. */
export interface GitHubProvider {
  sourceControl: GitHubSourceControl;
  ci: CiProvider;
  approvals: ApprovalGate;
  incidents: IncidentSink;
  client: GitHubClient;
}

/**
 * Creates the GitHub source control, CI provider, approval gate and incident sink, sharing
 * one throttled, retrying Octokit client.
 *
 * @example
 * ```ts
 * const github = createGitHubProvider({
 *   owner: "acme",
 *   repo: "shop",
 *   token: process.env.GITHUB_TOKEN!,
 *   tokenEnv: "GITHUB_TOKEN",
 * });
 * const checks = await github.ci.listChecks(sha, { signal: AbortSignal.timeout(30_000) });
 * ```
 */
export function createGitHubProvider(options: CreateGitHubProviderOptions): GitHubProvider {
  const releaseBranch = options.releaseBranch ?? "main";
  const client = createGitHubClient({
    owner: options.owner,
    repo: options.repo,
    token: options.token,
    ...(options.tokenEnv !== undefined ? { tokenEnv: options.tokenEnv } : {}),
    ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
    ...(options.requestTimeoutMs !== undefined
      ? { requestTimeoutMs: options.requestTimeoutMs }
      : {}),
    ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
    ...(options.maxRateLimitWaitMs !== undefined
      ? { maxRateLimitWaitMs: options.maxRateLimitWaitMs }
      : {}),
    ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
    ...(options.log !== undefined ? { log: options.log } : {}),
    ...(options.timing !== undefined ? { timing: options.timing } : {}),
  });
  return {
    client,
    sourceControl: refuseTagSigning(
      createGitHubSourceControl(client, releaseBranch),
      "GitHub",
      options.sign,
    ),
    ci: createGitHubCiProvider(client, releaseBranch),
    approvals: createGitHubApprovalGate(client, options.approvalSource),
    incidents: createGitHubIncidentSink(client, options.incidentLabels),
  };
}

/**
 * The provider the CLI loads for `use: "@shipgate/ci-github"`.
 *
 * @example
 * ```yaml
 * - use: "@shipgate/ci-github"
 *   with:
 *     owner: acme
 *     repo: shop
 *     token_env: GITHUB_TOKEN
 * ```
 */
export const shipgateProvider = defineProvider({
  name: "@shipgate/ci-github",
  optionsSchema: gitHubOptionsSchema,
  create(options, context) {
    return readSecret(context, options.token_env, "with.token_env").andThen((token) => {
      const github = createGitHubProvider({
        owner: options.owner,
        repo: options.repo,
        token,
        tokenEnv: options.token_env,
        releaseBranch: options.release_branch,
        baseUrl: options.base_url,
        requestTimeoutMs: options.request_timeout_ms,
        maxRetries: options.max_retries,
        maxRateLimitWaitMs: options.max_rate_limit_wait_ms,
        approvalSource: options.approval_source,
        incidentLabels: options.incident_labels,
      });
      return ok({
        sourceControl: github.sourceControl,
        ci: github.ci,
        approvals: github.approvals,
        incidents: github.incidents,
      });
    });
  },
});
