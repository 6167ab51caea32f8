import type { IncidentDetails, IncidentSeverity } from "@shipgate/core";
import { conformanceIncident } from "@shipgate/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildResolveEvent,
  buildTriggerEvent,
  fitDedupKey,
  PAGERDUTY_LIMITS,
  serviceDedupKey,
} from "./pagerduty-event.js";
import { validatePagerDutyEvent } from "./testing/pagerduty-emulator.js";

const key = "testroutingkeynotreal00000000000";
const known = new Set([key]);

describe("buildTriggerEvent", () => {
  it("builds the documented trigger event, which PagerDuty accepts", () => {
    const event = buildTriggerEvent(conformanceIncident, key, {
      reportBaseUrl: "https://git.example.com/acme/shop/blob/main/",
    });
    expect(event).toMatchObject({
      routing_key: key,
      event_action: "trigger",
      dedup_key: "shipgate/shop/production",
      client: "shipgate",
      payload: {
        summary: "shop v1.4.0 rolled back in production: error rate 4.10% > 1.00% at 25%",
        source: "shop.production",
        severity: "critical",
        timestamp: "2026-01-05T10:17:00.000Z",
        component: "shop",
        group: "production",
        class: "release rollback",
      },
    });
    expect(event.payload.custom_details).toMatchObject({
      version: "v1.4.0",
      breach_reason: "error rate 4.10% > 1.00% at 25%",
      breach_weight_percent: 25,
      rollback_verified: true,
      rollback: "stable version v1.3.2 serving 100%",
      likely_culprit:
        "#102 fix(cart)!: change total rounding (carol) — breaking change to runtime code, merged last among runtime changes",
      report: "devops/reports/release-v1.4.0.md",
    });
    expect((event.payload.custom_details!.suspects as unknown[])[0]).toEqual({
      pr: "#102",
      title: "fix(cart)!: change total rounding",
      author: "carol",
      url: "https://git.example.com/acme/shop/pull/102",
      score: 7,
      likely_culprit: true,
      reason: "breaking change to runtime code, merged last among runtime changes",
    });
    expect(event.links).toEqual([
      {
        href: "https://git.example.com/acme/shop/blob/main/devops/reports/release-v1.4.0.md",
        text: "Release report v1.4.0",
      },
      { href: "https://grafana.example.com/d/shop", text: "Dashboard" },
      { href: "https://git.example.com/acme/shop/pull/102", text: "Likely culprit: #102" },
    ]);
    expect(validatePagerDutyEvent(event, known)).toEqual([]);
  });

  it("uses the configured source, component and group", () => {
    const { payload } = buildTriggerEvent(conformanceIncident, key, {
      source: "k8s/prod-eu",
      component: "checkout",
      group: "web",
    });
    expect(payload).toMatchObject({ source: "k8s/prod-eu", component: "checkout", group: "web" });
  });

  it.each(["critical", "error", "warning", "info"] as IncidentSeverity[])(
    "passes severity %s through",
    (severity) => {
      expect(buildTriggerEvent({ ...conformanceIncident, severity }, key).payload.severity).toBe(
        severity,
      );
    },
  );

  it("cuts a summary over 1024 characters to 1024, ending with an ellipsis", () => {
    const { payload } = buildTriggerEvent({ ...conformanceIncident, title: "x".repeat(5000) }, key);
    expect(payload.summary).toHaveLength(PAGERDUTY_LIMITS.summary);
    expect(payload.summary.endsWith("…")).toBe(true);
  });

  it("keeps a dedup key within 255 characters, deterministically", () => {
    const long = `shop/${"x".repeat(400)}`;
    expect(fitDedupKey(long)).toHaveLength("shipgate/sha256/".length + 64);
    expect(fitDedupKey(long)).toBe(fitDedupKey(long));
    expect(fitDedupKey("short")).toBe("short");
    expect(buildTriggerEvent({ ...conformanceIncident, dedupKey: long }, key).dedup_key).toBe(
      fitDedupKey(long),
    );
    expect(buildTriggerEvent({ ...conformanceIncident, dedupKey: " " }, key).dedup_key).toBe(
      serviceDedupKey("shop", "production"),
    );
  });

  it("drops relative or non-http links (PagerDuty needs absolute hrefs) and leaves the report path in the details", () => {
    const event = buildTriggerEvent(
      { ...conformanceIncident, dashboards: ["grafana/d/shop", "ftp://x"] },
      key,
    );
    expect(event.links).toEqual([
      { href: "https://git.example.com/acme/shop/pull/102", text: "Likely culprit: #102" },
    ]);
    expect(event.payload.custom_details?.report).toBe("devops/reports/release-v1.4.0.md");
  });

  it("builds a valid event for any incident (property)", () => {
    const text = fc.string({ maxLength: 2000 });
    const incident = fc.record({
      title: text,
      service: fc.string({ minLength: 1, maxLength: 60 }),
      environment: fc.string({ minLength: 1, maxLength: 30 }),
      version: text,
      breachReason: text,
      severity: fc.constantFrom<IncidentSeverity>("critical", "error", "warning", "info"),
      dedupKey: fc.string({ maxLength: 600 }),
      openedAt: fc.oneof(fc.constant("2026-01-05T10:17:00.000Z"), text),
      dashboards: fc.array(fc.oneof(fc.webUrl(), text), { maxLength: 15 }),
    });
    fc.assert(
      fc.property(incident, (over) => {
        const event = buildTriggerEvent(
          { ...conformanceIncident, ...over } as IncidentDetails,
          key,
        );
        expect(validatePagerDutyEvent(event, known)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

describe("buildResolveEvent", () => {
  it("resolves by dedup key only", () => {
    const event = buildResolveEvent("shipgate/shop/production", key);
    expect(event).toEqual({
      routing_key: key,
      event_action: "resolve",
      dedup_key: "shipgate/shop/production",
    });
    expect(validatePagerDutyEvent(event, known)).toEqual([]);
  });
});
