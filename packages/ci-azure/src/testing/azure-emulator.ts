import { randomUUID } from "node:crypto";
import {
  type EmulatorExchange,
  parseJsonText,
  startEmulatorServer,
} from "@shipgate/core/testing/emulator";
import { listApprovals } from "./emulator/approvals.js";
import type { AzureCall, AzureHandlers } from "./emulator/azure-route.js";
import { buildHandlers } from "./emulator/builds.js";
import { gitHandlers } from "./emulator/git.js";
import { LOCATIONS, matchTemplate } from "./emulator/locations.js";
import { policyHandlers } from "./emulator/policies.js";
import { azureSeeding } from "./emulator/seeding.js";
import { createAzureState, sha1 } from "./emulator/state.js";
import type { AzureDevOpsEmulator, AzureDevOpsEmulatorOptions } from "./emulator/types.js";
import { workItemHandlers } from "./emulator/work-items.js";

// A local Azure DevOps Services organization on 127.0.0.1: the location service
// azure-devops-node-api negotiates with (OPTIONS /_apis/<area>, GET /_apis/ResourceAreas), and
// the Git, Build, Policy, Approvals and Work Item Tracking endpoints the adapter uses, shaped
// after the REST 7.1 reference. Repository history is a real commit graph, so ranges, common
// commits and peeled tags are computed. Every 2xx JSON answer is recorded for the contract
// check against AZURE_DOCUMENTED_FIELDS.

export {
  AZURE_DOCUMENTED_FIELDS,
  azureDocumentedShapeProblems,
  type DocumentedEndpoint,
  type DocumentedType,
} from "./emulator/documented-fields.js";
export type {
  AzureDevOpsEmulator,
  AzureDevOpsEmulatorOptions,
  AzureFault,
  AzureRecordedRequest,
  EmulatedPullRequest,
} from "./emulator/types.js";

/** Starts an Azure DevOps emulator on 127.0.0.1 with a free port. */
export async function startAzureDevOpsEmulator(
  options: AzureDevOpsEmulatorOptions = {},
): Promise<AzureDevOpsEmulator> {
  const token = options.token ?? "test-token-not-real";
  const s = createAzureState(options);
  const { vssError, wrapped } = s;
  const handlers: AzureHandlers = {
    ...gitHandlers(s),
    ...buildHandlers(s),
    ...policyHandlers(s),
    ...workItemHandlers(s),
  };

  const projectMatches = (value: string) =>
    value.toLowerCase() === s.projectName.toLowerCase() || value.toLowerCase() === s.projectId;
  const projectMissing = (x: EmulatorExchange, value: string) =>
    x.reply(
      404,
      vssError(
        `TF200016: The following project does not exist: ${value}. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.`,
        "ProjectDoesNotExistWithNameException",
      ),
    );
  const unknown = (x: EmulatorExchange) => {
    const line = `${x.method} ${x.target}`;
    s.unknownRequests.push(line);
    options.onUnknownRequest?.(line);
    x.reply(404, vssError("emulator: unknown route", "NotFound"));
  };

  const handle = (x: EmulatorExchange) => {
    const { method, url } = x;
    const segments = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    if (segments[0] !== s.org) return unknown(x);
    if (!x.record.authorized)
      return x.reply(
        401,
        vssError(
          "TF400813: The user '' is not authorized to access this resource.",
          "UnauthorizedRequestException",
        ),
      );
    const rest = segments.slice(1);

    if (method === "OPTIONS" && rest.length === 2 && rest[0]!.toLowerCase() === "_apis") {
      x.route("OPTIONS _apis/{area}");
      const area = rest[1]!.toLowerCase();
      const value = LOCATIONS.filter((l) => l.area.toLowerCase() === area).map((l) => ({
        id: l.id,
        area: l.area,
        resourceName: l.resourceName,
        routeTemplate: l.routeTemplate,
        resourceVersion: 3,
        minVersion: "1.0",
        maxVersion: "7.2",
        releasedVersion: "7.1",
      }));
      return x.reply(200, wrapped(value));
    }

    if (
      rest.length === 4 &&
      rest[1]!.toLowerCase() === "_apis" &&
      rest[2]!.toLowerCase() === "pipelines" &&
      rest[3]!.toLowerCase() === "approvals"
    ) {
      x.route("GET pipelines/approvals");
      if (method !== "GET") return unknown(x);
      if (!projectMatches(rest[0]!)) return projectMissing(x, rest[0]!);
      return x.reply(200, listApprovals(s, url));
    }

    for (const location of LOCATIONS) {
      const values = matchTemplate(location, rest);
      if (!values) continue;
      const route = location.routes[method];
      if (!route) continue;
      x.route(route);
      if (values.project !== undefined && !projectMatches(values.project))
        return projectMissing(x, values.project);
      const repoKey = values.repositoryId ?? values.repositoryNameOrId;
      if (
        repoKey !== undefined &&
        repoKey.toLowerCase() !== s.repositoryId &&
        repoKey.toLowerCase() !== s.repoName.toLowerCase()
      ) {
        return x.reply(
          404,
          vssError(
            `TF401019: The Git repository with name or identifier ${repoKey} does not exist or you do not have permissions for the operation you are attempting.`,
            "GitRepositoryNotFoundException",
          ),
        );
      }
      const handler = handlers[route];
      if (!handler) return unknown(x);
      const call: AzureCall = {
        url,
        values,
        body: x.text.length === 0 ? undefined : (parseJsonText(x.text) ?? x.text),
        q: (name) => url.searchParams.get(name) ?? undefined,
        headers: {},
        ok: (value, extra = {}) => x.reply(200, value, extra),
        notFound: (message, typeKey) => x.reply(404, vssError(message, typeKey)),
        send: x.reply,
      };
      return handler(call);
    }
    return unknown(x);
  };

  const server = await startEmulatorServer({
    headers: {
      "content-type": "application/json; charset=utf-8; api-version=7.1",
      "x-tfs-processid": "00000000-0000-0000-0000-000000000000",
    },
    errorBody: (status, message) =>
      status === 504 ? vssError(message, "GatewayTimeout") : vssError(message, "Fault"),
    authorize: (headers) => {
      const header = headers.authorization ?? "";
      if (!header.startsWith("Basic ")) return false;
      const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
      return decoded.slice(decoded.indexOf(":") + 1) === token;
    },
    handle,
  });
  s.base = server.url;

  return {
    get orgUrl() {
      return s.orgBase();
    },
    token,
    project: s.projectName,
    repository: s.repoName,
    repositoryId: s.repositoryId,
    requests: server.requests,
    responses: server.responses,
    unknownRequests: s.unknownRequests,
    workItems: s.workItems,
    ...azureSeeding(s),
    fail: (fault) => server.fail(fault),
    resetLog: () => server.resetLog(),
    close: () => server.close(),
  };
}

/** Used by tests: a random id no emulator commit has. */
export const missingAzureSha = () => sha1(`missing:${randomUUID()}`);
