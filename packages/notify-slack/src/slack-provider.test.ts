import { instantiateProvider, type ProviderContext } from "@shipgate/core";
import { conformanceNotifications, sharedPerFile } from "@shipgate/core/testing";
import { describe, expect, it } from "vitest";
import { createSlackProvider, shipgateProvider, slackOptionsSchema } from "./slack-provider.js";
import { startSlackEmulator } from "./testing/slack-emulator.js";

const slack = sharedPerFile(startSlackEmulator);

const context = (env: Record<string, string>): ProviderContext => ({ env, cwd: "/tmp" });
const signal = () => new AbortController().signal;
const notification = conformanceNotifications()[1]!;

describe("shipgateProvider (@shipgate/notify-slack)", () => {
  it("defaults to an incoming webhook read from SLACK_WEBHOOK_URL", () => {
    expect(slackOptionsSchema.parse({})).toEqual({
      mode: "webhook",
      webhook_url_env: "SLACK_WEBHOOK_URL",
      token_env: "SLACK_BOT_TOKEN",
      api_url: "https://slack.com/api/",
      timeout_ms: 10_000,
      max_retries: 2,
    });
  });

  it("refuses unknown keys, an inline secret and chat mode without a channel, naming the field", () => {
    const unknown = instantiateProvider(
      shipgateProvider,
      { webhook_url: "https://hooks.slack.com/x" },
      context({}),
    );
    expect(unknown._unsafeUnwrapErr()).toMatchObject({ kind: "invalid_input" });
    const inline = instantiateProvider(
      shipgateProvider,
      { webhook_url_env: "https://hooks.slack.com/x" },
      context({}),
    );
    expect(inline._unsafeUnwrapErr()).toMatchObject({
      kind: "invalid_input",
      field: "with.webhook_url_env",
    });
    const chat = instantiateProvider(
      shipgateProvider,
      { mode: "chat" },
      context({ SLACK_BOT_TOKEN: "xoxb-x" }),
    );
    expect(chat._unsafeUnwrapErr()).toMatchObject({ kind: "invalid_input", field: "with.channel" });
  });

  it("fails (without throwing) when the secret is not set, naming the variable", () => {
    const error = instantiateProvider(
      shipgateProvider,
      { webhook_url_env: "DEPLOY_HOOK" },
      context({}),
    )._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "invalid_input", field: "with.webhook_url_env" });
    expect(error.message).toContain("DEPLOY_HOOK");
  });

  it("refuses a webhook variable that does not hold a URL, without echoing it", () => {
    const error = instantiateProvider(
      shipgateProvider,
      {},
      context({ SLACK_WEBHOOK_URL: "oops-secret-value" }),
    )._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "invalid_input", field: "with.webhook_url_env" });
    expect(JSON.stringify(error)).not.toContain("oops-secret-value");
  });

  it("builds a webhook notifier that delivers to the webhook from the env var", async () => {
    const parts = instantiateProvider(
      shipgateProvider,
      { max_retries: 0 },
      context({ SLACK_WEBHOOK_URL: slack.webhookUrl }),
    )._unsafeUnwrap();
    expect(parts.notifier?.name).toBe("slack-webhook");
    expect((await parts.notifier!.notify(notification, { signal: signal() })).isOk()).toBe(true);
    expect(slack.messages.at(-1)?.via).toBe("webhook");
  });

  it("builds a chat notifier that posts to the channel with the token from the env var", async () => {
    const parts = instantiateProvider(
      shipgateProvider,
      { mode: "chat", token_env: "DEPLOY_BOT_TOKEN", channel: "C0DEPLOYS", api_url: slack.apiUrl },
      context({ DEPLOY_BOT_TOKEN: slack.token }),
    )._unsafeUnwrap();
    expect(parts.notifier?.name).toBe("slack-chat");
    expect((await parts.notifier!.notify(notification, { signal: signal() })).isOk()).toBe(true);
    expect(slack.messages.at(-1)).toMatchObject({ via: "chat", channel: "C0DEPLOYS" });
  });
});

describe("createSlackProvider", () => {
  it("builds either notifier programmatically", async () => {
    const { notifier } = createSlackProvider({ mode: "webhook", webhookUrl: slack.webhookUrl });
    expect((await notifier.notify(notification, { signal: signal() })).isOk()).toBe(true);
    const chat = createSlackProvider({
      mode: "chat",
      token: slack.token,
      channel: "deploys",
      apiUrl: slack.apiUrl,
    });
    expect((await chat.notifier.notify(notification, { signal: signal() })).isOk()).toBe(true);
  });
});
