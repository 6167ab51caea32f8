export * from "./slack-chat-notifier.js";
export * from "./slack-message.js";
export * from "./slack-provider.js";
export type { SlackDeliveryOptions, SlackRetryOptions } from "./slack-retry.js";
export * from "./slack-webhook-notifier.js";
