import { ShipgateError, vendorCallError } from "@shipgate/core";
import type { GitLabErrorContext } from "./gitlab-error-context.js";

/** What the transport knows about a failed HTTP exchange. */
export interface GitLabHttpFailure {
  status: number;
  /** `METHOD /path?query`, secret-free. */
  request: string;
  /** The raw response body. */
  body: string;
  retryAfterMs: number | undefined;
  attempts: number;
  context: GitLabErrorContext;
}

/** GitLab's error bodies: `{"message": "404 Project Not Found"}` or OAuth-style `{error, error_description, scope}`. */
export function gitlabVendorMessage(body: string): {
  message: string | undefined;
  scope: string | undefined;
} {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const raw = parsed.message ?? parsed.error_description ?? parsed.error;
    const message =
      typeof raw === "string" ? raw : raw === undefined ? undefined : JSON.stringify(raw);
    const scope = typeof parsed.scope === "string" ? parsed.scope : undefined;
    return { message: message?.slice(0, 500), scope };
  } catch {
    const text = body.trim();
    return { message: text.length > 0 ? text.slice(0, 200) : undefined, scope: undefined };
  }
}

/** Maps a final (non-retried, or retries exhausted) HTTP failure onto a {@link ShipgateError}. */
export function gitlabHttpError(failure: GitLabHttpFailure): ShipgateError {
  const { status, request, context } = failure;
  const { message: vendorMessage, scope } = gitlabVendorMessage(failure.body);
  const token = context.tokenEnv ? `the token in ${context.tokenEnv}` : "the GitLab token";
  const common = {
    status,
    request,
    ...(vendorMessage !== undefined ? { vendorMessage } : {}),
    ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
  };
  if (status === 401) {
    return new ShipgateError(
      "auth",
      `GitLab rejected ${token} (401): it is missing, expired or revoked`,
      {
        ...common,
        hint: "Create a personal, project or group access token with the read_api scope (api to create tags and incidents) and export it",
      },
    );
  }
  if (status === 403) {
    const needed = scope ?? (request.startsWith("GET ") ? "read_api" : "api");
    return new ShipgateError(
      "auth",
      `GitLab refused ${request.split(" ")[0]} on project ${context.project} (403): ${token} lacks the \`${needed}\` scope or its user lacks the role`,
      {
        ...common,
        hint: `Give ${token} the ${needed} scope and at least the Reporter role on ${context.project} (Developer to create tags, Maintainer on protected tags)`,
      },
    );
  }
  if (status === 404) {
    return new ShipgateError(
      "not_found",
      `GitLab answered 404${vendorMessage ? ` (${vendorMessage})` : ""}: project ${context.project} or the object asked for does not exist, or ${token} cannot see it`,
      {
        ...common,
        hint: `Check \`project\` (${context.project}) and that ${token} belongs to a member of it`,
      },
    );
  }
  if (status === 409)
    return new ShipgateError("conflict", `GitLab reported a conflict (409)`, common);
  if (status === 429) {
    return new ShipgateError(
      "rate_limited",
      `GitLab kept rate-limiting the request (${failure.attempts} attempts)`,
      {
        ...common,
        hint: "Wait for the rate limit window to reset, or raise the limit for this token on self-managed GitLab",
      },
    );
  }
  if (status >= 500) {
    return new ShipgateError(
      "unavailable",
      `GitLab failed with ${status} (${failure.attempts} attempts)`,
      common,
    );
  }
  return new ShipgateError("bad_query", `GitLab rejected the request (${status})`, common);
}

/**
 * Turns whatever a gitbeaker call rejected with into a {@link ShipgateError}. The transport
 * already throws ShipgateErrors; anything else is an abort or a bug.
 */
export function toGitLabError(thrown: unknown, signal: AbortSignal, what: string): ShipgateError {
  return vendorCallError(thrown, signal, what);
}
