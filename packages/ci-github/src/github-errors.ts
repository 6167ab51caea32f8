import { abortedError, ShipgateError } from "@shipgate/core";

/** Thrown by the adapter's fetch wrapper when one HTTP attempt exceeds `request_timeout_ms`. */
export class GitHubRequestTimeoutError extends Error {
  override readonly name = "GitHubRequestTimeoutError";
  constructor(readonly timeoutMs: number) {
    super(`GitHub did not answer within ${timeoutMs} ms`);
  }
}

/** What an error mapping needs to know to say something useful. Never holds the token. */
export interface GitHubErrorContext {
  /** `owner/repo`. */
  repository: string;
  /** The environment variable the token came from, to name in hints (never its value). */
  tokenEnv?: string;
  /** What the adapter was doing, e.g. `list check runs for abc1234`. */
  action: string;
  /** Token permission the call needs (fine-grained name, then classic scope). */
  permission?: string;
  signal?: AbortSignal;
}

interface RequestErrorLike {
  status: number;
  message: string;
  request?: { method?: string; url?: string };
  response?: { headers?: Record<string, string | undefined>; data?: unknown; url?: string };
  cause?: unknown;
}

interface GraphqlErrorLike {
  name: string;
  errors: { type?: string; message: string }[];
  request?: { query?: string };
  headers?: Record<string, string | undefined>;
}

function isRequestError(value: unknown): value is RequestErrorLike {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { status?: unknown }).status === "number" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

function isGraphqlError(value: unknown): value is GraphqlErrorLike {
  return (
    typeof value === "object" &&
    value !== null &&
    Array.isArray((value as { errors?: unknown }).errors) &&
    (value as { name?: unknown }).name === "GraphqlResponseError"
  );
}

/** The response headers of a GraphQL answer whose errors say RATE_LIMITED, if that is what this is. */
function graphqlRateLimit(value: unknown): Record<string, string | undefined> | undefined {
  const v = value as {
    data?: { errors?: { type?: unknown }[] };
    response?: { headers?: Record<string, string | undefined> };
  } | null;
  const errors = v?.data?.errors;
  if (!Array.isArray(errors) || !errors.some((e) => e?.type === "RATE_LIMITED")) return undefined;
  return v?.response?.headers ?? {};
}

/** Walks `cause` links looking for a match. */
function findCause(value: unknown, test: (v: unknown) => boolean): unknown {
  let current = value;
  for (let depth = 0; depth < 8 && current; depth++) {
    if (test(current)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** `GET /repos/acme/shop/commits/abc` — method and path only, no host, query or secret. */
export function describeRequest(request: { method?: string; url?: string } | undefined): string {
  if (!request?.url) return request?.method ?? "request";
  let path = request.url;
  try {
    const url = new URL(request.url);
    path = url.pathname;
  } catch {
    path = request.url.split("?")[0] ?? request.url;
  }
  return `${request.method ?? "GET"} ${path}`;
}

/** The vendor's own message, without the documentation link Octokit appends. */
function vendorMessageOf(error: RequestErrorLike): string | undefined {
  const data = error.response?.data;
  if (data && typeof data === "object" && "message" in data) {
    return String((data as { message: unknown }).message);
  }
  if (typeof data === "string" && data.length > 0 && data.length < 500) return data;
  return undefined;
}

/** True when a 403/429 is GitHub's rate limiting rather than a permission problem. */
export function isRateLimitResponse(
  status: number,
  headers: Record<string, string | undefined> | undefined,
  message: string | undefined,
): boolean {
  if (status === 429) return true;
  if (status !== 403) return false;
  if (headers?.["x-ratelimit-remaining"] === "0") return true;
  if (headers?.["retry-after"] !== undefined) return true;
  return /\b(secondary )?rate limit/i.test(message ?? "");
}

/** How long GitHub asked us to wait, from `retry-after` or `x-ratelimit-reset`. */
export function retryAfterMsOf(
  headers: Record<string, string | undefined> | undefined,
  now = Date.now(),
): number | undefined {
  const retryAfter = headers?.["retry-after"];
  if (retryAfter !== undefined && retryAfter !== "" && Number.isFinite(Number(retryAfter))) {
    return Math.max(0, Number(retryAfter) * 1000);
  }
  const reset = headers?.["x-ratelimit-reset"];
  if (
    reset !== undefined &&
    Number.isFinite(Number(reset)) &&
    headers?.["x-ratelimit-remaining"] === "0"
  ) {
    return Math.max(0, Number(reset) * 1000 - now);
  }
  return undefined;
}

/**
 * Maps whatever Octokit threw onto a {@link ShipgateError}: 401/403 → `auth` (naming the
 * token's environment variable and the permission needed), 403/429 rate limits →
 * `rate_limited`, 404 → `not_found` (naming the repository), 409 → `conflict`, 400/422 →
 * `bad_query`, 5xx and network → `unavailable`, per-attempt timeout → `timeout`, abort →
 * `aborted`. Messages carry the method and path, never a header or the token.
 */
export function toGitHubError(thrown: unknown, ctx: GitHubErrorContext): ShipgateError {
  if (ShipgateError.isInstance(thrown)) return thrown;
  if (ctx.signal?.aborted) return abortedError(ctx.signal);
  const timeout = findCause(thrown, (v) => v instanceof GitHubRequestTimeoutError) as
    | GitHubRequestTimeoutError
    | undefined;
  if (timeout) {
    return new ShipgateError(
      "timeout",
      `GitHub did not answer in time while trying to ${ctx.action} in ${ctx.repository} (${timeout.timeoutMs} ms per attempt, retries included)`,
      {
        request: isRequestError(thrown) ? describeRequest(thrown.request) : undefined,
        hint: "Raise with.request_timeout_ms, or check the network path to GitHub",
        cause: thrown,
      },
    );
  }
  if (findCause(thrown, (v) => (v as { name?: unknown }).name === "AbortError")) {
    return abortedError(ctx.signal);
  }
  if (isGraphqlError(thrown)) return graphqlError(thrown, ctx);
  const limited = graphqlRateLimit(thrown);
  if (limited) {
    // The throttling plugin gave up on a GraphQL RATE_LIMITED answer.
    const retryAfterMs = retryAfterMsOf({ ...limited, "x-ratelimit-remaining": "0" });
    return new ShipgateError(
      "rate_limited",
      `GitHub GraphQL rate limit hit while trying to ${ctx.action} in ${ctx.repository}`,
      {
        request: "POST /graphql",
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        hint: "Wait for the limit to reset, or raise with.max_rate_limit_wait_ms",
        cause: thrown,
      },
    );
  }
  if (isRequestError(thrown)) return requestError(thrown, ctx);
  const text = thrown instanceof Error ? thrown.message : String(thrown);
  return new ShipgateError("internal", `Unexpected error while trying to ${ctx.action}: ${text}`, {
    cause: thrown,
  });
}

function tokenName(ctx: GitHubErrorContext): string {
  return ctx.tokenEnv ? `the token in ${ctx.tokenEnv}` : "the GitHub token";
}

function requestError(error: RequestErrorLike, ctx: GitHubErrorContext): ShipgateError {
  const request = describeRequest(error.request);
  const vendorMessage = vendorMessageOf(error);
  const headers = error.response?.headers;
  const status = error.status;
  const base = { request, status, vendorMessage, cause: error };
  const said = vendorMessage ? `: ${vendorMessage}` : "";

  if (!error.response) {
    // @octokit/request reports network failures as status 500 without a response.
    return new ShipgateError(
      "unavailable",
      `Could not reach GitHub while trying to ${ctx.action} in ${ctx.repository} (${error.message})`,
      {
        ...base,
        status: undefined,
        vendorMessage: undefined,
        hint: "Check with.base_url and the network",
      },
    );
  }
  if (isRateLimitResponse(status, headers, vendorMessage)) {
    const retryAfterMs = retryAfterMsOf(headers);
    const secondary = /secondary rate limit/i.test(vendorMessage ?? "");
    return new ShipgateError(
      "rate_limited",
      `GitHub ${secondary ? "secondary " : ""}rate limit hit while trying to ${ctx.action} in ${ctx.repository} (${status})${said}`,
      {
        ...base,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        hint: "Wait for the limit to reset, or raise with.max_rate_limit_wait_ms",
      },
    );
  }
  if (status === 401) {
    return new ShipgateError(
      "auth",
      `GitHub rejected ${tokenName(ctx)} (401${said}) while trying to ${ctx.action}`,
      { ...base, hint: `Check that ${tokenName(ctx)} is a valid, unexpired GitHub token` },
    );
  }
  if (status === 403) {
    const accepted = headers?.["x-accepted-github-permissions"];
    const acceptedScopes = headers?.["x-accepted-oauth-scopes"];
    const needs = accepted
      ? `a fine-grained token with ${accepted.replaceAll("=", ": ")}`
      : acceptedScopes
        ? `a classic token with scope ${acceptedScopes}`
        : ctx.permission
          ? ctx.permission
          : "access to the repository";
    return new ShipgateError(
      "auth",
      `${capitalize(tokenName(ctx))} may not ${ctx.action} in ${ctx.repository} (403${said})`,
      { ...base, hint: `Grant ${needs} on ${ctx.repository}` },
    );
  }
  if (status === 404) {
    return new ShipgateError(
      "not_found",
      `GitHub found nothing at ${request} while trying to ${ctx.action} (404${said})`,
      {
        ...base,
        hint: `Check with.owner/with.repo (${ctx.repository}) and the names asked for; a private repository the token cannot see also answers 404`,
      },
    );
  }
  if (status === 409) {
    return new ShipgateError(
      "conflict",
      `GitHub refused to ${ctx.action} in ${ctx.repository} (409${said})`,
      base,
    );
  }
  if (status >= 500) {
    return new ShipgateError(
      "unavailable",
      `GitHub failed (${status}${said}) while trying to ${ctx.action} in ${ctx.repository}, retries included`,
      base,
    );
  }
  return new ShipgateError(
    "bad_query",
    `GitHub rejected the request to ${ctx.action} in ${ctx.repository} (${status}${said})`,
    { ...base, ...(errorsDetail(error) ? { details: { errors: errorsDetail(error) } } : {}) },
  );
}

function errorsDetail(error: RequestErrorLike): unknown[] | undefined {
  const data = error.response?.data;
  if (data && typeof data === "object" && Array.isArray((data as { errors?: unknown }).errors)) {
    return (data as { errors: unknown[] }).errors;
  }
  return undefined;
}

function graphqlError(error: GraphqlErrorLike, ctx: GitHubErrorContext): ShipgateError {
  const first = error.errors[0];
  const vendorMessage = error.errors.map((e) => e.message).join("; ");
  const base = { request: "POST /graphql", vendorMessage, cause: error };
  switch (first?.type) {
    case "NOT_FOUND":
      return new ShipgateError(
        "not_found",
        `GitHub GraphQL found nothing while trying to ${ctx.action}: ${vendorMessage}`,
        { ...base, hint: `Check with.owner/with.repo (${ctx.repository})` },
      );
    case "FORBIDDEN":
    case "INSUFFICIENT_SCOPES":
      return new ShipgateError(
        "auth",
        `${capitalize(tokenName(ctx))} may not ${ctx.action} in ${ctx.repository}: ${vendorMessage}`,
        { ...base, hint: `Grant ${ctx.permission ?? "read access"} on ${ctx.repository}` },
      );
    case "RATE_LIMITED": {
      const retryAfterMs = retryAfterMsOf({ ...error.headers, "x-ratelimit-remaining": "0" });
      return new ShipgateError(
        "rate_limited",
        `GitHub GraphQL rate limit hit while trying to ${ctx.action}`,
        { ...base, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) },
      );
    }
    default:
      return new ShipgateError(
        "bad_query",
        `GitHub rejected the GraphQL query to ${ctx.action}: ${vendorMessage}`,
        base,
      );
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
