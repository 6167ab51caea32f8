import { sharedPerFile } from "@shipgate/core/testing";
import { describe, expect, it } from "vitest";
import { startSlackEmulator } from "./slack-emulator.js";

/**
 * The emulator must refuse what Slack refuses; otherwise the adapter tests prove nothing.
 * These post raw payloads, with no adapter involved.
 */
const slack = sharedPerFile(startSlackEmulator);

const postWebhook = async (body: string, contentType = "application/json") => {
  const res = await fetch(slack.webhookUrl, {
    method: "POST",
    headers: { "content-type": contentType },
    body,
  });
  return { status: res.status, text: await res.text() };
};

const postChat = async (params: Record<string, unknown>, token: string | null = slack.token) => {
  const res = await fetch(`${slack.apiUrl}chat.postMessage`, {
    method: "POST",
    headers: {
      "content-type": "application/json; charset=utf-8",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(params),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};

const header = (text: string) => ({ type: "header", text: { type: "plain_text", text } });

describe("Slack emulator: incoming webhook", () => {
  it("accepts a valid message with 200 ok", async () => {
    expect(await postWebhook(JSON.stringify({ text: "hi", blocks: [header("Hello")] }))).toEqual({
      status: 200,
      text: "ok",
    });
    expect(slack.messages).toHaveLength(1);
  });

  it.each([
    ["unparsable JSON", "{not json", "invalid_payload"],
    ["neither text nor blocks", JSON.stringify({ username: "x" }), "no_text"],
    [
      "a header over 150 characters",
      JSON.stringify({ text: "t", blocks: [header("h".repeat(151))] }),
      "invalid_blocks",
    ],
    [
      "a mrkdwn header",
      JSON.stringify({
        text: "t",
        blocks: [{ type: "header", text: { type: "mrkdwn", text: "h" } }],
      }),
      "invalid_blocks",
    ],
    [
      "a section over 3000 characters",
      JSON.stringify({
        text: "t",
        blocks: [{ type: "section", text: { type: "mrkdwn", text: "x".repeat(3001) } }],
      }),
      "invalid_blocks",
    ],
    [
      "11 section fields",
      JSON.stringify({
        text: "t",
        blocks: [
          {
            type: "section",
            fields: Array.from({ length: 11 }, () => ({ type: "mrkdwn", text: "f" })),
          },
        ],
      }),
      "invalid_blocks",
    ],
    [
      "51 blocks",
      JSON.stringify({
        text: "t",
        blocks: Array.from({ length: 51 }, () => ({ type: "divider" })),
      }),
      "invalid_blocks",
    ],
    [
      "an empty section text",
      JSON.stringify({
        text: "t",
        blocks: [{ type: "section", text: { type: "mrkdwn", text: "" } }],
      }),
      "invalid_blocks",
    ],
    [
      "emoji on mrkdwn",
      JSON.stringify({
        text: "t",
        blocks: [{ type: "section", text: { type: "mrkdwn", text: "a", emoji: true } }],
      }),
      "invalid_blocks",
    ],
    [
      "an unknown block property",
      JSON.stringify({ text: "t", blocks: [{ type: "divider", colour: "red" }] }),
      "invalid_blocks",
    ],
    [
      "11 context elements",
      JSON.stringify({
        text: "t",
        blocks: [
          {
            type: "context",
            elements: Array.from({ length: 11 }, () => ({ type: "mrkdwn", text: "c" })),
          },
        ],
      }),
      "invalid_blocks",
    ],
  ])("refuses %s with HTTP 400 %s", async (_case, body, error) => {
    expect(await postWebhook(body)).toEqual({ status: 400, text: error });
    expect(slack.messages).toHaveLength(0);
  });

  it("answers 404 no_service for an unknown webhook", async () => {
    const res = await fetch(`${slack.url}/services/T0/B0/wrong`, { method: "POST", body: "{}" });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe("no_service");
  });

  it("plays scripted faults in order: 429 with Retry-After, then 503", async () => {
    slack.failNext({ status: 429, retryAfterSeconds: 7 }, { status: 503 });
    const first = await fetch(slack.webhookUrl, {
      method: "POST",
      body: JSON.stringify({ text: "x" }),
    });
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("7");
    expect((await postWebhook(JSON.stringify({ text: "x" }))).status).toBe(503);
    expect(await postWebhook(JSON.stringify({ text: "x" }))).toEqual({ status: 200, text: "ok" });
  });
});

describe("Slack emulator: chat.postMessage", () => {
  it("answers ok with channel and ts, resolving a channel name to its ID", async () => {
    const { status, json } = await postChat({ channel: "#deploys", text: "hi" });
    expect(status).toBe(200);
    expect(json).toMatchObject({
      ok: true,
      channel: "C0DEPLOYS",
      ts: expect.stringMatching(/^\d+\.\d{6}$/),
    });
  });

  it("answers HTTP 200 with ok:false for not_authed, invalid_auth and channel_not_found", async () => {
    expect((await postChat({ channel: "C0DEPLOYS", text: "x" }, null)).json).toEqual({
      ok: false,
      error: "not_authed",
    });
    expect((await postChat({ channel: "C0DEPLOYS", text: "x" }, "xoxb-wrong")).json).toEqual({
      ok: false,
      error: "invalid_auth",
    });
    const missing = await postChat({ channel: "C0NOPE", text: "x" });
    expect(missing).toEqual({ status: 200, json: { ok: false, error: "channel_not_found" } });
  });

  it("refuses invalid blocks with the JSON pointer of the fault, as Slack does", async () => {
    const { status, json } = await postChat({
      channel: "C0DEPLOYS",
      text: "x",
      blocks: [header("h".repeat(151))],
    });
    expect(status).toBe(200);
    expect(json).toEqual({
      ok: false,
      error: "invalid_blocks",
      errors: ["must be less than 151 characters [json-pointer:/blocks/0/text/text]"],
      response_metadata: {
        messages: ["[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]"],
      },
    });
    expect((await postChat({ channel: "C0DEPLOYS" })).json).toEqual({
      ok: false,
      error: "no_text",
    });
    expect((await postChat({ channel: "C0DEPLOYS", text: "x".repeat(40_001) })).json).toEqual({
      ok: false,
      error: "msg_too_long",
    });
  });

  it("warns (but posts) when blocks come without a text fallback", async () => {
    const { json } = await postChat({ channel: "C0DEPLOYS", blocks: [header("h")] });
    expect(json).toMatchObject({
      ok: true,
      response_metadata: { warnings: ["missing_text_or_fallback"] },
    });
  });
});
