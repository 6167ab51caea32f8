import { parseRetryAfterMs, ShipgateError } from "@shipgate/core";

/**
 * Maps what the Slack clients throw onto {@link ShipgateError}. The clients' errors carry the
 * axios request (with the webhook URL or the `Authorization` header), so they are never
 * attached as `cause`: only the status, Slack's error code and our own words travel on.
 */

const PAYLOAD_REFUSED =
  "Slack refused the message itself; this is a bug in @shipgate/notify-slack, please report it with the release report";

/** Reads `code`, `original.response` and friends off an unknown thrown value. */
function pick(value: unknown, ...path: string[]): unknown {
  let current: unknown = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function networkError(original: unknown, request: string, what: string): ShipgateError {
  const code = pick(original, "code");
  if (code === "ECONNABORTED" || code === "ETIMEDOUT") {
    return new ShipgateError("timeout", `${what} did not answer in time`, {
      request,
      hint: "Raise timeout_ms or check the network",
    });
  }
  if (code === "ERR_CANCELED")
    return new ShipgateError("aborted", "The operation was aborted", { request });
  return new ShipgateError(
    "unavailable",
    `Could not reach ${what}${typeof code === "string" ? ` (${code})` : ""}`,
    {
      request,
      hint: "Check the network and Slack's status page",
    },
  );
}

/**
 * Maps an error thrown by `IncomingWebhook.send` (`@slack/webhook`). Slack's webhook answers
 * plain-text codes with HTTP statuses: 400 `invalid_payload`/`invalid_blocks`/`no_text`,
 * 403 `action_prohibited`/`invalid_token`, 404 `no_service`/`channel_not_found`,
 * 410 `channel_is_archived`, 429 with `Retry-After`, 5xx `rollup_error`.
 *
 * @param secretName where the URL came from (e.g. `SLACK_WEBHOOK_URL`), for hints.
 */
export function webhookError(thrown: unknown, secretName: string): ShipgateError {
  const request = "POST <incoming webhook URL>";
  const code = pick(thrown, "code");
  if (code === "slack_webhook_request_error") {
    return networkError(pick(thrown, "original"), request, "the Slack incoming webhook");
  }
  if (code !== "slack_webhook_http_error") {
    return new ShipgateError("internal", "The Slack webhook client failed unexpectedly", {
      request,
    });
  }
  const status = Number(pick(thrown, "original", "response", "status"));
  const body = pick(thrown, "original", "response", "data");
  const vendorMessage = typeof body === "string" ? body.slice(0, 200) : undefined;
  const says = vendorMessage ? `: ${vendorMessage}` : "";
  const common = { status, request, vendorMessage };
  if (status === 429) {
    const retryAfterMs = parseRetryAfterMs(
      pick(thrown, "original", "response", "headers", "retry-after"),
    );
    return new ShipgateError("rate_limited", "Slack rate-limited the incoming webhook (HTTP 429)", {
      ...common,
      retryAfterMs,
    });
  }
  if (status === 401 || status === 403) {
    return new ShipgateError("auth", `Slack refused the incoming webhook (HTTP ${status}${says})`, {
      ...common,
      hint: `The webhook in ${secretName} is revoked or its workspace restricts posting; create a new incoming webhook for the channel`,
    });
  }
  if (status === 404 || status === 410) {
    return new ShipgateError(
      "not_found",
      `Slack does not know this incoming webhook or its channel (HTTP ${status}${says})`,
      {
        ...common,
        hint: `Check ${secretName}: the app may be uninstalled, the webhook removed or the channel archived`,
      },
    );
  }
  if (status >= 500) {
    return new ShipgateError(
      "unavailable",
      `Slack failed to accept the notification (HTTP ${status}${says})`,
      common,
    );
  }
  return new ShipgateError("bad_query", `Slack refused the notification (HTTP ${status}${says})`, {
    ...common,
    retryable: false,
    hint: status === 400 ? PAYLOAD_REFUSED : undefined,
  });
}

const AUTH_ERRORS = new Set([
  "not_authed",
  "invalid_auth",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "no_permission",
  "missing_scope",
  "not_in_channel",
  "access_denied",
  "ekm_access_denied",
  "org_login_required",
  "team_access_not_granted",
  "restricted_action",
  "restricted_action_read_only_channel",
  "restricted_action_thread_only_channel",
  "not_allowed_token_type",
]);

const UNAVAILABLE_ERRORS = new Set([
  "internal_error",
  "fatal_error",
  "service_unavailable",
  "request_timeout",
  "team_added_to_org",
]);

/**
 * Maps an error thrown by `WebClient.chat.postMessage` (`@slack/web-api`). The Web API answers
 * HTTP 200 with `{ ok: false, error }` for almost everything; the client turns those into
 * platform errors, HTTP 429 into rate-limited errors and other statuses into HTTP errors.
 *
 * @param secretName where the token came from (e.g. `SLACK_BOT_TOKEN`), for hints.
 */
export function chatError(
  thrown: unknown,
  context: { secretName: string; channel: string },
): ShipgateError {
  const request = `POST chat.postMessage (channel ${context.channel})`;
  const code = pick(thrown, "code");
  if (code === "slack_webapi_platform_error") {
    const error = String(pick(thrown, "data", "error") ?? "unknown_error");
    const details =
      pick(thrown, "data", "errors") ?? pick(thrown, "data", "response_metadata", "messages");
    const detailText =
      Array.isArray(details) && details.length ? ` (${details.slice(0, 3).join("; ")})` : "";
    const vendorMessage = `${error}${detailText}`.slice(0, 500);
    const common = { request, vendorMessage };
    if (AUTH_ERRORS.has(error)) {
      return new ShipgateError("auth", `Slack refused the bot token: ${error}`, {
        ...common,
        hint: authHint(error, context, pick(thrown, "data", "needed")),
      });
    }
    if (error === "channel_not_found" || error === "is_archived") {
      return new ShipgateError(
        "not_found",
        `Slack cannot post to channel ${context.channel}: ${error}`,
        {
          ...common,
          hint: "Use the channel ID (C…) from the channel's details; for a private channel invite the app first",
        },
      );
    }
    if (error === "ratelimited" || error === "rate_limited") {
      return new ShipgateError("rate_limited", "Slack rate-limited chat.postMessage", common);
    }
    if (UNAVAILABLE_ERRORS.has(error)) {
      return new ShipgateError(
        "unavailable",
        `Slack failed to post the notification: ${error}`,
        common,
      );
    }
    return new ShipgateError("bad_query", `Slack refused the notification: ${vendorMessage}`, {
      ...common,
      retryable: false,
      hint: PAYLOAD_REFUSED,
    });
  }
  if (code === "slack_webapi_rate_limited_error") {
    const seconds = Number(pick(thrown, "retryAfter"));
    return new ShipgateError("rate_limited", "Slack rate-limited chat.postMessage (HTTP 429)", {
      status: 429,
      request,
      retryAfterMs: Number.isFinite(seconds) ? Math.max(0, seconds * 1000) : undefined,
    });
  }
  if (code === "slack_webapi_http_error") {
    const status = Number(pick(thrown, "statusCode"));
    if (status === 401 || status === 403) {
      return new ShipgateError("auth", `Slack refused the request (HTTP ${status})`, {
        status,
        request,
        hint: `Check the token in ${context.secretName}`,
      });
    }
    if (status === 404) {
      return new ShipgateError("not_found", "The Slack API URL answered 404", {
        status,
        request,
        hint: "Check api_url (default https://slack.com/api/)",
      });
    }
    if (status >= 500) {
      return new ShipgateError(
        "unavailable",
        `Slack failed to accept the notification (HTTP ${status})`,
        { status, request },
      );
    }
    return new ShipgateError("bad_query", `Slack refused the request (HTTP ${status})`, {
      status,
      request,
      retryable: false,
    });
  }
  if (code === "slack_webapi_request_error") {
    return networkError(pick(thrown, "original"), request, "the Slack Web API");
  }
  // The client throws a bare Error for a 429 without a usable Retry-After header.
  const message = pick(thrown, "message");
  if (typeof message === "string" && /retry header/i.test(message)) {
    return new ShipgateError(
      "rate_limited",
      "Slack rate-limited chat.postMessage (HTTP 429, no Retry-After)",
      { status: 429, request },
    );
  }
  return new ShipgateError("internal", "The Slack Web API client failed unexpectedly", { request });
}

function authHint(
  error: string,
  context: { secretName: string; channel: string },
  needed: unknown,
): string {
  switch (error) {
    case "missing_scope":
      return `Add the ${typeof needed === "string" ? `\`${needed}\`` : "`chat:write`"} scope to the Slack app and reinstall it`;
    case "not_in_channel":
      return `Invite the app to ${context.channel} (/invite @app) or grant it \`chat:write.public\``;
    case "not_authed":
      return `Set ${context.secretName} to a bot token (xoxb-…)`;
    default:
      return `The token in ${context.secretName} is invalid, revoked or lacks \`chat:write\`; issue a new bot token`;
  }
}
