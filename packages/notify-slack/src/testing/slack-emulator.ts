import { type EmulatorExchange, startEmulatorServer } from "@shipgate/core/testing/emulator";
import { isObject, validateSlackMessage } from "./slack-block-kit-rules.js";

export { type SlackValidation, validateSlackMessage } from "./slack-block-kit-rules.js";

/**
 * A local Slack for tests: an incoming webhook (`POST /services/T…/B…/<secret>`) and the
 * Web API's `chat.postMessage` (`POST /api/chat.postMessage`), on 127.0.0.1.
 *
 * It answers with Slack's own wire format and refuses what Slack refuses, so an adapter
 * that builds an invalid message fails its tests:
 * - webhook: `200 ok` (text/plain); `400 invalid_payload` (unparsable body), `400 no_text`
 *   (neither text nor blocks), `400 invalid_blocks`; `404 no_service` (unknown webhook).
 * - chat.postMessage: always HTTP 200 with `{ ok: false, error }` for `not_authed`,
 *   `invalid_auth`, `channel_not_found`, `no_text`, `msg_too_long`, `invalid_blocks`
 *   (with `errors` and `response_metadata.messages` naming the JSON pointer, as Slack does);
 *   `{ ok: true, channel, ts, message }` on success.
 * - both: scripted faults (`429` with `Retry-After`, `5xx`, slow responses).
 *
 * Block validation follows the Block Kit reference (docs.slack.dev/reference/block-kit):
 * ≤ 50 blocks; header `plain_text` 1–150; section text 1–3000 or 1–10 fields of 1–2000;
 * context 1–10 elements; text objects `plain_text` | `mrkdwn`, `emoji` only on plain_text;
 * unknown properties and duplicate `block_id`s refused. Only the block types shipgate sends
 * (header, section, context, divider) are modelled; others are refused, which is stricter
 * than Slack.
 */
export interface SlackEmulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The full incoming-webhook URL (a secret in real life). */
  readonly webhookUrl: string;
  /** Base URL for the Web API, as `WebClient`'s `slackApiUrl` expects (`…/api/`). */
  readonly apiUrl: string;
  /** The one bot token `chat.postMessage` accepts. */
  readonly token: string;
  /** Messages Slack accepted and would show, in order. */
  readonly messages: SlackEmulatorMessage[];
  /** Every request that reached the emulator, accepted or not. */
  readonly requests: SlackEmulatorRequest[];
  /** Makes the next requests fail (or stall) in order, one fault per request. */
  failNext(...faults: SlackFault[]): void;
  /** Forgets recorded messages, requests and pending faults. */
  reset(): void;
  close(): Promise<void>;
}

/** A message the emulator accepted. */
export interface SlackEmulatorMessage {
  via: "webhook" | "chat";
  /** The channel ID for `chat.postMessage`; the webhook's own channel otherwise. */
  channel: string;
  text: string | undefined;
  blocks: unknown[] | undefined;
  /** The payload as parsed, for assertions on other fields. */
  payload: Record<string, unknown>;
}

/** A request as received. */
export interface SlackEmulatorRequest {
  via: "webhook" | "chat" | "other";
  path: string;
  contentType: string | undefined;
  /** HTTP status the emulator answered. */
  status: number;
  /** Slack's error code, when it refused. */
  error?: string;
}

/** A scripted failure for the next request. */
export type SlackFault =
  | { status: 429; retryAfterSeconds?: number }
  | { status: 500 | 502 | 503 | 504 }
  /** Answer the given status and body verbatim (webhook text, or chat JSON error code). */
  | { status: number; error: string }
  /** Wait before handling the request normally (for timeouts and cancellation). */
  | { delayMs: number };

/** Options for {@link startSlackEmulator}. */
export interface SlackEmulatorOptions {
  token?: string;
  /** Path of the incoming webhook, `/services/T…/B…/secret`. */
  webhookPath?: string;
  /** Channels by ID → name. `chat.postMessage` accepts either (`#name` too). */
  channels?: Record<string, string>;
}

/**
 * Starts the emulator on 127.0.0.1 and a free port.
 *
 * @example
 * ```ts
 * const slack = await startSlackEmulator();
 * const notifier = createSlackWebhookNotifier({ url: slack.webhookUrl });
 * // … slack.messages[0].blocks …
 * await slack.close();
 * ```
 */
export async function startSlackEmulator(
  options: SlackEmulatorOptions = {},
): Promise<SlackEmulator> {
  const token = options.token ?? "xoxb-test-token-not-real";
  const webhookPath =
    options.webhookPath ?? "/services/T0SHIPGATE/B0NOTIFY/test-webhook-secret-not-real";
  const channels = options.channels ?? { C0DEPLOYS: "deploys" };
  const messages: SlackEmulatorMessage[] = [];
  const requests: SlackEmulatorRequest[] = [];
  let faults: SlackFault[] = [];
  let tsCounter = 0;
  // Requests still in flight when `reset` is called must not leak into the next test.
  let generation = 0;

  async function handle(x: EmulatorExchange): Promise<void> {
    const born = generation;
    const path = x.url.pathname;
    const via =
      path === webhookPath ? "webhook" : path === "/api/chat.postMessage" ? "chat" : "other";
    const contentType = x.headers["content-type"];
    const record = (status: number, error?: string): void => {
      if (born !== generation) return;
      requests.push({ via, path, contentType, status, ...(error ? { error } : {}) });
    };
    const accept = (message: Omit<SlackEmulatorMessage, "via">) => {
      if (born === generation) messages.push({ via: via as "webhook" | "chat", ...message });
    };

    // Slack's faults answer in the endpoint's own format, so they are applied here.
    const fault = faults.shift();
    if (fault && "delayMs" in fault) {
      await x.delay(fault.delayMs);
      if (x.closed) return record(499, "client_closed_request");
    } else if (fault) {
      const error =
        "error" in fault ? fault.error : fault.status === 429 ? "ratelimited" : "internal_error";
      const headers: Record<string, string> = {};
      if (fault.status === 429)
        headers["retry-after"] = String(
          "retryAfterSeconds" in fault ? (fault.retryAfterSeconds ?? 1) : 1,
        );
      record(fault.status, error);
      if (via === "chat")
        return x.reply(fault.status, { ok: false, error }, { ...headers, ...JSON_TYPE });
      return x.replyText(fault.status, error, { ...headers, ...TEXT_TYPE });
    }

    if (x.method !== "POST") {
      record(405, "method_not_allowed");
      return x.replyText(405, "", { allow: "POST" });
    }
    if (via === "webhook") {
      x.route("POST webhook");
      const reply = (status: number, body: string) => {
        record(status, status === 200 ? undefined : body);
        x.replyText(status, body, TEXT_TYPE);
      };
      const payload = parseWebhookBody(x.text, contentType);
      if (!payload) return reply(400, "invalid_payload");
      const verdict = validateSlackMessage(payload);
      if (!verdict.ok) return reply(400, verdict.error);
      accept({
        channel: Object.keys(channels)[0] ?? "C0DEPLOYS",
        text: payload.text as string | undefined,
        blocks: payload.blocks as unknown[] | undefined,
        payload,
      });
      return reply(200, "ok");
    }
    if (via === "chat") {
      x.route("POST /api/chat.postMessage");
      const reply = (body: Record<string, unknown>) => {
        record(200, body.ok === true ? undefined : String(body.error));
        x.reply(200, body, JSON_TYPE);
      };
      const answer = chatPostMessage(x, { token, channels, contentType: contentType ?? "" });
      if (!answer.ok) return reply(answer);
      tsCounter += 1;
      const ts = `1767607020.${String(tsCounter).padStart(6, "0")}`;
      const { payload, channelId, warnings } = answer;
      accept({
        channel: channelId,
        text: payload.text as string | undefined,
        blocks: payload.blocks as unknown[] | undefined,
        payload,
      });
      return reply({
        ok: true,
        channel: channelId,
        ts,
        message: {
          type: "message",
          subtype: "bot_message",
          text: payload.text ?? "",
          ts,
          bot_id: "B0SHIPGATE",
        },
        ...(warnings.length ? { response_metadata: { warnings } } : {}),
      });
    }
    record(404, "no_service");
    return x.replyText(404, "no_service", TEXT_TYPE);
  }

  const server = await startEmulatorServer({ readsBody: () => true, handle });
  const url = server.url;
  return {
    url,
    webhookUrl: `${url}${webhookPath}`,
    apiUrl: `${url}/api/`,
    token,
    messages,
    requests,
    failNext: (...next) => {
      faults.push(...next);
    },
    reset: () => {
      generation += 1;
      messages.length = 0;
      requests.length = 0;
      faults = [];
      server.resetLog();
    },
    close: () => server.close(),
  };
}

const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };
const TEXT_TYPE = { "content-type": "text/plain; charset=utf-8" };

type ChatAnswer =
  | { ok: false; error: string; [key: string]: unknown }
  | { ok: true; payload: Record<string, unknown>; channelId: string; warnings: string[] };

/** Checks a `chat.postMessage` call as Slack does: body format, token, channel, message. */
function chatPostMessage(
  x: EmulatorExchange,
  context: { token: string; channels: Record<string, string>; contentType: string },
): ChatAnswer {
  const { contentType, channels } = context;
  let params: Record<string, unknown>;
  if (contentType.startsWith("application/json")) {
    try {
      const parsed: unknown = JSON.parse(x.text);
      if (!isObject(parsed)) return { ok: false, error: "invalid_json" };
      params = parsed;
    } catch {
      return { ok: false, error: "invalid_json" };
    }
  } else if (contentType.startsWith("application/x-www-form-urlencoded")) {
    params = Object.fromEntries(new URLSearchParams(x.text));
    if (typeof params.blocks === "string") {
      try {
        params.blocks = JSON.parse(params.blocks);
      } catch {
        return { ok: false, error: "invalid_blocks_format" };
      }
    }
  } else {
    return { ok: false, error: contentType ? "invalid_post_type" : "missing_post_type" };
  }
  // Slack takes the token from the Authorization header (preferred) or the `token` field.
  const auth = x.headers.authorization;
  const given = auth?.startsWith("Bearer ")
    ? auth.slice(7)
    : typeof params.token === "string"
      ? params.token
      : "";
  if (!given) return { ok: false, error: "not_authed" };
  if (given !== context.token) return { ok: false, error: "invalid_auth" };
  const channelParam = typeof params.channel === "string" ? params.channel.replace(/^#/, "") : "";
  const channelId =
    channelParam in channels
      ? channelParam
      : Object.keys(channels).find((id) => channels[id] === channelParam);
  if (!channelId) return { ok: false, error: "channel_not_found" };
  const { token: _t, ...payload } = params;
  const verdict = validateSlackMessage(payload);
  if (!verdict.ok) {
    return {
      ok: false,
      error: verdict.error,
      ...(verdict.errors.length
        ? {
            errors: verdict.errors,
            response_metadata: { messages: verdict.errors.map((e) => `[ERROR] ${e}`) },
          }
        : {}),
    };
  }
  return { ok: true, payload, channelId, warnings: verdict.warnings };
}

function parseWebhookBody(
  raw: string,
  contentType: string | undefined,
): Record<string, unknown> | null {
  let text = raw;
  // Incoming webhooks also accept the legacy form post `payload=<json>`.
  if (contentType?.startsWith("application/x-www-form-urlencoded")) {
    text = new URLSearchParams(raw).get("payload") ?? "";
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return isObject(parsed) ? parsed : null;
  } catch {
    return null;
  }
}
