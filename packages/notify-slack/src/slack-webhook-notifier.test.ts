import { inspect } from "node:util";
import type { Notification } from "@shipgate/core";
import {
  conformanceNotifications,
  createVirtualClock,
  describeNotifierConformance,
  sharedPerFile,
} from "@shipgate/core/testing";
import { describe, expect, it } from "vitest";
import { createSlackWebhookNotifier } from "./slack-webhook-notifier.js";
import { startSlackEmulator } from "./testing/slack-emulator.js";

const signal = () => new AbortController().signal;
const started = conformanceNotifications()[0] as Notification;
const fastRetry = { maxRetries: 2, minBackoffMs: 1, maxBackoffMs: 5, maxRetryAfterMs: 5_000 };

describe("createSlackWebhookNotifier", () => {
  const slack = sharedPerFile(startSlackEmulator);
  /** A notifier on the emulator's webhook that waits on a virtual clock. */
  const clocked = (
    retry: Parameters<typeof createSlackWebhookNotifier>[0]["retry"] = fastRetry,
  ) => {
    const clock = createVirtualClock();
    return { clock, notifier: createSlackWebhookNotifier({ url: slack.webhookUrl, retry, clock }) };
  };

  it("posts a Block Kit message with a plain-text fallback to the webhook", async () => {
    const notifier = createSlackWebhookNotifier({ url: slack.webhookUrl, retry: fastRetry });
    const result = await notifier.notify(started, { signal: signal() });
    expect(result.isOk()).toBe(true);
    expect(slack.messages).toHaveLength(1);
    const [message] = slack.messages;
    expect(message?.text).toBe(":rocket: shop v1.4.0 → production: release started");
    expect(message?.blocks?.[0]).toMatchObject({ type: "header" });
    expect(message?.payload).toMatchObject({ unfurl_links: false, unfurl_media: false });
    expect(slack.requests[0]?.contentType).toMatch(/^application\/json/);
  });

  it("waits what Retry-After says on a 429, then delivers", async () => {
    const { clock, notifier } = clocked();
    slack.failNext({ status: 429, retryAfterSeconds: 3 }, { status: 429, retryAfterSeconds: 0 });
    const result = await notifier.notify(started, { signal: signal() });
    expect(result.isOk()).toBe(true);
    expect(clock.sleptMs).toBe(3000);
    expect(slack.requests.map((r) => r.status)).toEqual([429, 429, 200]);
    expect(slack.messages).toHaveLength(1);
  });

  it("gives up with rate_limited once retries run out, keeping Slack's Retry-After", async () => {
    const { clock, notifier } = clocked();
    slack.failNext(
      ...Array.from({ length: 3 }, () => ({ status: 429 as const, retryAfterSeconds: 1 })),
    );
    const result = await notifier.notify(started, { signal: signal() });
    expect(result._unsafeUnwrapErr()).toMatchObject({
      kind: "rate_limited",
      status: 429,
      retryAfterMs: 1000,
      retryable: true,
    });
    expect(slack.requests).toHaveLength(3);
    expect(clock.sleptMs).toBe(2000);
  });

  it("does not wait a Retry-After longer than the cap: rate_limited at once", async () => {
    const { clock, notifier } = clocked({ ...fastRetry, maxRetryAfterMs: 10_000 });
    slack.failNext({ status: 429, retryAfterSeconds: 60 });
    const error = (await notifier.notify(started, { signal: signal() }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "rate_limited", retryAfterMs: 60_000 });
    expect(error.message).toContain("60 s");
    expect(slack.requests).toHaveLength(1);
    expect(clock.sleptMs).toBe(0);
  });

  it("retries a 5xx with exponential backoff and delivers", async () => {
    const { clock, notifier } = clocked({ maxRetries: 3, minBackoffMs: 500, maxBackoffMs: 800 });
    slack.failNext({ status: 500 }, { status: 503 }, { status: 502 });
    expect((await notifier.notify(started, { signal: signal() })).isOk()).toBe(true);
    expect(slack.requests.map((r) => r.status)).toEqual([500, 503, 502, 200]);
    expect(clock.sleptMs).toBe(500 + 800 + 800);
  });

  it("returns unavailable after a bounded number of 5xx", async () => {
    const notifier = createSlackWebhookNotifier({ url: slack.webhookUrl, retry: fastRetry });
    slack.failNext(...Array.from({ length: 5 }, () => ({ status: 500 as const })));
    const error = (await notifier.notify(started, { signal: signal() }))._unsafeUnwrapErr();
    expect(error).toMatchObject({
      kind: "unavailable",
      status: 500,
      vendorMessage: "internal_error",
    });
    expect(slack.requests).toHaveLength(3);
  });

  it("does not retry a 400 invalid payload and says it is our bug", async () => {
    const notifier = createSlackWebhookNotifier({ url: slack.webhookUrl, retry: fastRetry });
    slack.failNext({ status: 400, error: "invalid_blocks" });
    const error = (await notifier.notify(started, { signal: signal() }))._unsafeUnwrapErr();
    expect(error).toMatchObject({
      kind: "bad_query",
      status: 400,
      vendorMessage: "invalid_blocks",
      retryable: false,
    });
    expect(error.hint).toContain("bug in @shipgate/notify-slack");
    expect(slack.requests).toHaveLength(1);
  });

  it.each([
    [403, "action_prohibited", "auth"],
    [404, "channel_not_found", "not_found"],
    [410, "channel_is_archived", "not_found"],
  ] as const)("stops at once on %i %s (%s)", async (status, code, kind) => {
    const notifier = createSlackWebhookNotifier({
      url: slack.webhookUrl,
      retry: fastRetry,
      secretName: "DEPLOY_HOOK",
    });
    slack.failNext({ status, error: code });
    const error = (await notifier.notify(started, { signal: signal() }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind, status, vendorMessage: code });
    expect(error.hint).toContain("DEPLOY_HOOK");
    expect(slack.requests).toHaveLength(1);
  });

  it("never puts the webhook URL (the secret) in an error", async () => {
    const notifier = createSlackWebhookNotifier({
      url: `${slack.url}/services/T0/B0/another-secret-value`,
      retry: fastRetry,
    });
    const error = (await notifier.notify(started, { signal: signal() }))._unsafeUnwrapErr();
    expect(error.kind).toBe("not_found");
    const everything = `${JSON.stringify(error)} ${inspect(error, { depth: 10 })} ${error.describe()}`;
    expect(everything).not.toContain("another-secret-value");
    expect(everything).not.toContain("/services/");
  });

  it("reports a timeout when Slack does not answer in time, and does not retry it", async () => {
    const notifier = createSlackWebhookNotifier({
      url: slack.webhookUrl,
      timeoutMs: 100,
      retry: fastRetry,
    });
    slack.failNext({ delayMs: 400 });
    const error = (await notifier.notify(started, { signal: signal() }))._unsafeUnwrapErr();
    expect(error.kind).toBe("timeout");
    // A retry would have met no fault and been accepted at once.
    expect(slack.messages).toHaveLength(0);
  });

  it("resolves to aborted quickly when the signal fires mid-request, without throwing", async () => {
    const notifier = createSlackWebhookNotifier({ url: slack.webhookUrl, retry: fastRetry });
    slack.failNext({ delayMs: 2000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("release cancelled")), 50);
    const t0 = performance.now();
    const result = await notifier.notify(started, { signal: controller.signal });
    expect(performance.now() - t0).toBeLessThan(500);
    expect(result._unsafeUnwrapErr().kind).toBe("aborted");
  });

  it("resolves to aborted during a Retry-After wait", async () => {
    const notifier = createSlackWebhookNotifier({ url: slack.webhookUrl, retry: fastRetry });
    slack.failNext({ status: 429, retryAfterSeconds: 2 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 80);
    const t0 = performance.now();
    const result = await notifier.notify(started, { signal: controller.signal });
    expect(performance.now() - t0).toBeLessThan(600);
    expect(result._unsafeUnwrapErr().kind).toBe("aborted");
    expect(slack.requests).toHaveLength(1);
  });

  it("stops retrying a 5xx once the signal fires during the backoff", async () => {
    const notifier = createSlackWebhookNotifier({
      url: slack.webhookUrl,
      retry: { ...fastRetry, minBackoffMs: 150, maxBackoffMs: 150 },
    });
    slack.failNext({ status: 500 }, { status: 500 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await notifier.notify(started, { signal: controller.signal });
    expect(result._unsafeUnwrapErr().kind).toBe("aborted");
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(slack.requests.map((r) => r.status)).toEqual([500]);
  });

  it("returns invalid_input (naming the variable, not the value) for a malformed URL", async () => {
    const notifier = createSlackWebhookNotifier({
      url: "not a url secret-ish",
      secretName: "HOOK",
    });
    const error = (await notifier.notify(started, { signal: signal() }))._unsafeUnwrapErr();
    expect(error.kind).toBe("invalid_input");
    expect(error.message).toContain("HOOK");
    expect(error.message).not.toContain("secret-ish");
  });
});

describeNotifierConformance("slack incoming webhook", async () => {
  const slack = await startSlackEmulator();
  return {
    notifier: createSlackWebhookNotifier({ url: slack.webhookUrl, retry: fastRetry }),
    received: async () => slack.messages.map((m) => m.payload),
    cleanup: () => slack.close(),
  };
});
