import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { runGraphql } from "./github-emulator-graphql.js";
import { GitHubPayloads } from "./github-emulator-payloads.js";
import { EmulatedRepository, type EmulatedStatus } from "./github-emulator-state.js";
import { loadOpenApiValidator, type OpenApiResponseValidator } from "./github-openapi-validator.js";

/** Options of {@link startGitHubEmulator}. */
export interface GitHubEmulatorOptions {
  /** Repository owner served (default `acme`). */
  owner?: string;
  /** Repository name served (default `shop`). */
  repo?: string;
  /**
   * Test mode: validate every JSON response against GitHub's OpenAPI description (REST) or
   * GraphQL schema, and record each mismatch in `specViolations`. Needs the dev
   * dependencies `@octokit/openapi`, `ajv` and `ajv-formats`. Default false.
   */
  validateResponses?: boolean;
  /** When set, requests must carry this token (`Authorization: token …`); others get 401. */
  acceptToken?: string;
}

/** One request the emulator answered. Never holds headers, so never a token. */
export interface EmulatedRequestRecord {
  method: string;
  /** Path and query as received (including an `/api/v3` prefix). */
  path: string;
  status: number;
  kind: "rest" | "graphql";
  operationId?: string;
}

/** A canned answer for matching requests, used to inject failures. */
export interface EmulatorFault {
  method?: string;
  /** Matched against the path without `/api/v3` and without query. */
  path?: RegExp | string;
  /** Only GraphQL requests. */
  graphql?: boolean;
  /** How many matching requests get this answer (default 1; `Infinity` for all). */
  times?: number;
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Wait this long before answering (for timeouts). */
  delayMs?: number;
  /** Drop the connection without an answer (a network error). */
  destroy?: boolean;
}

/** A recorded exchange to serve back verbatim (e.g. from `@octokit/fixtures`). */
export interface ReplayEntry {
  method: string;
  /** Path and query as recorded, e.g. `/repositories/1000/issues?per_page=3&page=2`. */
  path: string;
  status: number;
  headers: Record<string, string>;
  response: unknown;
  /** The OpenAPI operation, to validate the recorded body in test mode. */
  operationId?: string;
}

/** A running GitHub emulator. */
export interface GitHubEmulator {
  /** REST base URL like api.github.com's, e.g. `http://127.0.0.1:39123`. */
  readonly url: string;
  /** The same server as GitHub Enterprise Server lays it out: `…/api/v3` (GraphQL at `…/api/graphql`). */
  readonly enterpriseUrl: string;
  /** The emulated repository; seed it directly. */
  readonly repository: EmulatedRepository;
  /** Every request answered, in order. */
  readonly requests: EmulatedRequestRecord[];
  /** Responses (or queries) that did not match GitHub's published contract. */
  readonly specViolations: string[];
  /** The OpenAPI description's version used for validation, when validating. */
  readonly specVersion: string | undefined;
  /** Queues a failure for the next matching request(s). */
  fault(fault: EmulatorFault): void;
  /** Drops queued faults. */
  clearFaults(): void;
  /** Serves these recorded exchanges (in order, each once) before anything else. */
  replay(entries: ReplayEntry[]): void;
  /** Recorded exchanges not yet served. */
  pendingReplays(): ReplayEntry[];
  close(): Promise<void>;
}

const NOT_FOUND = {
  message: "Not Found",
  documentation_url: "https://docs.github.com/rest",
  status: "404",
};

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  operationId?: string;
  /** Raw text body (custom media types). */
  text?: string;
}

interface RouteContext {
  params: string[];
  query: URLSearchParams;
  body: Record<string, unknown>;
  accept: string;
  /** Absolute URL of this request, for Link headers. */
  self: URL;
}

type Route = {
  method: string;
  pattern: RegExp;
  operationId: string;
  handle: (ctx: RouteContext) => Reply;
};

/**
 * Starts an emulator of the GitHub REST and GraphQL APIs for one repository on 127.0.0.1
 * (a free port). It speaks GitHub's wire format: Link-header pagination, rate-limit headers,
 * GitHub's error bodies, `Accept: application/vnd.github.sha`, and GraphQL executed against
 * GitHub's published schema. Only what shipgate uses is emulated.
 *
 * @example
 * ```ts
 * const gh = await startGitHubEmulator({ validateResponses: true });
 * const base = gh.repository.push("main", { message: "initial" });
 * const provider = createGitHubProvider({ owner: "acme", repo: "shop", token: "test", baseUrl: gh.url });
 * ```
 */
export async function startGitHubEmulator(
  options: GitHubEmulatorOptions = {},
): Promise<GitHubEmulator> {
  const owner = options.owner ?? "acme";
  const name = options.repo ?? "shop";
  const repository = new EmulatedRepository(owner, name);
  const validator: OpenApiResponseValidator | undefined = options.validateResponses
    ? await loadOpenApiValidator()
    : undefined;
  const requests: EmulatedRequestRecord[] = [];
  const specViolations: string[] = [];
  let faults: (EmulatorFault & { left: number })[] = [];
  let replays: (ReplayEntry & { used: boolean })[] = [];
  let rateRemaining = 5000;

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      specViolations.push(`emulator crashed: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "emulator error" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const payloads = new GitHubPayloads(repository, origin, origin);
  const routes = buildRoutes(repository, payloads);

  function rateHeaders(resource: "core" | "graphql"): Record<string, string> {
    rateRemaining = Math.max(0, rateRemaining - 1);
    return {
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": String(rateRemaining),
      "x-ratelimit-used": String(5000 - rateRemaining),
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
      "x-ratelimit-resource": resource,
    };
  }

  function send(
    req: IncomingMessage,
    res: ServerResponse,
    record: EmulatedRequestRecord,
    reply: Reply,
  ): void {
    record.status = reply.status;
    requests.push(record);
    if (res.destroyed) return;
    const headers: Record<string, string> = {
      "x-github-api-version-selected": "2022-11-28",
      "x-github-media-type": "github.v3; format=json",
      "x-github-request-id": `EMU:${requests.length}`,
      ...rateHeaders(record.kind === "graphql" ? "graphql" : "core"),
      ...reply.headers,
    };
    if (reply.text !== undefined) {
      headers["content-type"] ??= "text/plain; charset=utf-8";
      res.writeHead(reply.status, headers);
      res.end(reply.text);
      return;
    }
    if (reply.status === 204 || reply.body === undefined) {
      res.writeHead(reply.status, headers);
      res.end();
      return;
    }
    if (validator && record.kind === "rest" && reply.operationId) {
      const problems = validator.documents(reply.operationId, reply.status)
        ? validator.validate(reply.operationId, reply.status, reply.body)
        : reply.status >= 400
          ? validator.validateSchema("basic-error", reply.body)
          : [`${reply.operationId} does not document status ${reply.status}`];
      for (const p of problems) specViolations.push(`${req.method} ${record.path}: ${p}`);
    }
    headers["content-type"] = "application/json; charset=utf-8";
    res.writeHead(reply.status, headers);
    res.end(JSON.stringify(reply.body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const rawPath = req.url ?? "/";
    const self = new URL(rawPath, origin);
    const enterprise = self.pathname.startsWith("/api/v3/") || self.pathname === "/api/v3";
    const path = enterprise ? self.pathname.slice("/api/v3".length) || "/" : self.pathname;
    const isGraphql =
      method === "POST" && (path === "/graphql" || self.pathname === "/api/graphql");
    const record: EmulatedRequestRecord = {
      method,
      path: rawPath,
      status: 0,
      kind: isGraphql ? "graphql" : "rest",
    };
    const bodyText = await readBody(req);

    const replay = replays.find((r) => !r.used && replayMatches(r, method, self));
    if (replay) {
      replay.used = true;
      if (replay.operationId) record.operationId = replay.operationId;
      const rewrite = (text: string) => text.replaceAll("https://api.github.com", origin);
      const headers = Object.fromEntries(
        Object.entries(replay.headers)
          .filter(
            ([k]) =>
              !/^(content-length|connection|transfer-encoding|content-encoding|status)$/i.test(k),
          )
          .map(([k, v]) => [k.toLowerCase(), rewrite(String(v))]),
      );
      const body =
        typeof replay.response === "string" && replay.response === ""
          ? undefined
          : JSON.parse(rewrite(JSON.stringify(replay.response)));
      send(req, res, record, {
        status: replay.status,
        headers,
        body,
        ...(replay.operationId ? { operationId: replay.operationId } : {}),
      });
      return;
    }

    if (options.acceptToken !== undefined) {
      const auth = req.headers.authorization ?? "";
      const presented = auth.replace(/^(token|bearer)\s+/i, "");
      if (presented !== options.acceptToken) {
        send(req, res, record, {
          status: 401,
          body: {
            message: "Bad credentials",
            documentation_url: "https://docs.github.com/rest",
            status: "401",
          },
        });
        return;
      }
    }

    const fault = faults.find((f) => f.left > 0 && faultMatches(f, method, path, isGraphql));
    if (fault) {
      fault.left -= 1;
      if (fault.delayMs) await delay(fault.delayMs, res);
      if (fault.destroy) {
        record.status = 0;
        requests.push(record);
        req.socket.destroy();
        return;
      }
      if (fault.status !== undefined) {
        send(req, res, record, {
          status: fault.status,
          body: fault.body,
          headers: fault.headers ?? {},
        });
        return;
      }
      if (res.destroyed) {
        requests.push(record);
        return;
      }
    }

    let parsed: Record<string, unknown> = {};
    if (bodyText) {
      try {
        parsed = JSON.parse(bodyText) as Record<string, unknown>;
      } catch {
        send(req, res, record, {
          status: 400,
          body: {
            message: "Problems parsing JSON",
            documentation_url: "https://docs.github.com/rest",
            status: "400",
          },
        });
        return;
      }
    }

    if (isGraphql) {
      const outcome = await runGraphql(repository, origin, parsed);
      for (const p of outcome.queryProblems) specViolations.push(`GraphQL query: ${p}`);
      if (validator || options.validateResponses) {
        for (const p of outcome.responseProblems) specViolations.push(`GraphQL response: ${p}`);
      }
      send(req, res, record, { status: 200, body: outcome.body });
      return;
    }

    const prefix = `/repos/${owner}/${name}`;
    const lower = path.toLowerCase();
    if (!lower.startsWith(`${prefix.toLowerCase()}/`) && lower !== prefix.toLowerCase()) {
      send(req, res, record, { status: 404, body: NOT_FOUND });
      return;
    }
    const rest = path.slice(prefix.length) || "/";
    for (const route of routes) {
      if (route.method !== method) continue;
      const match = route.pattern.exec(rest);
      if (!match) continue;
      record.operationId = route.operationId;
      const reply = route.handle({
        params: match.slice(1).map((p) => decodeURIComponent(p)),
        query: self.searchParams,
        body: parsed,
        accept: String(req.headers.accept ?? ""),
        self,
      });
      send(req, res, record, { operationId: route.operationId, ...reply });
      return;
    }
    send(req, res, record, { status: 404, body: NOT_FOUND });
  }

  return {
    url: origin,
    enterpriseUrl: `${origin}/api/v3`,
    repository,
    requests,
    specViolations,
    specVersion: validator?.specVersion,
    fault(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    clearFaults() {
      faults = [];
    },
    replay(entries) {
      replays = [...replays, ...entries.map((e) => ({ ...e, used: false }))];
    },
    pendingReplays() {
      return replays.filter((r) => !r.used);
    },
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

function replayMatches(entry: ReplayEntry, method: string, url: URL): boolean {
  if (entry.method.toUpperCase() !== method) return false;
  const recorded = new URL(entry.path, "http://recorded.invalid");
  const pathname = url.pathname.replace(/^\/api\/v3(?=\/)/, "");
  if (recorded.pathname !== pathname) return false;
  // Pages must line up; other query parameters (filters the adapter adds) may differ.
  return (recorded.searchParams.get("page") ?? "1") === (url.searchParams.get("page") ?? "1");
}

function faultMatches(f: EmulatorFault, method: string, path: string, graphql: boolean): boolean {
  if (f.graphql !== undefined && f.graphql !== graphql) return false;
  if (f.method && f.method.toUpperCase() !== method) return false;
  if (f.path instanceof RegExp) return f.path.test(path);
  if (typeof f.path === "string") return path.includes(f.path);
  return true;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function delay(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    res.on("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Slices `items` like GitHub's REST pagination and builds the Link header. */
function paginate<T>(
  items: T[],
  ctx: RouteContext,
  defaults: { perPage: number; maxPerPage: number } = { perPage: 30, maxPerPage: 100 },
): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(
    Math.max(1, Number(ctx.query.get("per_page") ?? defaults.perPage) || defaults.perPage),
    defaults.maxPerPage,
  );
  const page = Math.max(1, Number(ctx.query.get("page") ?? 1) || 1);
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const link = (p: number, rel: string) => {
    const u = new URL(ctx.self);
    u.searchParams.set("per_page", String(perPage));
    u.searchParams.set("page", String(p));
    return `<${u.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(page - 1, "prev"));
  if (page < lastPage) links.push(link(page + 1, "next"), link(lastPage, "last"));
  if (page > 1) links.push(link(1, "first"));
  return { page: slice, headers: links.length > 0 ? { link: links.join(", ") } : {} };
}

function validationFailed(message: string, documentation: string, field?: string): Reply {
  return {
    status: 422,
    body: {
      message,
      documentation_url: documentation,
      ...(field ? { errors: [{ resource: "Request", field, code: "invalid" }] } : {}),
      status: "422",
    },
  };
}

function latestBy<T extends { id: number }>(items: T[], key: (item: T) => string): T[] {
  const latest = new Map<string, T>();
  for (const item of items) {
    const seen = latest.get(key(item));
    if (!seen || item.id > seen.id) latest.set(key(item), item);
  }
  return [...latest.values()];
}

function buildRoutes(repo: EmulatedRepository, p: GitHubPayloads): Route[] {
  const noCommit = (ref: string, docs: string) =>
    validationFailed(`No commit found for SHA: ${ref}`, docs);
  return [
    {
      method: "GET",
      pattern: /^\/commits\/([^/]+)$/,
      operationId: "repos/get-commit",
      handle: ({ params, accept }) => {
        const sha = repo.resolveCommit(params[0]!);
        if (!sha) {
          return noCommit(params[0]!, "https://docs.github.com/rest/commits/commits#get-a-commit");
        }
        if (/application\/vnd\.github(\.v3)?\.sha/.test(accept)) {
          return {
            status: 200,
            text: sha,
            headers: {
              "content-type": "application/vnd.github.sha; charset=utf-8",
              "x-github-media-type": "github.v3; param=sha",
            },
          };
        }
        return { status: 200, body: p.commit(repo.commits.get(sha)!, true) };
      },
    },
    {
      method: "GET",
      pattern: /^\/commits$/,
      operationId: "repos/list-commits",
      handle: (ctx) => {
        const head = repo.resolveCommit(ctx.query.get("sha") ?? "main");
        if (!head) return { status: 404, body: NOT_FOUND };
        const all = repo.chronological(repo.ancestors(head)).reverse();
        const { page, headers } = paginate(all, ctx);
        return { status: 200, body: page.map((c) => p.commit(c)), headers };
      },
    },
    {
      method: "GET",
      pattern: /^\/compare\/(.+)$/,
      operationId: "repos/compare-commits-with-basehead",
      handle: (ctx) => {
        const spec = ctx.params[0]!;
        const split = spec.indexOf("...");
        if (split < 0) return { status: 404, body: NOT_FOUND };
        const baseSha = repo.resolveCommit(spec.slice(0, split));
        const headSha = repo.resolveCommit(spec.slice(split + 3));
        if (!baseSha || !headSha) return { status: 404, body: NOT_FOUND };
        const fromBase = repo.ancestors(baseSha);
        const fromHead = repo.ancestors(headSha);
        const common = [...fromHead].filter((s) => fromBase.has(s));
        if (common.length === 0) {
          return {
            status: 404,
            body: {
              message: `No common ancestor between ${spec.slice(0, split)} and ${spec.slice(split + 3)}.`,
              documentation_url: "https://docs.github.com/rest/commits/commits#compare-two-commits",
              status: "404",
            },
          };
        }
        const mergeBase = repo.chronological(common).at(-1)!;
        const ahead = repo.chronological([...fromHead].filter((s) => !fromBase.has(s)));
        const behindBy = [...fromBase].filter((s) => !fromHead.has(s)).length;
        const paged = ctx.query.has("page") || ctx.query.has("per_page");
        let commits = ahead;
        let headers: Record<string, string> = {};
        let firstPage = true;
        if (paged) {
          const sliced = paginate(ahead, ctx);
          commits = sliced.page;
          headers = sliced.headers;
          firstPage = Number(ctx.query.get("page") ?? 1) <= 1;
        } else {
          // Without paging parameters GitHub returns the most recent 250 commits.
          commits = ahead.slice(-250);
        }
        const files = firstPage
          ? [...new Set(ahead.flatMap((c) => c.files))]
              .slice(0, 300)
              .map((f) => p.diffEntry(f, headSha))
          : [];
        const status =
          ahead.length > 0 && behindBy > 0
            ? "diverged"
            : ahead.length > 0
              ? "ahead"
              : behindBy > 0
                ? "behind"
                : "identical";
        const web = `${p.repoWeb}/compare/${spec}`;
        return {
          status: 200,
          headers,
          body: {
            url: `${p.repoApi}/compare/${spec}`,
            html_url: web,
            permalink_url: `${p.repoWeb}/compare/${repo.owner}:${baseSha}...${repo.owner}:${headSha}`,
            diff_url: `${web}.diff`,
            patch_url: `${web}.patch`,
            base_commit: p.commit(repo.commits.get(baseSha)!),
            merge_base_commit: p.commit(mergeBase),
            status,
            ahead_by: ahead.length,
            behind_by: behindBy,
            total_commits: ahead.length,
            commits: commits.map((c) => p.commit(c)),
            files,
          },
        };
      },
    },
    {
      method: "GET",
      pattern: /^\/commits\/([^/]+)\/check-runs$/,
      operationId: "checks/list-for-ref",
      handle: (ctx) => {
        const sha = repo.resolveCommit(ctx.params[0]!);
        if (!sha) {
          return noCommit(
            ctx.params[0]!,
            "https://docs.github.com/rest/checks/runs#list-check-runs-for-a-git-reference",
          );
        }
        let runs = repo.checkRuns.filter((r) => r.headSha === sha);
        if ((ctx.query.get("filter") ?? "latest") === "latest")
          runs = latestBy(runs, (r) => r.name);
        const checkName = ctx.query.get("check_name");
        if (checkName) runs = runs.filter((r) => r.name === checkName);
        runs.sort((a, b) => b.id - a.id);
        const { page, headers } = paginate(runs, ctx);
        return {
          status: 200,
          headers,
          body: { total_count: runs.length, check_runs: page.map((r) => p.checkRun(r)) },
        };
      },
    },
    {
      method: "GET",
      pattern: /^\/commits\/([^/]+)\/status$/,
      operationId: "repos/get-combined-status-for-ref",
      handle: (ctx) => {
        const sha = repo.resolveCommit(ctx.params[0]!);
        if (!sha) return { status: 404, body: NOT_FOUND };
        const latest: EmulatedStatus[] = latestBy(
          repo.statuses.filter((s) => s.sha === sha),
          (s) => s.context,
        ).sort((a, b) => a.id - b.id);
        const { page, headers } = paginate(latest, ctx);
        return { status: 200, headers, body: p.combinedStatus(sha, latest, page) };
      },
    },
    {
      method: "GET",
      pattern: /^\/branches\/(.+)\/protection$/,
      operationId: "repos/get-branch-protection",
      handle: ({ params }) => {
        const body = p.protection(params[0]!);
        if (body) return { status: 200, body };
        return {
          status: 404,
          body: {
            message: "Branch not protected",
            documentation_url:
              "https://docs.github.com/rest/branches/branch-protection#get-branch-protection",
            status: "404",
          },
        };
      },
    },
    {
      method: "GET",
      pattern: /^\/git\/matching-refs\/(.+)$/,
      operationId: "git/list-matching-refs",
      handle: ({ params }) => {
        const prefix = `refs/${params[0]!}`;
        const refs = [...repo.refs.entries()]
          .filter(([ref]) => ref.startsWith(prefix))
          .sort(([a], [b]) => a.localeCompare(b));
        return { status: 200, body: refs.map(([ref, sha]) => p.gitRef(ref, sha)) };
      },
    },
    {
      method: "GET",
      pattern: /^\/git\/ref\/(.+)$/,
      operationId: "git/get-ref",
      handle: ({ params }) => {
        const ref = `refs/${params[0]!}`;
        const sha = repo.refs.get(ref);
        return sha ? { status: 200, body: p.gitRef(ref, sha) } : { status: 404, body: NOT_FOUND };
      },
    },
    {
      method: "GET",
      pattern: /^\/git\/tags\/([0-9a-f]{40})$/,
      operationId: "git/get-tag",
      handle: ({ params }) => {
        const tag = repo.tagObjects.get(params[0]!);
        return tag ? { status: 200, body: p.gitTag(tag) } : { status: 404, body: NOT_FOUND };
      },
    },
    {
      method: "POST",
      pattern: /^\/git\/tags$/,
      operationId: "git/create-tag",
      handle: ({ body }) => {
        const docs = "https://docs.github.com/rest/git/tags#create-a-tag-object";
        const { tag, message, object, type } = body;
        if (typeof tag !== "string" || tag === "")
          return validationFailed("Validation Failed", docs, "tag");
        if (typeof message !== "string")
          return validationFailed("Validation Failed", docs, "message");
        if (type !== "commit" && type !== "tag")
          return validationFailed("Validation Failed", docs, "type");
        if (
          typeof object !== "string" ||
          !(type === "commit" ? repo.commits.has(object) : repo.tagObjects.has(object))
        ) {
          return validationFailed("Object does not exist", docs);
        }
        const tagger = body.tagger as { name?: string; email?: string; date?: string } | undefined;
        const sha = repo.createTagObject({
          tag,
          message,
          objectSha: object,
          objectType: type,
          ...(tagger?.name ? { taggerName: tagger.name } : {}),
          ...(tagger?.email ? { taggerEmail: tagger.email } : {}),
          ...(tagger?.date ? { taggerDate: tagger.date } : {}),
        });
        return {
          status: 201,
          body: p.gitTag(repo.tagObjects.get(sha)!),
          headers: { location: `${p.repoApi}/git/tags/${sha}` },
        };
      },
    },
    {
      method: "POST",
      pattern: /^\/git\/refs$/,
      operationId: "git/create-ref",
      handle: ({ body }) => {
        const docs = "https://docs.github.com/rest/git/refs#create-a-reference";
        const { ref, sha } = body;
        if (typeof ref !== "string" || !/^refs\/[^/]+\/.+/.test(ref)) {
          return validationFailed("Reference name is invalid", docs);
        }
        if (typeof sha !== "string" || !(repo.commits.has(sha) || repo.tagObjects.has(sha))) {
          return validationFailed("Object does not exist", docs);
        }
        if (repo.refs.has(ref)) return validationFailed("Reference already exists", docs);
        repo.refs.set(ref, sha);
        return {
          status: 201,
          body: p.gitRef(ref, sha),
          headers: { location: `${p.repoApi}/git/${ref}` },
        };
      },
    },
    {
      method: "POST",
      pattern: /^\/issues$/,
      operationId: "issues/create",
      handle: ({ body }) => {
        if (typeof body.title !== "string" || body.title === "") {
          return validationFailed(
            "Validation Failed",
            "https://docs.github.com/rest/issues/issues#create-an-issue",
            "title",
          );
        }
        const now = repo.tick(0);
        const number = repo.number();
        const labels = Array.isArray(body.labels)
          ? body.labels.filter((l): l is string => typeof l === "string")
          : [];
        repo.issues.set(number, {
          number,
          id: repo.id(),
          title: body.title,
          body: typeof body.body === "string" ? body.body : null,
          labels,
          state: "open",
          stateReason: null,
          author: "shipgate-bot",
          createdAt: now,
          updatedAt: now,
          closedAt: null,
          comments: [],
        });
        return {
          status: 201,
          body: p.issue(repo.issues.get(number)!),
          headers: { location: `${p.repoApi}/issues/${number}` },
        };
      },
    },
    {
      method: "GET",
      pattern: /^\/issues$/,
      operationId: "issues/list-for-repo",
      handle: (ctx) => {
        const state = ctx.query.get("state") ?? "open";
        const wanted = (ctx.query.get("labels") ?? "")
          .split(",")
          .map((l) => l.trim().toLowerCase())
          .filter(Boolean);
        const issues = [...repo.issues.values()]
          .filter((i) => state === "all" || i.state === state)
          .filter((i) => wanted.every((w) => i.labels.some((l) => l.toLowerCase() === w)))
          .sort((a, b) => b.number - a.number);
        const { page, headers } = paginate(issues, ctx);
        return { status: 200, headers, body: page.map((i) => p.issue(i)) };
      },
    },
    {
      method: "GET",
      pattern: /^\/issues\/(\d+)$/,
      operationId: "issues/get",
      handle: ({ params }) => {
        const issue = repo.issues.get(Number(params[0]));
        return issue ? { status: 200, body: p.issue(issue) } : { status: 404, body: NOT_FOUND };
      },
    },
    {
      method: "PATCH",
      pattern: /^\/issues\/(\d+)$/,
      operationId: "issues/update",
      handle: ({ params, body }) => {
        const issue = repo.issues.get(Number(params[0]));
        if (!issue) return { status: 404, body: NOT_FOUND };
        if (body.state === "closed" || body.state === "open") {
          issue.state = body.state;
          issue.closedAt = body.state === "closed" ? repo.tick(0) : null;
          issue.stateReason =
            body.state === "closed"
              ? body.state_reason === "not_planned"
                ? "not_planned"
                : "completed"
              : "reopened";
        }
        if (typeof body.title === "string") issue.title = body.title;
        if (typeof body.body === "string") issue.body = body.body;
        issue.updatedAt = repo.tick(0);
        return { status: 200, body: p.issue(issue) };
      },
    },
    {
      method: "POST",
      pattern: /^\/issues\/(\d+)\/comments$/,
      operationId: "issues/create-comment",
      handle: ({ params, body }) => {
        const issue = repo.issues.get(Number(params[0]));
        if (!issue) return { status: 404, body: NOT_FOUND };
        if (typeof body.body !== "string" || body.body === "") {
          return validationFailed(
            "Validation Failed",
            "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
            "body",
          );
        }
        const comment = {
          id: repo.id(),
          body: body.body,
          author: "shipgate-bot",
          createdAt: repo.tick(0),
        };
        issue.comments.push(comment);
        return { status: 201, body: p.issueComment(issue, comment) };
      },
    },
    {
      method: "GET",
      pattern: /^\/actions\/runs$/,
      operationId: "actions/list-workflow-runs-for-repo",
      handle: (ctx) => {
        const headSha = ctx.query.get("head_sha");
        const runs = repo.workflowRuns
          .filter((r) => !headSha || r.headSha === headSha)
          .sort((a, b) => b.id - a.id);
        const { page, headers } = paginate(runs, ctx);
        return {
          status: 200,
          headers,
          body: { total_count: runs.length, workflow_runs: page.map((r) => p.workflowRun(r)) },
        };
      },
    },
    {
      method: "GET",
      pattern: /^\/actions\/runs\/(\d+)\/approvals$/,
      operationId: "actions/get-reviews-for-run",
      handle: ({ params }) => {
        const run = repo.workflowRuns.find((r) => r.id === Number(params[0]));
        if (!run) return { status: 404, body: NOT_FOUND };
        return {
          status: 200,
          body: run.approvals.map((a, i) => p.environmentApproval(a, i)),
        };
      },
    },
  ];
}
