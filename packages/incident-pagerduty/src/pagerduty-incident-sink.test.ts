import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import {
  conformanceIncident,
  conformancePostmortemIncident,
  createVirtualClock,
  describeIncidentSinkConformance,
} from "@shipgate/core/testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type PagerDutyEmulator, startPagerDutyEmulator } from "./pagerduty-emulator.js";
import { buildResolveEvent, buildTriggerEvent } from "./pagerduty-event.js";
import { createPagerDutyEventsClient } from "./pagerduty-events-client.js";
import {
  createPagerDutyIncidentSink,
  defaultIncidentsUrl,
  type PagerDutyIncidentSinkOptions,
} from "./pagerduty-incident-sink.js";

const signal = () => new AbortController().signal;
const fastRetry = { maxRetries: 2, minBackoffMs: 1, maxBackoffMs: 5, maxRetryAfterMs: 5_000 };
const scope = { service: "shop", environment: "production", version: "v1.4.1" };

let pd: PagerDutyEmulator;
let dir: string;
beforeAll(async () => {
  pd = await startPagerDutyEmulator();
});
afterAll(async () => {
  await pd.close();
});
beforeEach(async () => {
  pd.reset();
  dir = await mkdtemp(join(tmpdir(), "shipgate-pd-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const make = (over: Partial<PagerDutyIncidentSinkOptions> = {}) =>
  createPagerDutyIncidentSink({
    routingKey: pd.routingKey,
    baseUrl: pd.url,
    stateFile: join(dir, "devops/status/pagerduty-open.json"),
    retry: fastRetry,
    ...over,
  });

describe("createPagerDutyIncidentSink: open", () => {
  it("triggers an alert with the incident's dedup key and returns where it was filed", async () => {
    const ref = (
      await make({ incidentsUrl: "https://acme.pagerduty.com/incidents" }).open(
        conformanceIncident,
        { signal: signal() },
      )
    )._unsafeUnwrap();
    expect(ref).toEqual({
      sink: "pagerduty",
      id: "shipgate/shop/production",
      url: "https://acme.pagerduty.com/incidents",
    });
    const alert = pd.alert("shipgate/shop/production");
    expect(alert?.status).toBe("triggered");
    expect(alert?.triggers[0]).toMatchObject({
      event_action: "trigger",
      payload: {
        severity: "critical",
        source: "shop.production",
        summary: conformanceIncident.title,
      },
    });
  });

  it("carries the postmortem draft in the alert's details, and names dashboard links", async () => {
    const incident = { ...conformancePostmortemIncident, dedupKey: "shipgate/shop/postmortem" };
    (await make().open(incident, { signal: signal() }))._unsafeUnwrap();
    const trigger = pd.alert("shipgate/shop/postmortem")!.triggers[0] as {
      payload: { custom_details: Record<string, unknown> };
      links: { href: string; text: string }[];
    };
    const details = trigger.payload.custom_details;
    expect(details).toMatchObject({
      captain: "alice",
      cc: "CC: @carol",
      detection: { metric: "error rate", sampleCount: 5120, errorCount: 210 },
      rollback_details: { durationMs: 102_000, verified: true },
      impact: { fullTrafficMinutes: 1.25, requests: 7120, failedRequests: 214 },
    });
    const draft = String(details.postmortem_draft);
    for (const title of [
      "TIMELINE (UTC)",
      "DETECTION",
      "ROLLBACK",
      "IMPACT ESTIMATE",
      "LIKELY CULPRIT",
      "ROOT CAUSE",
      "WHAT WENT WELL",
      "ACTION ITEMS",
    ])
      expect(draft).toContain(`${title}\n`);
    expect(draft).toContain(
      "2026-01-05 10:14:42Z  rollback verified: stable version v1.3.2 is serving",
    );
    expect(draft).toContain("Previous version restored and verified in 1 m 42 s.");
    expect(trigger.links).toContainEqual({
      href: "https://grafana.example.com/d/shop",
      text: "Grafana",
    });
  });

  it("updates the same alert on a second breach of the same service (deterministic key)", async () => {
    const sink = make();
    await sink.open(conformanceIncident, { signal: signal() });
    const second = { ...conformanceIncident, version: "v1.4.1", title: "shop v1.4.1 rolled back" };
    expect((await sink.open(second, { signal: signal() }))._unsafeUnwrap().id).toBe(
      "shipgate/shop/production",
    );
    expect(pd.openAlerts()).toHaveLength(1);
    expect(pd.alert("shipgate/shop/production")?.triggers).toHaveLength(2);
  });

  it("remembers the open alert in the state file", async () => {
    await make().open(conformanceIncident, { signal: signal() });
    const state = JSON.parse(
      await readFile(join(dir, "devops/status/pagerduty-open.json"), "utf8"),
    );
    expect(state).toEqual({
      version: 1,
      open: [
        {
          service: "shop",
          environment: "production",
          dedup_key: "shipgate/shop/production",
          version: "v1.4.0",
          opened_at: "2026-01-05T10:17:00.000Z",
        },
      ],
    });
  });

  it("honours Retry-After on 429, then triggers", async () => {
    const clock = createVirtualClock();
    pd.failNext({ status: 429, retryAfterSeconds: 2 });
    expect((await make({ clock }).open(conformanceIncident, { signal: signal() })).isOk()).toBe(
      true,
    );
    expect(clock.sleptMs).toBe(2000);
    expect(pd.requests.map((r) => r.status)).toEqual([429, 202]);
  });

  it("returns rate_limited, keeping Retry-After, when 429 persists; does not wait past the cap", async () => {
    const clock = createVirtualClock();
    pd.failNext(
      ...Array.from({ length: 3 }, () => ({ status: 429 as const, retryAfterSeconds: 1 })),
    );
    const error = (
      await make({ clock }).open(conformanceIncident, { signal: signal() })
    )._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "rate_limited", status: 429, retryAfterMs: 1000 });
    expect(pd.requests).toHaveLength(3);
    pd.reset();
    pd.failNext({ status: 429, retryAfterSeconds: 600 });
    const capped = (
      await make({ clock }).open(conformanceIncident, { signal: signal() })
    )._unsafeUnwrapErr();
    expect(capped).toMatchObject({ kind: "rate_limited", retryAfterMs: 600_000 });
    expect(pd.requests).toHaveLength(1);
  });

  it("retries 5xx with exponential backoff and gives up with unavailable after the bound", async () => {
    const clock = createVirtualClock();
    const retry = { maxRetries: 3, minBackoffMs: 1000, maxBackoffMs: 3000 };
    pd.failNext({ status: 500 }, { status: 502 }, { status: 503 });
    expect(
      (await make({ clock, retry }).open(conformanceIncident, { signal: signal() })).isOk(),
    ).toBe(true);
    expect(clock.sleptMs).toBe(1000 + 2000 + 3000);
    pd.reset();
    pd.failNext(...Array.from({ length: 4 }, () => ({ status: 503 as const })));
    const error = (
      await make({ clock, retry }).open(conformanceIncident, { signal: signal() })
    )._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "unavailable", status: 503, retryable: true });
    expect(error.message).toContain("gave up after 4 attempts");
    expect(pd.requests).toHaveLength(4);
  });

  it("does not retry a 400 about the routing key and reports it as auth, naming the env var", async () => {
    const sink = createPagerDutyIncidentSink({
      routingKey: "short-key-not-real",
      baseUrl: pd.url,
      stateFile: null,
      retry: fastRetry,
      secretName: "PD_KEY",
    });
    const refused = (await sink.open(conformanceIncident, { signal: signal() }))._unsafeUnwrapErr();
    expect(refused).toMatchObject({ kind: "auth", status: 400, retryable: false });
    expect(refused.vendorMessage).toBe(
      "Event object is invalid: Length of 'routing_key' is incorrect (should be 32 characters)",
    );
    expect(refused.hint).toContain("PD_KEY");
    expect(pd.requests).toHaveLength(1);
  });

  it("does not retry a 400 invalid event and passes PagerDuty's errors on as bad_query", async () => {
    const client = createPagerDutyEventsClient({ baseUrl: pd.url, retry: fastRetry });
    const event = buildTriggerEvent(conformanceIncident, pd.routingKey);
    const broken = {
      ...event,
      payload: { ...event.payload, severity: "severe" as never, summary: "" },
    };
    const error = (await client.send(broken, { signal: signal() }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "bad_query", status: 400, retryable: false });
    expect(error.details).toEqual({
      errors: [
        "'payload.summary' is missing or blank",
        "'payload.severity' is invalid (must be one of: critical, error, warning, info)",
      ],
    });
    expect(pd.requests).toHaveLength(1);
  });

  it("returns invalid_response when a 202 carries no dedup_key", async () => {
    const fake: typeof fetch = async () => new Response("{}", { status: 202 });
    const client = createPagerDutyEventsClient({
      baseUrl: "https://events.pagerduty.com",
      fetch: fake,
    });
    const error = (
      await client.send(buildResolveEvent("k", pd.routingKey), { signal: signal() })
    )._unsafeUnwrapErr();
    expect(error.kind).toBe("invalid_response");
  });

  it("never puts the routing key in an error", async () => {
    const secret = "zzzzzzzzsecretkeynotreal00000000";
    const sink = createPagerDutyIncidentSink({
      routingKey: secret,
      baseUrl: pd.url,
      stateFile: null,
      retry: fastRetry,
    });
    const error = (await sink.open(conformanceIncident, { signal: signal() }))._unsafeUnwrapErr();
    expect(error.vendorMessage).toContain("Invalid routing key");
    expect(
      `${JSON.stringify(error)} ${inspect(error, { depth: 10 })} ${error.describe()}`,
    ).not.toContain(secret);
  });

  it("retries a timeout (events are idempotent by dedup key) and succeeds", async () => {
    pd.failNext({ delayMs: 300 });
    const ref = await make({ timeoutMs: 100 }).open(conformanceIncident, { signal: signal() });
    expect(ref.isOk()).toBe(true);
    expect(pd.alert("shipgate/shop/production")?.triggers).toHaveLength(1);
  });

  it("returns timeout when every attempt times out", async () => {
    pd.failNext({ delayMs: 300 }, { delayMs: 300 });
    const error = (
      await make({ timeoutMs: 80, retry: { ...fastRetry, maxRetries: 1 } }).open(
        conformanceIncident,
        { signal: signal() },
      )
    )._unsafeUnwrapErr();
    expect(error.kind).toBe("timeout");
  });

  it("resolves to aborted quickly when the signal fires mid-request, and cancels it", async () => {
    pd.failNext({ delayMs: 250 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 40);
    const t0 = performance.now();
    const result = await make().open(conformanceIncident, { signal: controller.signal });
    expect(performance.now() - t0).toBeLessThan(200);
    expect(result._unsafeUnwrapErr().kind).toBe("aborted");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pd.requests.map((r) => r.status)).toEqual([499]);
    expect(pd.openAlerts()).toHaveLength(0);
  });

  it("returns not_found when base_url does not serve the Events API", async () => {
    const error = (
      await make({ baseUrl: `${pd.url}/wrong` }).open(conformanceIncident, { signal: signal() })
    )._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "not_found", status: 404 });
  });
});

describe("createPagerDutyIncidentSink: resolveOpen", () => {
  it("resolves the alert a rollback opened when a later release succeeds", async () => {
    const sink = make();
    await sink.open(conformanceIncident, { signal: signal() });
    const refs = (await sink.resolveOpen!(scope, { signal: signal() }))._unsafeUnwrap();
    expect(refs).toEqual([
      { sink: "pagerduty", id: "shipgate/shop/production", url: `${pd.url}/incidents` },
    ]);
    expect(pd.alert("shipgate/shop/production")?.status).toBe("resolved");
    expect(pd.events.at(-1)).toEqual({
      routing_key: pd.routingKey,
      event_action: "resolve",
      dedup_key: "shipgate/shop/production",
    });
    const state = JSON.parse(
      await readFile(join(dir, "devops/status/pagerduty-open.json"), "utf8"),
    );
    expect(state.open).toEqual([]);
  });

  it("resolves per-release keys it remembers, and only for the same service and environment", async () => {
    const sink = make();
    const perRelease = { ...conformanceIncident, dedupKey: "shop/production/v1.4.0" };
    await sink.open(perRelease, { signal: signal() });
    await sink.open(
      { ...conformanceIncident, environment: "staging", dedupKey: "shop/staging/v1.4.0" },
      { signal: signal() },
    );
    const refs = (await sink.resolveOpen!(scope, { signal: signal() }))._unsafeUnwrap();
    expect(refs.map((r) => r.id)).toEqual(["shop/production/v1.4.0"]);
    expect(pd.alert("shop/production/v1.4.0")?.status).toBe("resolved");
    expect(pd.alert("shop/staging/v1.4.0")?.status).toBe("triggered");
  });

  it("resolves the deterministic key without any state (a fresh CI machine)", async () => {
    await make({ stateFile: null }).open(conformanceIncident, { signal: signal() });
    const refs = (
      await make({ stateFile: null }).resolveOpen!(scope, { signal: signal() })
    )._unsafeUnwrap();
    expect(refs).toEqual([]); // nothing known to be open, but the resolve went out
    expect(pd.alert("shipgate/shop/production")?.status).toBe("resolved");
  });

  it("keeps an alert in the state file when its resolve fails, to try again next time", async () => {
    const sink = make({ retry: { ...fastRetry, maxRetries: 0 } });
    await sink.open(
      { ...conformanceIncident, dedupKey: "shop/production/v1.4.0" },
      { signal: signal() },
    );
    pd.failNext({ status: 503 });
    const error = (await sink.resolveOpen!(scope, { signal: signal() }))._unsafeUnwrapErr();
    expect(error.kind).toBe("unavailable");
    const state = JSON.parse(
      await readFile(join(dir, "devops/status/pagerduty-open.json"), "utf8"),
    );
    expect(state.open.map((a: { dedup_key: string }) => a.dedup_key)).toEqual([
      "shop/production/v1.4.0",
    ]);
  });

  it("treats a corrupt state file as empty", async () => {
    const file = join(dir, "state.json");
    await writeFile(file, "{not json");
    const refs = (
      await make({ stateFile: file }).resolveOpen!(scope, { signal: signal() })
    )._unsafeUnwrap();
    expect(refs).toEqual([]);
  });

  it("resolves to aborted when the signal has fired", async () => {
    const controller = new AbortController();
    controller.abort();
    expect(
      (await make().resolveOpen!(scope, { signal: controller.signal }))._unsafeUnwrapErr().kind,
    ).toBe("aborted");
    expect(pd.requests).toHaveLength(0);
  });
});

describe("defaultIncidentsUrl", () => {
  it("points at the web app of the same service region", () => {
    expect(defaultIncidentsUrl("https://events.pagerduty.com")).toBe(
      "https://app.pagerduty.com/incidents",
    );
    expect(defaultIncidentsUrl("https://events.eu.pagerduty.com/")).toBe(
      "https://app.eu.pagerduty.com/incidents",
    );
    expect(defaultIncidentsUrl("http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080/incidents");
  });
});

describeIncidentSinkConformance("pagerduty events v2", async () => {
  const emulator = await startPagerDutyEmulator();
  return {
    sink: createPagerDutyIncidentSink({
      routingKey: emulator.routingKey,
      baseUrl: emulator.url,
      stateFile: null,
      retry: fastRetry,
    }),
    readBack: async (ref) => {
      const alert = emulator.alert(ref.id);
      return alert ? JSON.stringify(alert.triggers.at(-1)) : null;
    },
    cleanup: () => emulator.close(),
  };
});
