import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import { abortedError, ShipgateError } from "@shipgate/core";
import Bottleneck from "bottleneck/light.js";
import { errAsync, ResultAsync } from "neverthrow";
import type { z } from "zod";
import { GitHubRequestTimeoutError, toGitHubError } from "./github-errors.js";

/** Octokit with the throttling and retry plugins composed on, as GitHub recommends. */
const ShipgateOctokit = Octokit.plugin(throttling, retry);

/** Where the adapter's diagnostics go. Messages never contain the token. */
export interface GitHubLogger {
  warn(message: string): void;
  debug?(message: string): void;
}

/**
 * Knobs for tests and simulations. Production keeps GitHub's own numbers: one second per
 * `Retry-After` second, 1 s between writes, retry backoff `(n+1)² × 1 s`.
 */
export interface GitHubTiming {
  /** Milliseconds per second of `Retry-After` / `x-ratelimit-reset` (default 1000). */
  rateLimitSecondMs?: number;
  /** Base of the 5xx/network retry backoff, in ms (default 1000). */
  retryBaseMs?: number;
  /** Minimum spacing of writes and GraphQL queries, in ms (default 1000, GitHub's guidance). */
  writeIntervalMs?: number;
  /** Minimum spacing of writes that notify people (new issues, comments), in ms (default 3000). */
  notificationIntervalMs?: number;
}

/** Options of {@link createGitHubClient}. */
export interface GitHubClientOptions {
  owner: string;
  repo: string;
  /** The token itself (read from the environment by the provider; never logged). */
  token: string;
  /** The environment variable the token came from, named in auth error hints. */
  tokenEnv?: string;
  /** REST base URL; `https://ghe.example.com/api/v3` for GitHub Enterprise Server. */
  baseUrl?: string;
  /** Per HTTP attempt, in ms (default 30 000). */
  requestTimeoutMs?: number;
  /** Retries of 5xx and network failures (default 3). */
  maxRetries?: number;
  /** Rate-limit waits longer than this are not waited out: the call fails `rate_limited` (default 120 000). */
  maxRateLimitWaitMs?: number;
  /** Rate-limit retries per request (default 3). */
  maxRateLimitRetries?: number;
  /** A fetch implementation (tests, proxies). */
  fetch?: typeof globalThis.fetch;
  log?: GitHubLogger;
  userAgent?: string;
  timing?: GitHubTiming;
}

/** What one adapter call is doing, for error messages. */
export interface CallContext {
  /** e.g. `list check runs for abc1234` */
  action: string;
  /** e.g. `checks: read (fine-grained) or repo (classic)` */
  permission?: string;
}

/** Request helpers bound to one call's `AbortSignal`. */
export interface BoundGitHub {
  /** A REST request; the response body is checked against `schema`. */
  rest<T>(
    route: string,
    params: Record<string, unknown>,
    schema: z.ZodType<T>,
  ): Promise<{ data: T; status: number; headers: Record<string, string | number | undefined> }>;
  /** Every page of a REST list (Link headers), items picked from each page and checked. */
  pages<T>(
    route: string,
    params: Record<string, unknown>,
    pick: (data: unknown) => unknown,
    itemSchema: z.ZodType<T>,
  ): Promise<{ items: T[]; requests: number; lastPage: unknown }>;
  /** A GraphQL query; the `data` is checked against `schema`. */
  graphql<T>(query: string, variables: Record<string, unknown>, schema: z.ZodType<T>): Promise<T>;
}

/** A configured GitHub client: Octokit plus error mapping and cancellation. */
export interface GitHubClient {
  /** The underlying Octokit (throttling and retry plugins applied), for calls not covered here. */
  readonly octokit: Octokit;
  readonly owner: string;
  readonly repo: string;
  /** `owner/repo`. */
  readonly repository: string;
  /**
   * Runs `work` with request helpers bound to `signal`, mapping every failure to a
   * {@link ShipgateError}. Resolves to `aborted` as soon as the signal fires, even while a
   * rate-limit or retry wait is pending; never throws.
   */
  run<T>(
    signal: AbortSignal,
    context: CallContext,
    work: (gh: BoundGitHub) => Promise<T>,
  ): ResultAsync<T, ShipgateError>;
}

let clientCount = 0;

/**
 * Builds the Octokit client every part of this package uses: throttling (honours
 * `Retry-After` and `x-ratelimit-reset`, bounded by `maxRateLimitWaitMs`), retry of 5xx and
 * network errors with backoff (bounded by `maxRetries`), no retry of 401/403/404/422, and a
 * per-attempt timeout.
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  clientCount += 1;
  const timing = options.timing ?? {};
  const rateLimitSecondMs = timing.rateLimitSecondMs ?? 1000;
  const maxWaitMs = options.maxRateLimitWaitMs ?? 120_000;
  const maxRateLimitRetries = options.maxRateLimitRetries ?? 3;
  const log = options.log ?? { warn: (m: string) => console.warn(m) };
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const repository = `${options.owner}/${options.repo}`;

  const onLimit =
    (kind: string) =>
    (
      retryAfterSeconds: number,
      request: { method: string; url: string },
      _o: unknown,
      retryCount: number,
    ) => {
      const waitMs = retryAfterSeconds * 1000;
      const retrying = retryCount < maxRateLimitRetries && waitMs <= maxWaitMs;
      log.warn(
        `GitHub ${kind} rate limit on ${request.method} ${request.url}: ${
          retrying
            ? `retrying after ${retryAfterSeconds} s`
            : `giving up (asked to wait ${retryAfterSeconds} s)`
        }`,
      );
      return retrying;
    };

  const octokit = new ShipgateOctokit({
    auth: options.token,
    baseUrl: (options.baseUrl ?? "https://api.github.com").replace(/\/+$/, ""),
    userAgent: options.userAgent ?? "shipgate-ci-github",
    log: {
      debug: (m: string) => log.debug?.(m),
      info: (m: string) => log.debug?.(m),
      warn: (m: string) => log.warn(m),
      // Octokit logs every failed request at error level; failures reach callers as Results.
      error: (m: string) => log.debug?.(m),
    },
    request: { fetch: withTimeout(options.fetch ?? globalThis.fetch, timeoutMs) },
    retry: {
      retries: options.maxRetries ?? 3,
      retryAfterBaseValue: timing.retryBaseMs ?? 1000,
      // 429 belongs to the throttling plugin (it reads Retry-After); retrying it blindly here
      // would ignore the header.
      doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451],
    },
    throttle: {
      id: `shipgate-ci-github-${clientCount}`,
      retryAfterBaseValue: rateLimitSecondMs,
      fallbackSecondaryRateRetryAfter: 60,
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: timing.writeIntervalMs ?? 1000 }),
      notifications: new Bottleneck.Group({
        maxConcurrent: 1,
        minTime: timing.notificationIntervalMs ?? 3000,
      }),
      onRateLimit: onLimit("primary"),
      onSecondaryRateLimit: onLimit("secondary"),
    },
  });

  const bind = (signal: AbortSignal): BoundGitHub => {
    const withSignal = (params: Record<string, unknown>) => ({
      ...params,
      request: { ...((params.request as object | undefined) ?? {}), signal },
    });
    const request = Object.assign(
      (route: string | Record<string, unknown>, params?: Record<string, unknown>) =>
        typeof route === "string"
          ? octokit.request(route, withSignal(params ?? {}))
          : octokit.request(withSignal(route) as never),
      { endpoint: octokit.request.endpoint },
    );
    return {
      async rest(route, params, schema) {
        const response = await request(route, {
          owner: options.owner,
          repo: options.repo,
          ...params,
        });
        return {
          data: checked(schema, response.data, route),
          status: response.status,
          headers: response.headers as Record<string, string | number | undefined>,
        };
      },
      async pages(route, params, pick, itemSchema) {
        // paginate() drops per-request options after page one, so hand it a request function
        // that re-attaches the signal to every page.
        const endpoint = octokit.request.endpoint(route, {
          owner: options.owner,
          repo: options.repo,
          ...params,
        });
        const items: unknown[] = [];
        let requests = 0;
        let lastPage: unknown;
        for await (const page of octokit.paginate.iterator(request as never, endpoint as never)) {
          requests += 1;
          lastPage = (page as { data: unknown }).data;
          const picked = pick(lastPage);
          if (!Array.isArray(picked)) throw invalidResponse(route, "expected a list");
          items.push(...picked);
          if (signal.aborted) throw abortedError(signal);
        }
        return {
          items: items.map((item) => checked(itemSchema, item, route)),
          requests,
          lastPage,
        };
      },
      async graphql(query, variables, schema) {
        const data = await octokit.graphql(query, { ...variables, request: { signal } });
        return checked(schema, data, "POST /graphql");
      },
    };
  };

  return {
    octokit,
    owner: options.owner,
    repo: options.repo,
    repository,
    run(signal, context, work) {
      if (signal.aborted) return errAsync(abortedError(signal));
      let detach = () => {};
      const aborted = new Promise<never>((_, reject) => {
        const onAbort = () => reject(abortedError(signal));
        signal.addEventListener("abort", onAbort, { once: true });
        detach = () => signal.removeEventListener("abort", onAbort);
      });
      const attempt = (async () => work(bind(signal)))();
      return ResultAsync.fromPromise(Promise.race([attempt, aborted]), (thrown) =>
        toGitHubError(thrown, {
          repository,
          action: context.action,
          ...(context.permission ? { permission: context.permission } : {}),
          ...(options.tokenEnv ? { tokenEnv: options.tokenEnv } : {}),
          signal,
        }),
      )
        .andTee(detach)
        .orTee(detach);
    },
  };
}

/** Checks a vendor payload; a mismatch is GitHub not keeping its own contract. */
function checked<T>(schema: z.ZodType<T>, data: unknown, route: string): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw invalidResponse(
    route,
    issue ? `${issue.path.join(".") || "(body)"}: ${issue.message}` : "unexpected shape",
  );
}

function invalidResponse(route: string, detail: string): ShipgateError {
  return new ShipgateError(
    "invalid_response",
    `GitHub answered ${route} with an unexpected payload (${detail})`,
    { request: route },
  );
}

/**
 * Wraps fetch with a per-attempt timeout. A timeout surfaces as
 * {@link GitHubRequestTimeoutError} (Octokit retries it like a network error); the caller's
 * own abort surfaces as an `AbortError`, which no plugin retries.
 */
function withTimeout(base: typeof globalThis.fetch, timeoutMs: number): typeof globalThis.fetch {
  return async (input, init = {}) => {
    const caller = init.signal ?? undefined;
    if (caller?.aborted) throw new DOMException("The operation was aborted", "AbortError");
    const timer = AbortSignal.timeout(timeoutMs);
    const signal = caller ? AbortSignal.any([caller, timer]) : timer;
    try {
      return await base(input, { ...init, signal });
    } catch (error) {
      if (caller?.aborted) throw new DOMException("The operation was aborted", "AbortError");
      if (timer.aborted) throw new GitHubRequestTimeoutError(timeoutMs);
      throw error;
    }
  };
}
