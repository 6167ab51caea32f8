import {
  type EmulatorExchange,
  type EmulatorResponseToCheck,
  startEmulatorServer,
} from "@shipgate/core/testing/emulator";
import { actionRoutes } from "./emulator/actions.js";
import { checkRoutes } from "./emulator/checks.js";
import { commitRoutes } from "./emulator/commits.js";
import { gitRefRoutes } from "./emulator/git-refs.js";
import { issueRoutes } from "./emulator/issues.js";
import { NOT_FOUND, type Reply, type Route } from "./emulator/route.js";
import { runGraphql } from "./github-emulator-graphql.js";
import { GitHubPayloads } from "./github-emulator-payloads.js";
import { EmulatedRepository } from "./github-emulator-state.js";
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
  let faults: (EmulatorFault & { left: number })[] = [];
  let replays: (ReplayEntry & { used: boolean })[] = [];
  let rateRemaining = 5000;
  let origin = "";
  let routes: Route[] = [];

  // The contract hook: REST answers are named after their OpenAPI operation.
  const validate = ({ route: operationId, status, body }: EmulatorResponseToCheck) => {
    if (!validator || !operationId) return [];
    if (validator.documents(operationId, status))
      return validator.validate(operationId, status, body);
    return status >= 400
      ? validator.validateSchema("basic-error", body)
      : [`${operationId} does not document status ${status}`];
  };

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

  function send(x: EmulatorExchange, record: EmulatedRequestRecord, reply: Reply) {
    record.status = reply.status;
    requests.push(record);
    if (x.closed) return;
    const headers: Record<string, string> = {
      "x-github-api-version-selected": "2022-11-28",
      "x-github-media-type": "github.v3; format=json",
      "x-github-request-id": `EMU:${requests.length}`,
      ...rateHeaders(record.kind === "graphql" ? "graphql" : "core"),
      ...reply.headers,
    };
    if (reply.text !== undefined) {
      headers["content-type"] ??= "text/plain; charset=utf-8";
      return x.replyText(reply.status, reply.text, headers);
    }
    if (reply.status === 204 || reply.body === undefined)
      return x.replyText(reply.status, "", headers);
    if (record.kind === "rest" && reply.operationId) x.route(reply.operationId);
    headers["content-type"] = "application/json; charset=utf-8";
    x.reply(reply.status, reply.body, headers);
  }

  async function handle(x: EmulatorExchange): Promise<void> {
    const { method, url: self } = x;
    const enterprise = self.pathname.startsWith("/api/v3/") || self.pathname === "/api/v3";
    const path = enterprise ? self.pathname.slice("/api/v3".length) || "/" : self.pathname;
    const isGraphql =
      method === "POST" && (path === "/graphql" || self.pathname === "/api/graphql");
    const record: EmulatedRequestRecord = {
      method,
      path: x.target,
      status: 0,
      kind: isGraphql ? "graphql" : "rest",
    };

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
      return send(x, record, {
        status: replay.status,
        headers,
        body,
        ...(replay.operationId ? { operationId: replay.operationId } : {}),
      });
    }

    if (options.acceptToken !== undefined) {
      const auth = x.headers.authorization ?? "";
      const presented = auth.replace(/^(token|bearer)\s+/i, "");
      if (presented !== options.acceptToken) {
        return send(x, record, {
          status: 401,
          body: {
            message: "Bad credentials",
            documentation_url: "https://docs.github.com/rest",
            status: "401",
          },
        });
      }
    }

    const fault = faults.find((f) => f.left > 0 && faultMatches(f, method, path, isGraphql));
    if (fault) {
      fault.left -= 1;
      if (fault.delayMs) await x.delay(fault.delayMs);
      if (fault.destroy) {
        record.status = 0;
        requests.push(record);
        return x.destroy();
      }
      if (fault.status !== undefined) {
        return send(x, record, {
          status: fault.status,
          body: fault.body,
          headers: fault.headers ?? {},
        });
      }
      if (x.closed) {
        requests.push(record);
        return;
      }
    }

    let parsed: Record<string, unknown> = {};
    if (x.text) {
      try {
        parsed = JSON.parse(x.text) as Record<string, unknown>;
      } catch {
        return send(x, record, {
          status: 400,
          body: {
            message: "Problems parsing JSON",
            documentation_url: "https://docs.github.com/rest",
            status: "400",
          },
        });
      }
    }

    if (isGraphql) {
      const outcome = await runGraphql(repository, origin, parsed);
      for (const p of outcome.queryProblems) server.contractProblems.push(`GraphQL query: ${p}`);
      if (validator || options.validateResponses) {
        for (const p of outcome.responseProblems)
          server.contractProblems.push(`GraphQL response: ${p}`);
      }
      return send(x, record, { status: 200, body: outcome.body });
    }

    const prefix = `/repos/${owner}/${name}`;
    const lower = path.toLowerCase();
    if (!lower.startsWith(`${prefix.toLowerCase()}/`) && lower !== prefix.toLowerCase()) {
      return send(x, record, { status: 404, body: NOT_FOUND });
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
        accept: String(x.headers.accept ?? ""),
        self,
      });
      return send(x, record, { operationId: route.operationId, ...reply });
    }
    send(x, record, { status: 404, body: NOT_FOUND });
  }

  const server = await startEmulatorServer({ readsBody: () => true, validate, handle });
  origin = server.url;
  const payloads = new GitHubPayloads(repository, origin, origin);
  routes = [
    ...commitRoutes(repository, payloads),
    ...checkRoutes(repository, payloads),
    ...gitRefRoutes(repository, payloads),
    ...issueRoutes(repository, payloads),
    ...actionRoutes(repository, payloads),
  ];

  return {
    url: origin,
    enterpriseUrl: `${origin}/api/v3`,
    repository,
    requests,
    specViolations: server.contractProblems,
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
    close: () => server.close(),
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
