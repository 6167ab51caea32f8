import { abortedError, type Notifier, toShipgateError } from "@shipgate/core";
import { LogLevel, WebClient } from "@slack/web-api";
import { err, ResultAsync } from "neverthrow";
import { chatError } from "./slack-errors.js";
import { formatSlackMessage } from "./slack-message.js";
import {
  deliverWithRetry,
  resolveSlackRetry,
  type SlackDeliveryOptions,
  systemClock,
  VENDOR_RETRY_CONFIG,
} from "./slack-retry.js";

/** Options for {@link createSlackChatNotifier}. */
export interface SlackChatNotifierOptions extends SlackDeliveryOptions {
  /** A bot token (`xoxb-…`) with the `chat:write` scope. Never logged. */
  token: string;
  /** Channel ID (`C…`) or name; the app must be a member (or have `chat:write.public`). */
  channel: string;
  /** Web API base URL. Default `https://slack.com/api/`. */
  apiUrl?: string;
  /** Where the token came from (an env var name), used in hints. Default `SLACK_BOT_TOKEN`. */
  secretName?: string;
}

/**
 * A {@link Notifier} that posts with `chat.postMessage` through `@slack/web-api`.
 *
 * The client is told not to retry and to reject 429 (`rejectRateLimitedCalls`): retries
 * (5xx, network, 429 with its `Retry-After`) happen here, bounded and cancellable. Each call
 * gets its own `WebClient` so the call's `AbortSignal` reaches the HTTP request.
 *
 * @example
 * ```ts
 * const notifier = createSlackChatNotifier({ token: process.env.SLACK_BOT_TOKEN!, channel: "C0123456789" });
 * await notifier.notify(notification, { signal });
 * ```
 */
export function createSlackChatNotifier(options: SlackChatNotifierOptions): Notifier {
  const retry = resolveSlackRetry(options.retry);
  const clock = options.clock ?? systemClock;
  const secretName = options.secretName ?? "SLACK_BOT_TOKEN";
  const request = `POST chat.postMessage (channel ${options.channel})`;

  return {
    name: "slack-chat",
    notify(notification, { signal }) {
      if (signal.aborted) return new ResultAsync(Promise.resolve(err(abortedError(signal))));
      const run = async () => {
        try {
          const client = new WebClient(options.token, {
            slackApiUrl: options.apiUrl ?? "https://slack.com/api/",
            timeout: options.timeoutMs ?? 10_000,
            retryConfig: VENDOR_RETRY_CONFIG,
            rejectRateLimitedCalls: true,
            logLevel: LogLevel.ERROR,
            requestInterceptor: (config) => Object.assign(config, { signal }),
          });
          const message = formatSlackMessage(notification);
          const result = await deliverWithRetry(
            () =>
              client.chat.postMessage({
                channel: options.channel,
                text: message.text,
                blocks: message.blocks,
                unfurl_links: false,
                unfurl_media: false,
              }),
            (thrown) => chatError(thrown, { secretName, channel: options.channel }),
            { signal, retry, clock, request },
          );
          return result.map(() => undefined);
        } catch (thrown) {
          return err(toShipgateError(thrown, "Slack notification failed"));
        }
      };
      return new ResultAsync(run());
    },
  };
}
