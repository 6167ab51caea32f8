import {
  callUnlessAborted,
  ShipgateError,
  untilAborted,
  vendorAnswerParser,
  vendorCallError,
} from "@shipgate/core";
import * as azdev from "azure-devops-node-api";
import type { IBuildApi } from "azure-devops-node-api/BuildApi";
import type { ClientApiBase } from "azure-devops-node-api/ClientApiBases";
import type { IGitApi } from "azure-devops-node-api/GitApi";
import type { IPolicyApi } from "azure-devops-node-api/PolicyApi";
import type { IWorkItemTrackingApi } from "azure-devops-node-api/WorkItemTrackingApi";
import type { ResultAsync } from "neverthrow";
import type { AzureErrorContext } from "./azure-errors.js";
import { repositorySchema } from "./azure-schemas.js";
import {
  AzureThrottle,
  type AzureTransportOptions,
  azureClientOptions,
  createAzureRequestHandler,
  lastAzureRequest,
  withAzureCallSignal,
  withAzureRetries,
} from "./azure-transport.js";

/** How to reach one Azure Repos repository and its project. */
export interface AzureClientOptions {
  /** `https://dev.azure.com/acme`, or an Azure DevOps Server collection URL. */
  orgUrl: string;
  project: string;
  /** Repository name or id. */
  repository: string;
  /** Personal access token. Sent as Basic auth by the client's PAT handler, never logged. */
  token: string;
  /** Name of the env var the token came from, for error hints. */
  tokenEnv?: string;
  transport?: AzureTransportOptions;
}

/** The repository's identity, looked up once. */
export interface AzureRepositoryInfo {
  id: string;
  name: string;
  /** `https://dev.azure.com/acme/shop/_git/shop`. */
  webUrl: string;
  /** `refs/heads/main`, when the repository has one. */
  defaultBranch: string | null;
}

/** One page of a list endpoint. */
export interface AzurePage {
  value: unknown[];
  /** From the `x-ms-continuationtoken` response header. */
  continuationToken: string | undefined;
}

/** The azure-devops-node-api clients the adapter uses, with retries and cancellation. */
export interface AzureClient {
  readonly orgUrl: string;
  readonly project: string;
  readonly repository: string;
  /** Runs client calls with the caller's signal, turning any failure into a ShipgateError. */
  call<T>(signal: AbortSignal, what: string, work: () => Promise<T>): ResultAsync<T, ShipgateError>;
  /** One client call with retries; use inside `call`. Writes pass `idempotent: false`. */
  send<T>(work: () => Promise<T>, idempotent?: boolean): Promise<T>;
  git(): Promise<IGitApi>;
  build(): Promise<IBuildApi>;
  wit(): Promise<IWorkItemTrackingApi>;
  policy(): Promise<IPolicyApi>;
  /** The repository (id, name, web URL); a missing project or repository is `not_found`. */
  repo(): Promise<AzureRepositoryInfo>;
  /**
   * GET one page of a list endpoint through the client's own location negotiation and REST
   * client, keeping what the generated methods drop: the `x-ms-continuationtoken` header.
   * Returns null on 404.
   */
  getPage(
    api: ClientApiBase,
    request: {
      area: string;
      locationId: string;
      apiVersion: string;
      routeValues: Record<string, unknown>;
      query?: Record<string, unknown>;
    },
  ): Promise<AzurePage | null>;
  /** GET an URL under the organization (for endpoints the client has no method for). */
  getJson(api: ClientApiBase, relativePath: string, apiVersion: string): Promise<unknown>;
}

/** Builds an {@link AzureClient}. */
export function createAzureClient(options: AzureClientOptions): AzureClient {
  const orgUrl = options.orgUrl.replace(/\/+$/, "");
  const transport = options.transport ?? {};
  const context: AzureErrorContext = {
    orgUrl,
    project: options.project,
    repository: options.repository,
    ...(options.tokenEnv ? { tokenEnv: options.tokenEnv } : {}),
  };
  const throttle = new AzureThrottle(transport.maxRetryWaitMs ?? 60_000);
  const handler = createAzureRequestHandler(
    azdev.getPersonalAccessTokenHandler(options.token),
    transport,
  );
  const webApi = new azdev.WebApi(orgUrl, handler, azureClientOptions());

  const send = <T>(work: () => Promise<T>, idempotent = true) =>
    withAzureRetries(work, { idempotent, transport, context, throttle });

  // Each generated client looks its area's locations up once (OPTIONS /_apis/<area>) and caches
  // them; keep one client per area, and forget a failed attempt so the next call retries it.
  const lazy = <A extends ClientApiBase>(make: () => Promise<A>) => {
    let pending: Promise<A> | undefined;
    return () => {
      if (!pending) {
        pending = send(make).then((api) => instrument(api, throttle));
        pending.catch(() => {
          pending = undefined;
        });
      }
      return pending;
    };
  };
  const git = lazy(() => webApi.getGitApi() as Promise<IGitApi & ClientApiBase>);
  const build = lazy(() => webApi.getBuildApi() as Promise<IBuildApi & ClientApiBase>);
  const wit = lazy(
    () => webApi.getWorkItemTrackingApi() as Promise<IWorkItemTrackingApi & ClientApiBase>,
  );
  const policy = lazy(() => webApi.getPolicyApi() as Promise<IPolicyApi & ClientApiBase>);

  let repoInfo: Promise<AzureRepositoryInfo> | undefined;

  return {
    orgUrl,
    project: options.project,
    repository: options.repository,
    call<T>(
      signal: AbortSignal,
      what: string,
      work: () => Promise<T>,
    ): ResultAsync<T, ShipgateError> {
      // typed-rest-client has no cancellation of its own: the signal reaches the socket through
      // the request handler, and untilAborted releases the caller at once.
      return callUnlessAborted(
        signal,
        () => untilAborted(withAzureCallSignal(signal, work), signal),
        (thrown) => toAzureError(thrown, signal, what),
      );
    },
    send,
    git,
    build,
    wit,
    policy,
    repo() {
      if (!repoInfo) {
        repoInfo = (async () => {
          const api = await git();
          const raw = await send(() => api.getRepository(options.repository, options.project));
          if (raw === null || raw === undefined) {
            throw new ShipgateError(
              "not_found",
              `Azure DevOps has no repository ${options.repository} in project ${options.project} at ${orgUrl}, or the token cannot see it`,
              {
                field: "with.repository",
                hint: "Check org_url, project and repository, and that the token has the Code (Read) scope",
              },
            );
          }
          const repo = parseVendor(
            repositorySchema,
            raw,
            `GET git/repositories/${options.repository}`,
          );
          return {
            id: repo.id,
            name: repo.name,
            webUrl: repo.webUrl ?? `${orgUrl}/${options.project}/_git/${repo.name}`,
            defaultBranch: repo.defaultBranch ?? null,
          };
        })();
        repoInfo.catch(() => {
          repoInfo = undefined;
        });
      }
      return repoInfo;
    },
    async getPage(api, request) {
      return send(async () => {
        const version = await api.vsoClient.getVersioningData(
          request.apiVersion,
          request.area,
          request.locationId,
          request.routeValues,
          request.query,
        );
        const response = await api.rest.get<unknown>(
          version.requestUrl ?? "",
          api.createRequestOptions("application/json", version.apiVersion ?? request.apiVersion),
        );
        if (response.statusCode === 404 || response.result === null) return null;
        const token = response.headers?.["x-ms-continuationtoken" as keyof typeof response.headers];
        const value = api.formatResponse(response.result, null, true) as unknown;
        return {
          value: Array.isArray(value) ? value : [],
          continuationToken: typeof token === "string" && token !== "" ? token : undefined,
        };
      });
    },
    async getJson(api, relativePath, apiVersion) {
      return send(async () => {
        const separator = relativePath.includes("?") ? "&" : "?";
        const url = `${orgUrl}/${relativePath}${separator}api-version=${apiVersion}`;
        const response = await api.rest.get<unknown>(
          url,
          api.createRequestOptions("application/json", apiVersion),
        );
        return response.result;
      });
    },
  };
}

/**
 * Watches every response of a generated client: rate-limit headers (Azure DevOps delays with
 * `Retry-After` on a 200 before it refuses with a 429, and the next request should wait), and
 * malformed JSON, which typed-rest-client would otherwise turn into a silent `null` result
 * (indistinguishable from "not found").
 */
function instrument<A extends ClientApiBase>(api: A, throttle: AzureThrottle): A {
  type Response = {
    message: { statusCode?: number; headers: Record<string, string | string[] | undefined> };
    readBody: () => Promise<string>;
  };
  const client = api.rest.client as unknown as {
    request: (...args: unknown[]) => Promise<Response>;
  };
  const original = client.request.bind(client);
  client.request = async (...args: unknown[]) => {
    const response = await original(...args);
    throttle.observe(response.message.headers);
    const status = response.message.statusCode ?? 0;
    const type = String(response.message.headers["content-type"] ?? "");
    if (status >= 200 && status < 300 && type.includes("json")) {
      const text = await response.readBody();
      response.readBody = async () => text;
      if (text.trim() !== "") {
        try {
          JSON.parse(text);
        } catch (cause) {
          throw new ShipgateError("invalid_response", "Azure DevOps answered with malformed JSON", {
            ...(lastAzureRequest() ? { request: lastAzureRequest() } : {}),
            status,
            cause,
          });
        }
      }
    }
    return response;
  };
  return api;
}

/** Validates a vendor value against what the adapter reads; throws `invalid_response`. */
export const parseVendor = vendorAnswerParser("Azure DevOps'");

/** Turns whatever a client call rejected with into a {@link ShipgateError}. */
export function toAzureError(thrown: unknown, signal: AbortSignal, what: string): ShipgateError {
  return vendorCallError(thrown, signal, what);
}
