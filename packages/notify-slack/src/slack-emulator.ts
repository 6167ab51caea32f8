import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

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

/** Result of {@link validateSlackMessage}. */
export type SlackValidation =
  | { ok: true; warnings: string[] }
  | { ok: false; error: "no_text" | "invalid_blocks" | "msg_too_long"; errors: string[] };

/**
 * Validates a message payload as Slack does before posting it. Pure; exported so property
 * tests can check the formatter against the same rules the emulator enforces.
 */
export function validateSlackMessage(payload: Record<string, unknown>): SlackValidation {
  const text = payload.text;
  const blocks = payload.blocks;
  if (text !== undefined && typeof text !== "string") {
    return { ok: false, error: "no_text", errors: ["text must be a string [json-pointer:/text]"] };
  }
  const hasText = typeof text === "string" && text.trim().length > 0;
  if (blocks === undefined || blocks === null) {
    if (!hasText) return { ok: false, error: "no_text", errors: [] };
    if ((text as string).length > 40_000) return { ok: false, error: "msg_too_long", errors: [] };
    return { ok: true, warnings: [] };
  }
  if (!Array.isArray(blocks)) {
    return {
      ok: false,
      error: "invalid_blocks",
      errors: ["must provide an array [json-pointer:/blocks]"],
    };
  }
  if (blocks.length === 0 && !hasText) return { ok: false, error: "no_text", errors: [] };
  const errors = validateBlocks(blocks);
  if (errors.length > 0) return { ok: false, error: "invalid_blocks", errors };
  if (typeof text === "string" && text.length > 40_000)
    return { ok: false, error: "msg_too_long", errors: [] };
  // Slack accepts blocks without `text` but warns: notifications then say "This content can't be displayed".
  return { ok: true, warnings: hasText ? [] : ["missing_text_or_fallback"] };
}

const BLOCK_KEYS: Record<string, readonly string[]> = {
  header: ["type", "text", "block_id"],
  section: ["type", "text", "fields", "block_id", "accessory", "expand"],
  context: ["type", "elements", "block_id"],
  divider: ["type", "block_id"],
};

function validateBlocks(blocks: unknown[]): string[] {
  const errors: string[] = [];
  if (blocks.length > 50) errors.push("must provide no more than 50 items [json-pointer:/blocks]");
  const ids = new Set<string>();
  blocks.forEach((block, i) => {
    const at = `/blocks/${i}`;
    if (!isObject(block)) {
      errors.push(`must provide an object [json-pointer:${at}]`);
      return;
    }
    const type = block.type;
    const keys = typeof type === "string" ? BLOCK_KEYS[type] : undefined;
    if (!keys) {
      errors.push(`unsupported type: ${String(type)} [json-pointer:${at}/type]`);
      return;
    }
    for (const key of Object.keys(block)) {
      if (!keys.includes(key))
        errors.push(`invalid additional property: ${key} [json-pointer:${at}]`);
    }
    if (block.block_id !== undefined) {
      if (
        typeof block.block_id !== "string" ||
        block.block_id.length === 0 ||
        block.block_id.length > 255
      ) {
        errors.push(`must be a string of 1 to 255 characters [json-pointer:${at}/block_id]`);
      } else if (ids.has(block.block_id)) {
        errors.push(`duplicate block_id [json-pointer:${at}/block_id]`);
      } else ids.add(block.block_id);
    }
    if (type === "header") {
      errors.push(...validateText(block.text, `${at}/text`, 150, true));
    } else if (type === "section") {
      if (block.text === undefined && block.fields === undefined) {
        errors.push(`must provide either text or fields [json-pointer:${at}]`);
      }
      if (block.text !== undefined)
        errors.push(...validateText(block.text, `${at}/text`, 3000, false));
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields) || block.fields.length === 0) {
          errors.push(`must provide a non-empty array [json-pointer:${at}/fields]`);
        } else {
          if (block.fields.length > 10)
            errors.push(`must provide no more than 10 items [json-pointer:${at}/fields]`);
          block.fields.forEach((f, j) => {
            errors.push(...validateText(f, `${at}/fields/${j}`, 2000, false));
          });
        }
      }
      if (block.accessory !== undefined && !isObject(block.accessory)) {
        errors.push(`must provide an object [json-pointer:${at}/accessory]`);
      }
    } else if (type === "context") {
      if (!Array.isArray(block.elements) || block.elements.length === 0) {
        errors.push(`must provide a non-empty array [json-pointer:${at}/elements]`);
      } else {
        if (block.elements.length > 10) {
          errors.push(`must provide no more than 10 items [json-pointer:${at}/elements]`);
        }
        block.elements.forEach((e, j) => {
          errors.push(...validateText(e, `${at}/elements/${j}`, 3000, false));
        });
      }
    }
  });
  return errors;
}

function validateText(value: unknown, at: string, max: number, plainOnly: boolean): string[] {
  if (!isObject(value)) return [`must provide an object [json-pointer:${at}]`];
  const errors: string[] = [];
  const type = value.type;
  if (type !== "plain_text" && type !== "mrkdwn") {
    errors.push(`must be a valid enum value [json-pointer:${at}/type]`);
  } else if (plainOnly && type !== "plain_text") {
    errors.push(`must be plain_text [json-pointer:${at}/type]`);
  }
  const allowed = type === "plain_text" ? ["type", "text", "emoji"] : ["type", "text", "verbatim"];
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      errors.push(`invalid additional property: ${key} [json-pointer:${at}]`);
  }
  if (typeof value.text !== "string") {
    errors.push(`must provide a string [json-pointer:${at}/text]`);
  } else if (value.text.length === 0) {
    errors.push(`must be more than 0 characters [json-pointer:${at}/text]`);
  } else if (value.text.length > max) {
    errors.push(`must be less than ${max + 1} characters [json-pointer:${at}/text]`);
  }
  return errors;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
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

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end("rollup_error");
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const born = generation;
    const raw = await readBody(req);
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const via =
      path === webhookPath ? "webhook" : path === "/api/chat.postMessage" ? "chat" : "other";
    const record = (status: number, error?: string): void => {
      if (born !== generation) return;
      requests.push({
        via,
        path,
        contentType: req.headers["content-type"],
        status,
        ...(error ? { error } : {}),
      });
    };

    const fault = faults.shift();
    if (fault && "delayMs" in fault) {
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (res.destroyed || req.socket.destroyed) return record(499, "client_closed_request");
    } else if (fault) {
      const error =
        "error" in fault ? fault.error : fault.status === 429 ? "ratelimited" : "internal_error";
      const headers: Record<string, string> = {};
      if (fault.status === 429)
        headers["retry-after"] = String(
          "retryAfterSeconds" in fault ? (fault.retryAfterSeconds ?? 1) : 1,
        );
      record(fault.status, error);
      if (via === "chat") {
        res.writeHead(fault.status, {
          ...headers,
          "content-type": "application/json; charset=utf-8",
        });
        res.end(JSON.stringify({ ok: false, error }));
      } else {
        res.writeHead(fault.status, { ...headers, "content-type": "text/plain; charset=utf-8" });
        res.end(error);
      }
      return;
    }

    if (req.method !== "POST") {
      record(405, "method_not_allowed");
      res.writeHead(405, { allow: "POST" }).end();
      return;
    }

    if (via === "webhook") {
      const payload = parseWebhookBody(raw, req.headers["content-type"]);
      const reply = (status: number, body: string) => {
        record(status, status === 200 ? undefined : body);
        res.writeHead(status, { "content-type": "text/plain; charset=utf-8" }).end(body);
      };
      if (!payload) return reply(400, "invalid_payload");
      const verdict = validateSlackMessage(payload);
      if (!verdict.ok) return reply(400, verdict.error);
      if (born === generation)
        messages.push({
          via,
          channel: Object.keys(channels)[0] ?? "C0DEPLOYS",
          text: payload.text as string | undefined,
          blocks: payload.blocks as unknown[] | undefined,
          payload,
        });
      return reply(200, "ok");
    }

    if (via === "chat") {
      const reply = (body: Record<string, unknown>) => {
        record(200, body.ok === true ? undefined : String(body.error));
        res
          .writeHead(200, { "content-type": "application/json; charset=utf-8" })
          .end(JSON.stringify(body));
      };
      const contentType = req.headers["content-type"] ?? "";
      let params: Record<string, unknown>;
      if (contentType.startsWith("application/json")) {
        try {
          const parsed: unknown = JSON.parse(raw);
          if (!isObject(parsed)) return reply({ ok: false, error: "invalid_json" });
          params = parsed;
        } catch {
          return reply({ ok: false, error: "invalid_json" });
        }
      } else if (contentType.startsWith("application/x-www-form-urlencoded")) {
        params = Object.fromEntries(new URLSearchParams(raw));
        if (typeof params.blocks === "string") {
          try {
            params.blocks = JSON.parse(params.blocks);
          } catch {
            return reply({ ok: false, error: "invalid_blocks_format" });
          }
        }
      } else {
        return reply({ ok: false, error: contentType ? "invalid_post_type" : "missing_post_type" });
      }
      // Slack takes the token from the Authorization header (preferred) or the `token` field.
      const auth = req.headers.authorization;
      const given = auth?.startsWith("Bearer ")
        ? auth.slice(7)
        : typeof params.token === "string"
          ? params.token
          : "";
      if (!given) return reply({ ok: false, error: "not_authed" });
      if (given !== token) return reply({ ok: false, error: "invalid_auth" });
      const channelParam =
        typeof params.channel === "string" ? params.channel.replace(/^#/, "") : "";
      const channelId =
        channelParam in channels
          ? channelParam
          : Object.keys(channels).find((id) => channels[id] === channelParam);
      if (!channelId) return reply({ ok: false, error: "channel_not_found" });
      const { token: _t, ...payload } = params;
      const verdict = validateSlackMessage(payload);
      if (!verdict.ok) {
        return reply({
          ok: false,
          error: verdict.error,
          ...(verdict.errors.length
            ? {
                errors: verdict.errors,
                response_metadata: { messages: verdict.errors.map((e) => `[ERROR] ${e}`) },
              }
            : {}),
        });
      }
      tsCounter += 1;
      const ts = `1767607020.${String(tsCounter).padStart(6, "0")}`;
      if (born === generation)
        messages.push({
          via,
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
        ...(verdict.warnings.length ? { response_metadata: { warnings: verdict.warnings } } : {}),
      });
    }

    record(404, "no_service");
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("no_service");
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

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
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
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

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
