import { abortedError, type Notifier, ShipgateError, toShipgateError } from "@shipgate/core";
import { IncomingWebhook } from "@slack/webhook";
import { err, ResultAsync } from "neverthrow";
import { webhookError } from "./slack-errors.js";
import { formatSlackMessage } from "./slack-message.js";
import {
  deliverWithRetry,
  resolveSlackRetry,
  type SlackDeliveryOptions,
  systemClock,
  VENDOR_RETRY_CONFIG,
} from "./slack-retry.js";

/** Options for {@link createSlackWebhookNotifier}. */
export interface SlackWebhookNotifierOptions extends SlackDeliveryOptions {
  /** The incoming webhook URL. It is a secret: it is never logged or put in an error. */
  url: string;
  /** Where the URL came from (an env var name), used in hints. Default `SLACK_WEBHOOK_URL`. */
  secretName?: string;
}

/**
 * A {@link Notifier} that posts to a Slack incoming webhook with `@slack/webhook`.
 *
 * 429 (honouring `Retry-After`, which `@slack/webhook` does not retry) and 5xx/network
 * errors are retried here within `retry`, on a clock the call's signal can interrupt. The
 * client has no way to cancel a request in flight: an abort resolves at once and the
 * request, if any, finishes unobserved. The channel is the one the webhook was made for.
 *
 * @example
 * ```ts
 * const notifier = createSlackWebhookNotifier({ url: process.env.SLACK_WEBHOOK_URL! });
 * const result = await notifier.notify(notification, { signal: AbortSignal.timeout(30_000) });
 * if (result.isErr()) console.warn(result.error.describe()); // best effort
 * ```
 */
export function createSlackWebhookNotifier(options: SlackWebhookNotifierOptions): Notifier {
  const retry = resolveSlackRetry(options.retry);
  const clock = options.clock ?? systemClock;
  const secretName = options.secretName ?? "SLACK_WEBHOOK_URL";
  const timeout = options.timeoutMs ?? 10_000;
  // Never echo the value: the URL is the credential.
  const setupError = URL.canParse(options.url)
    ? undefined
    : new ShipgateError(
        "invalid_input",
        `The Slack incoming webhook URL in ${secretName} is not a valid URL`,
        {
          hint: "It looks like https://hooks.slack.com/services/T…/B…/…",
        },
      );
  const webhook = setupError
    ? undefined
    : new IncomingWebhook(options.url, { timeout, retryConfig: VENDOR_RETRY_CONFIG });

  return {
    name: "slack-webhook",
    notify(notification, { signal }) {
      if (signal.aborted) return new ResultAsync(Promise.resolve(err(abortedError(signal))));
      if (!webhook)
        return new ResultAsync(Promise.resolve(err(setupError ?? abortedError(signal))));
      const client = webhook;
      const run = async () => {
        try {
          const message = formatSlackMessage(notification);
          const result = await deliverWithRetry(
            () =>
              client.send({
                text: message.text,
                blocks: message.blocks,
                unfurl_links: false,
                unfurl_media: false,
              }),
            (thrown) => webhookError(thrown, secretName),
            { signal, retry, clock, request: "POST <incoming webhook URL>" },
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
