import {
  Commits,
  Deployments,
  Issues,
  MergeRequestApprovals,
  MergeRequests,
  Pipelines,
  Projects,
  Repositories,
  Tags,
} from "@gitbeaker/rest";
import { callUnlessAborted, ShipgateError, vendorAnswerParser } from "@shipgate/core";
import type { ResultAsync } from "neverthrow";
import { toGitLabError } from "./gitlab-errors.js";
import { projectSchema } from "./gitlab-schemas.js";
import {
  createGitLabRequesterFn,
  type GitLabTransportOptions,
  sendWithRetries,
  withCallSignal,
} from "./gitlab-transport.js";

/** How to reach one GitLab project. */
export interface GitLabClientOptions {
  /** `https://gitlab.com` or the root URL of a self-managed instance (no `/api/v4`). */
  baseUrl: string;
  /** Personal, project or group access token. Sent as `PRIVATE-TOKEN`, never logged. */
  token: string;
  /** Numeric id (`42`) or full path (`acme/shop`). */
  project: string;
  /** Name of the env var the token came from, for error hints. */
  tokenEnv?: string;
  transport?: GitLabTransportOptions;
}

/** The project's identity, looked up once. */
export interface GitLabProjectInfo {
  id: number;
  pathWithNamespace: string;
  webUrl: string;
}

/**
 * The gitbeaker resources the adapter uses, all wired to shipgate's requester, plus the
 * GraphQL endpoint gitbeaker has no resource for.
 */
export interface GitLabClient {
  readonly project: string;
  readonly baseUrl: string;
  readonly api: {
    commits: InstanceType<typeof Commits<false>>;
    repositories: InstanceType<typeof Repositories<false>>;
    tags: InstanceType<typeof Tags<false>>;
    pipelines: InstanceType<typeof Pipelines<false>>;
    mergeRequests: InstanceType<typeof MergeRequests<false>>;
    approvals: InstanceType<typeof MergeRequestApprovals<false>>;
    issues: InstanceType<typeof Issues<false>>;
    deployments: InstanceType<typeof Deployments<false>>;
    projects: InstanceType<typeof Projects<false>>;
  };
  /**
   * Runs gitbeaker calls with the caller's signal attached, turning any failure into a
   * {@link ShipgateError}. `what` names the operation in unexpected-error messages.
   */
  call<T>(signal: AbortSignal, what: string, work: () => Promise<T>): ResultAsync<T, ShipgateError>;
  /** POST /api/graphql with retries; GraphQL `errors` reject with `bad_query`. Call inside `call`. */
  graphql(query: string, variables: Record<string, unknown>): Promise<unknown>;
  /** GET /projects/:id once per client (id, full path, web URL). Call inside `call`. */
  projectInfo(): Promise<GitLabProjectInfo>;
}

/** Builds a {@link GitLabClient}. */
export function createGitLabClient(options: GitLabClientOptions): GitLabClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const transport = options.transport ?? {};
  const errorContext = {
    project: options.project,
    ...(options.tokenEnv ? { tokenEnv: options.tokenEnv } : {}),
  };
  const requesterFn = createGitLabRequesterFn(transport, errorContext);
  // queryTimeout null: gitbeaker would otherwise put one timer over *all pages* of a list;
  // the transport times each HTTP attempt instead.
  const common = { host: baseUrl, token: options.token, requesterFn, queryTimeout: null } as const;
  const api = {
    commits: new Commits(common),
    repositories: new Repositories(common),
    tags: new Tags(common),
    pipelines: new Pipelines(common),
    mergeRequests: new MergeRequests(common),
    approvals: new MergeRequestApprovals(common),
    issues: new Issues(common),
    deployments: new Deployments(common),
    projects: new Projects(common),
  };

  let projectInfo: Promise<GitLabProjectInfo> | undefined;

  return {
    project: options.project,
    baseUrl,
    api,
    call<T>(
      signal: AbortSignal,
      what: string,
      work: () => Promise<T>,
    ): ResultAsync<T, ShipgateError> {
      return callUnlessAborted(
        signal,
        () => withCallSignal(signal, work),
        (thrown) => toGitLabError(thrown, signal, what),
      );
    },
    async graphql(query, variables) {
      const response = await sendWithRetries(
        "graphql",
        {
          method: "POST",
          prefixUrl: `${baseUrl}/api`,
          headers: { authorization: `Bearer ${options.token}`, "content-type": "application/json" },
          body: JSON.stringify({ query, variables }),
        },
        transport,
        errorContext,
      );
      const body = response.body as { data?: unknown; errors?: { message?: unknown }[] } | null;
      if (body === null || typeof body !== "object") {
        throw new ShipgateError(
          "invalid_response",
          "GitLab GraphQL answered without a JSON object",
          {
            request: "POST /api/graphql",
          },
        );
      }
      if (Array.isArray(body.errors) && body.errors.length > 0) {
        const messages = body.errors.map((e) => String(e?.message ?? "unknown error")).join("; ");
        throw new ShipgateError("bad_query", `GitLab GraphQL rejected the query: ${messages}`, {
          request: "POST /api/graphql",
          vendorMessage: messages.slice(0, 500),
        });
      }
      return body.data;
    },
    projectInfo() {
      if (!projectInfo) {
        projectInfo = api.projects.show(options.project).then((raw) => {
          const project = parseVendor(projectSchema, raw, `GET /projects/${options.project}`);
          return {
            id: project.id,
            pathWithNamespace: project.path_with_namespace,
            webUrl: project.web_url,
          };
        });
        // A failed lookup (auth, outage) must not be cached for the life of the client.
        projectInfo.catch(() => {
          projectInfo = undefined;
        });
      }
      return projectInfo;
    },
  };
}

/** Validates a vendor response against what the adapter reads; throws `invalid_response`. */
export const parseVendor = vendorAnswerParser("GitLab's");
