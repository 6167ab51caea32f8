// A local GitLab (REST v4 + the one GraphQL query the adapter sends), on 127.0.0.1, shaped
// after GitLab's published API reference, built on the core emulator kit. It keeps a real
// commit graph, so ancestry, merge bases and compares are computed, not scripted. Every 2xx
// JSON answer is recorded so tests can check it against GITLAB_DOCUMENTED_FIELDS.
import {
  type EmulatorExchange,
  matchRoute,
  startEmulatorServer,
} from "@shipgate/core/testing/emulator";
import { deploymentRoutes } from "./emulator/deployments.js";
import type { GitLabCall, GitLabRoute } from "./emulator/gitlab-route.js";
import { answerGraphql } from "./emulator/graphql.js";
import { issueRoutes } from "./emulator/issues.js";
import { mergeRequestRoutes } from "./emulator/merge-requests.js";
import { gitLabPage } from "./emulator/pagination.js";
import { pipelineRoutes } from "./emulator/pipelines.js";
import { repositoryRoutes } from "./emulator/repository.js";
import { gitLabSeeding } from "./emulator/seeding.js";
import { createGitLabState } from "./emulator/state.js";
import type { GitLabEmulator, GitLabEmulatorOptions } from "./emulator/types.js";

export * from "./emulator/documented-fields.js";
export * from "./emulator/types.js";

/** Starts a GitLab emulator on 127.0.0.1 with a free port. */
export async function startGitLabEmulator(
  options: GitLabEmulatorOptions = {},
): Promise<GitLabEmulator> {
  const token = options.token ?? "test-token-not-real";
  const s = createGitLabState(options);
  const routes: GitLabRoute[] = [
    ...repositoryRoutes(s),
    ...pipelineRoutes(s),
    ...mergeRequestRoutes(s),
    ...issueRoutes(s),
    ...deploymentRoutes(s),
  ];

  const unknown = (x: EmulatorExchange) => {
    const line = `${x.method} ${x.target}`;
    s.unknownRequests.push(line);
    options.onUnknownRequest?.(line);
    x.reply(404, { error: "404 Not Found" });
  };

  const handle = (x: EmulatorExchange) => {
    const { method, url } = x;
    const auth = x.record.authorized;
    const body = method === "GET" ? {} : parseBody(x.text);
    if (url.pathname === "/api/graphql" && method === "POST") {
      x.route("POST /api/graphql");
      if (!auth) return x.reply(401, { message: "401 Unauthorized" });
      return x.reply(200, answerGraphql(s, body));
    }
    if (!url.pathname.startsWith("/api/v4/")) return unknown(x);
    const segments = url.pathname.slice("/api/v4/".length).split("/").map(decodeURIComponent);
    if (segments[0] !== "projects" || segments.length < 2) return unknown(x);
    if (!auth) return x.reply(401, { message: "401 Unauthorized" });
    const idOrPath = segments[1]!;
    if (idOrPath !== String(s.projectId) && idOrPath !== s.projectPath) {
      return x.reply(404, { message: "404 Project Not Found" });
    }
    const rest = segments.slice(2);
    const match = matchRoute(routes, method, rest);
    if (!match) return unknown(x);
    x.route(match.name);
    const call: GitLabCall = {
      record: x.record,
      url,
      rest,
      params: { ...Object.fromEntries(url.searchParams), ...body },
      send: x.reply,
      list: (items) => {
        const { page, headers } = gitLabPage(url, items, s.pagination);
        x.reply(200, page, headers);
      },
    };
    return match.route.handle(call, match.params);
  };

  const server = await startEmulatorServer({
    headers: { "content-type": "application/json" },
    authorize: (h) => h["private-token"] === token || h.authorization === `Bearer ${token}`,
    readsBody: (method) => method !== "GET",
    handle,
  });
  s.base = server.url;

  return {
    url: server.url,
    token,
    projectId: s.projectId,
    projectPath: s.projectPath,
    requests: server.requests,
    responses: server.responses,
    unknownRequests: s.unknownRequests,
    issues: s.issues,
    ...gitLabSeeding(s),
    fail: (fault) => server.fail(fault),
    resetLog: () => server.resetLog(),
    close: () => server.close(),
  };
}

/** A request body: JSON object, or form fields; `{}` when empty. */
function parseBody(text: string): Record<string, unknown> {
  if (text.length === 0) return {};
  try {
    const parsed = JSON.parse(text);
    return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
  } catch {
    return Object.fromEntries(new URLSearchParams(text));
  }
}
