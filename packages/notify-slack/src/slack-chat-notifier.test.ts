import { inspect } from "node:util";
import type { Notification } from "@shipgate/core";
import {
  conformanceNotifications,
  createVirtualClock,
  describeNotifierConformance,
  sharedPerFile,
} from "@shipgate/core/testing";
import { describe, expect, it } from "vitest";
import { createSlackChatNotifier } from "./slack-chat-notifier.js";
import { startSlackEmulator } from "./testing/slack-emulator.js";

const signal = () => new AbortController().signal;
const aborted = conformanceNotifications().find(
  (n) => n.kind === "release_aborted",
) as Notification;
const fastRetry = { maxRetries: 2, minBackoffMs: 1, maxBackoffMs: 5, maxRetryAfterMs: 5_000 };

describe("createSlackChatNotifier", () => {
  const slack = sharedPerFile(() =>
    startSlackEmulator({
      channels: { C0DEPLOYS: "deploys", C0PRIVATE: "release-war-room" },
    }),
  );

  const make = (over: Partial<Parameters<typeof createSlackChatNotifier>[0]> = {}) =>
    createSlackChatNotifier({
      token: slack.token,
      channel: "C0DEPLOYS",
      apiUrl: slack.apiUrl,
      retry: fastRetry,
      ...over,
    });

  it("posts with chat.postMessage: channel, text fallback and blocks (form-encoded, as the client sends)", async () => {
    const result = await make().notify(aborted, { signal: signal() });
    expect(result.isOk()).toBe(true);
    expect(slack.requests[0]).toMatchObject({ via: "chat", status: 200 });
    expect(slack.requests[0]?.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    const [message] = slack.messages;
    expect(message?.channel).toBe("C0DEPLOYS");
    expect(message?.text).toContain("shop v1.4.0 rolled back");
    expect(JSON.stringify(message?.blocks)).toContain("*Incident:* INC-2026-01-05-01");
  });

  it("accepts a channel name", async () => {
    expect(
      (await make({ channel: "#release-war-room" }).notify(aborted, { signal: signal() })).isOk(),
    ).toBe(true);
    expect(slack.messages[0]?.channel).toBe("C0PRIVATE");
  });

  it("maps channel_not_found (HTTP 200, ok:false) to not_found without retrying", async () => {
    const error = (
      await make({ channel: "C0GONE" }).notify(aborted, { signal: signal() })
    )._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "not_found", vendorMessage: "channel_not_found" });
    expect(error.message).toContain("C0GONE");
    expect(slack.requests).toHaveLength(1);
  });

  it("maps invalid_auth to auth, naming the env var and never the token", async () => {
    const token = "xoxb-wrong-token-not-real";
    const error = (
      await make({ token, secretName: "SLACK_DEPLOY_TOKEN" }).notify(aborted, { signal: signal() })
    )._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "auth", vendorMessage: "invalid_auth" });
    expect(error.hint).toContain("SLACK_DEPLOY_TOKEN");
    expect(`${JSON.stringify(error)} ${inspect(error, { depth: 10 })}`).not.toContain(token);
    expect(slack.requests).toHaveLength(1);
  });

  it("maps a missing token (not_authed) to auth", async () => {
    const error = (
      await make({ token: "" }).notify(aborted, { signal: signal() })
    )._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "auth", vendorMessage: "not_authed" });
  });

  it("maps invalid_blocks to bad_query with Slack's pointer, and does not retry it", async () => {
    slack.failNext({ status: 200, error: "invalid_blocks" });
    const error = (await make().notify(aborted, { signal: signal() }))._unsafeUnwrapErr();
    expect(error).toMatchObject({
      kind: "bad_query",
      vendorMessage: "invalid_blocks",
      retryable: false,
    });
    expect(slack.requests).toHaveLength(1);
  });

  it("honours Retry-After on HTTP 429, then posts", async () => {
    const clock = createVirtualClock();
    slack.failNext({ status: 429, retryAfterSeconds: 2 });
    expect((await make({ clock }).notify(aborted, { signal: signal() })).isOk()).toBe(true);
    expect(clock.sleptMs).toBe(2000);
    expect(slack.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it("returns rate_limited when 429 persists", async () => {
    const clock = createVirtualClock();
    slack.failNext(
      ...Array.from({ length: 3 }, () => ({ status: 429 as const, retryAfterSeconds: 0 })),
    );
    const error = (await make({ clock }).notify(aborted, { signal: signal() }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "rate_limited", status: 429 });
    expect(slack.requests).toHaveLength(3);
  });

  it("retries a 5xx (in the client) and gives up after the bound with unavailable", async () => {
    slack.failNext({ status: 502 });
    expect((await make().notify(aborted, { signal: signal() })).isOk()).toBe(true);
    expect(slack.requests.map((r) => r.status)).toEqual([502, 200]);
    slack.reset();
    slack.failNext(...Array.from({ length: 5 }, () => ({ status: 503 as const })));
    const error = (await make().notify(aborted, { signal: signal() }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "unavailable", status: 503 });
    expect(slack.requests).toHaveLength(3);
  });

  it("reports a timeout and does not retry it (Slack may have posted already)", async () => {
    slack.failNext({ delayMs: 400 });
    const error = (
      await make({ timeoutMs: 100 }).notify(aborted, { signal: signal() })
    )._unsafeUnwrapErr();
    expect(error.kind).toBe("timeout");
    expect(slack.messages).toHaveLength(0);
  });

  it("resolves to aborted quickly when the signal fires mid-request, and cancels the HTTP request", async () => {
    slack.failNext({ delayMs: 300 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const t0 = performance.now();
    const result = await make().notify(aborted, { signal: controller.signal });
    expect(performance.now() - t0).toBeLessThan(250);
    expect(result._unsafeUnwrapErr().kind).toBe("aborted");
    // The signal reached the socket: once the emulator wakes up, the client is gone.
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(slack.messages).toHaveLength(0);
    expect(slack.requests.map((r) => r.status)).toEqual([499]);
  });
});

describeNotifierConformance("slack chat.postMessage", async () => {
  const slack = await startSlackEmulator();
  return {
    notifier: createSlackChatNotifier({
      token: slack.token,
      channel: "C0DEPLOYS",
      apiUrl: slack.apiUrl,
      retry: fastRetry,
    }),
    received: async () => slack.messages.map((m) => m.payload),
    cleanup: () => slack.close(),
  };
});
