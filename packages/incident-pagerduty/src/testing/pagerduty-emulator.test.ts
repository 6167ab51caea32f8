import { sharedPerFile } from "@shipgate/core/testing";
import { describe, expect, it } from "vitest";
import { startPagerDutyEmulator } from "./pagerduty-emulator.js";

/** The emulator must refuse what PagerDuty refuses; these post raw events, no adapter. */
const pd = sharedPerFile(startPagerDutyEmulator);

const post = async (body: unknown) => {
  const res = await fetch(`${pd.url}/v2/enqueue`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return {
    status: res.status,
    json: (await res.json()) as Record<string, unknown>,
    retryAfter: res.headers.get("retry-after"),
  };
};
const KEY = "testroutingkeynotreal00000000000"; // the emulator's default
const trigger = (over: Record<string, unknown> = {}, payload: Record<string, unknown> = {}) => ({
  routing_key: KEY,
  event_action: "trigger",
  dedup_key: "shipgate/shop/production",
  payload: {
    summary: "shop rolled back",
    source: "shop.production",
    severity: "critical",
    ...payload,
  },
  ...over,
});

describe("PagerDuty emulator", () => {
  it("accepts a valid trigger with 202 {status, message, dedup_key}", async () => {
    expect(await post(trigger())).toMatchObject({
      status: 202,
      json: {
        status: "success",
        message: "Event processed",
        dedup_key: "shipgate/shop/production",
      },
    });
  });

  it("generates a dedup key when the trigger has none", async () => {
    const { json } = await post(trigger({ dedup_key: undefined }));
    expect(json.dedup_key).toMatch(/^[0-9a-f]{32}$/);
  });

  it.each([
    [
      "a short routing key",
      trigger({ routing_key: "abc" }),
      "Length of 'routing_key' is incorrect (should be 32 characters)",
    ],
    ["an unknown routing key", trigger({ routing_key: "x".repeat(32) }), "Invalid routing key"],
    ["no routing key", trigger({ routing_key: undefined }), "'routing_key' is missing or blank"],
    [
      "an unknown event_action",
      trigger({ event_action: "open" }),
      "'event_action' is invalid (must be one of: trigger, acknowledge, resolve)",
    ],
    ["a blank summary", trigger({}, { summary: " " }), "'payload.summary' is missing or blank"],
    [
      "a summary over 1024 characters",
      trigger({}, { summary: "s".repeat(1025) }),
      "'payload.summary' is longer than 1024 characters",
    ],
    ["no source", trigger({}, { source: undefined }), "'payload.source' is missing or blank"],
    [
      "an unknown severity",
      trigger({}, { severity: "high" }),
      "'payload.severity' is invalid (must be one of: critical, error, warning, info)",
    ],
    [
      "a dedup key over 255 characters",
      trigger({ dedup_key: "d".repeat(256) }),
      "'dedup_key' must be a string of at most 255 characters",
    ],
    [
      "a resolve without dedup key",
      { routing_key: KEY, event_action: "resolve" },
      "'dedup_key' is required for resolve events",
    ],
    [
      "custom_details that are not an object",
      trigger({}, { custom_details: "x" }),
      "'payload.custom_details' must be an object",
    ],
    ["a link without href", trigger({ links: [{ text: "x" }] }), "'links[0].href' is required"],
  ])("refuses %s with 400 and an errors list", async (_case, body, error) => {
    const { status, json } = await post(body);
    expect(status).toBe(400);
    expect(json).toMatchObject({ status: "invalid event", message: "Event object is invalid" });
    expect(json.errors).toContain(error);
    expect(pd.events).toHaveLength(0);
  });

  it("refuses a body that is not JSON", async () => {
    expect((await post("{nope")).status).toBe(400);
  });

  it("deduplicates: a second trigger joins the open alert; resolve closes it; a later trigger opens a new one", async () => {
    await post(trigger());
    await post(trigger({}, { summary: "again" }));
    expect(pd.alert("shipgate/shop/production")).toMatchObject({ status: "triggered" });
    expect(pd.alert("shipgate/shop/production")?.triggers).toHaveLength(2);
    expect(
      (
        await post({
          routing_key: pd.routingKey,
          event_action: "resolve",
          dedup_key: "shipgate/shop/production",
        })
      ).status,
    ).toBe(202);
    expect(pd.openAlerts()).toHaveLength(0);
    await post(trigger());
    expect(pd.alert("shipgate/shop/production")?.triggers).toHaveLength(1);
  });

  it("drops (202) a resolve for an alert that is not open", async () => {
    const { status } = await post({
      routing_key: pd.routingKey,
      event_action: "resolve",
      dedup_key: "nothing-open",
    });
    expect(status).toBe(202);
    expect(pd.alert("nothing-open")).toBeUndefined();
  });

  it("plays scripted 429 (with Retry-After) and 5xx", async () => {
    pd.failNext({ status: 429, retryAfterSeconds: 2 }, { status: 503 });
    const limited = await post(trigger());
    expect(limited).toMatchObject({
      status: 429,
      retryAfter: "2",
      json: { status: "throttle event" },
    });
    expect((await post(trigger())).status).toBe(503);
    expect((await post(trigger())).status).toBe(202);
  });
});
