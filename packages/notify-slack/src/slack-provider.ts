import {
  type Clock,
  defineProvider,
  envVarNameSchema,
  type Notifier,
  type ProviderParts,
  readSecret,
  ShipgateError,
} from "@shipgate/core";
import { err, ok } from "neverthrow";
import { z } from "zod";
import { createSlackChatNotifier } from "./slack-chat-notifier.js";
import type { SlackRetryOptions } from "./slack-retry.js";
import { createSlackWebhookNotifier } from "./slack-webhook-notifier.js";

/**
 * The `with:` block of `use: "@shipgate/notify-slack"`. Secrets (the webhook URL is one)
 * are given by environment-variable NAME only.
 */
export const slackOptionsSchema = z
  .strictObject({
    /** `webhook`: an incoming webhook; `chat`: `chat.postMessage` with a bot token. */
    mode: z.enum(["webhook", "chat"]).default("webhook"),
    /** Env var holding the incoming webhook URL (mode `webhook`). */
    webhook_url_env: envVarNameSchema.default("SLACK_WEBHOOK_URL"),
    /** Env var holding the bot token, `xoxb-…` with `chat:write` (mode `chat`). */
    token_env: envVarNameSchema.default("SLACK_BOT_TOKEN"),
    /** Channel ID (`C…`) or name (mode `chat`; a webhook posts to its own channel). */
    channel: z.string().trim().min(1).optional(),
    /** Web API base URL (mode `chat`), e.g. for a proxy. */
    api_url: z.url({ protocol: /^https?$/ }).default("https://slack.com/api/"),
    /** Timeout of one HTTP attempt. */
    timeout_ms: z.number().int().min(100).max(120_000).default(10_000),
    /** Retries after the first attempt for 429 and 5xx (best effort: keep it small). */
    max_retries: z.number().int().min(0).max(5).default(2),
  })
  .superRefine((options, ctx) => {
    if (options.mode === "chat" && !options.channel) {
      ctx.addIssue({
        code: "custom",
        path: ["channel"],
        message: 'is required when mode is "chat"',
      });
    }
  });

/** Parsed {@link slackOptionsSchema}. */
export type SlackProviderOptions = z.output<typeof slackOptionsSchema>;

/**
 * The provider the CLI loads for `use: "@shipgate/notify-slack"`.
 *
 * ```yaml
 * notifiers:
 *   - use: "@shipgate/notify-slack"
 *     with: { mode: chat, token_env: SLACK_BOT_TOKEN, channel: C0123456789 }
 * ```
 */
export const shipgateProvider = defineProvider({
  name: "@shipgate/notify-slack",
  optionsSchema: slackOptionsSchema,
  create(options, context) {
    const common = { timeoutMs: options.timeout_ms, retry: { maxRetries: options.max_retries } };
    if (options.mode === "chat") {
      return readSecret(context, options.token_env, "with.token_env").map((token) => ({
        notifier: createSlackChatNotifier({
          ...common,
          token,
          channel: options.channel ?? "",
          apiUrl: options.api_url,
          secretName: options.token_env,
        }),
      }));
    }
    return readSecret(context, options.webhook_url_env, "with.webhook_url_env").andThen((url) => {
      if (!URL.canParse(url)) {
        // The value is the credential: the message names the variable, never its content.
        return err(
          new ShipgateError(
            "invalid_input",
            `Environment variable ${options.webhook_url_env} (named by with.webhook_url_env) does not hold a URL`,
            {
              field: "with.webhook_url_env",
              hint: "Set it to the incoming webhook URL, https://hooks.slack.com/services/T…/B…/…",
            },
          ),
        );
      }
      return ok<ProviderParts>({
        notifier: createSlackWebhookNotifier({
          ...common,
          url,
          secretName: options.webhook_url_env,
        }),
      });
    });
  },
});

/** Options for {@link createSlackProvider}: one of the two delivery modes. */
export type CreateSlackProviderOptions =
  | {
      mode: "webhook";
      /** The incoming webhook URL (a secret). */
      webhookUrl: string;
      timeoutMs?: number;
      retry?: SlackRetryOptions;
      clock?: Clock;
    }
  | {
      mode: "chat";
      /** Bot token with `chat:write`. */
      token: string;
      /** Channel ID (`C…`) or name. */
      channel: string;
      /** Default `https://slack.com/api/`. */
      apiUrl?: string;
      timeoutMs?: number;
      retry?: SlackRetryOptions;
      clock?: Clock;
    };

/**
 * Builds the Slack notifier for programmatic use (no config file, secrets passed directly).
 *
 * @example
 * ```ts
 * import { createSlackProvider } from "@shipgate/notify-slack";
 *
 * const { notifier } = createSlackProvider({ mode: "webhook", webhookUrl: process.env.SLACK_WEBHOOK_URL! });
 * const sent = await notifier.notify(notification, { signal: AbortSignal.timeout(30_000) });
 * ```
 */
export function createSlackProvider(options: CreateSlackProviderOptions): { notifier: Notifier } {
  if (options.mode === "chat") {
    const { mode: _mode, ...rest } = options;
    return { notifier: createSlackChatNotifier(rest) };
  }
  const { mode: _mode, webhookUrl, ...rest } = options;
  return { notifier: createSlackWebhookNotifier({ ...rest, url: webhookUrl }) };
}
