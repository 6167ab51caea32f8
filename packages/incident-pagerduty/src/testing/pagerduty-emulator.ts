import { randomUUID } from "node:crypto";
import { type EmulatorExchange, startEmulatorServer } from "@shipgate/core/testing/emulator";
import { validatePagerDutyEvent } from "./pagerduty-event-rules.js";

export { validatePagerDutyEvent } from "./pagerduty-event-rules.js";

/**
 * A local PagerDuty Events API v2 (`POST /v2/enqueue`) on 127.0.0.1 for tests.
 *
 * It follows "Send an Alert Event" and the Events API v2 overview (developer.pagerduty.com,
 * PagerDuty/developer-docs): answers `202 {status:"success", message:"Event processed",
 * dedup_key}`, and `400 {status:"invalid event", message:"Event object is invalid",
 * errors:[…]}` for what PagerDuty refuses — a `routing_key` that is not 32 characters or not
 * an integration key, an unknown `event_action`, a `dedup_key` over 255 characters or
 * missing on acknowledge/resolve, and for a trigger a blank `payload.summary` (or over 1024
 * characters), a blank `payload.source`, a `payload.severity` outside
 * critical|error|warning|info, a `custom_details` that is not an object, links without
 * `href`, or a body over 512 KB. Alerts deduplicate as documented: a trigger with the key
 * of an open alert adds to it; a resolve closes it; a resolve for no open alert is dropped
 * (still 202). Scripted faults give 429, 5xx and slow answers.
 */
export interface PagerDutyEmulator {
  /** Base URL, the adapter's `base_url`. */
  readonly url: string;
  /** The one routing key (integration key) the emulator knows. */
  readonly routingKey: string;
  /** Every event accepted (202), in order. */
  readonly events: Record<string, unknown>[];
  /** Every request, with the status answered. */
  readonly requests: { status: number; body: unknown }[];
  /** The alert stored under a dedup key. */
  alert(dedupKey: string): PagerDutyEmulatorAlert | undefined;
  /** Alerts currently open (triggered, not resolved). */
  openAlerts(): PagerDutyEmulatorAlert[];
  failNext(...faults: PagerDutyFault[]): void;
  reset(): void;
  close(): Promise<void>;
}

/** An alert as the emulator keeps it. */
export interface PagerDutyEmulatorAlert {
  dedupKey: string;
  status: "triggered" | "resolved";
  /** The trigger events that opened or updated it. */
  triggers: Record<string, unknown>[];
}

/** A scripted failure (or delay) for the next request. */
export type PagerDutyFault =
  | { status: 429; retryAfterSeconds?: number }
  | { status: 500 | 502 | 503 }
  | { delayMs: number };

/**
 * Starts the emulator on 127.0.0.1 and a free port.
 *
 * @example
 * ```ts
 * const pd = await startPagerDutyEmulator();
 * const sink = createPagerDutyIncidentSink({ routingKey: pd.routingKey, baseUrl: pd.url, stateFile: null });
 * ```
 */
export async function startPagerDutyEmulator(
  options: { routingKey?: string } = {},
): Promise<PagerDutyEmulator> {
  // 32 characters, like a real integration key, and obviously fake.
  const routingKey = options.routingKey ?? "testroutingkeynotreal00000000000";
  const known = new Set([routingKey]);
  const events: Record<string, unknown>[] = [];
  const alerts = new Map<string, PagerDutyEmulatorAlert>();
  let generation = 0;

  const invalid = (x: EmulatorExchange, errors: string[]) =>
    x.reply(400, { status: "invalid event", message: "Event object is invalid", errors });

  const handle = (x: EmulatorExchange) => {
    const born = generation;
    if (x.method !== "POST" || x.url.pathname !== "/v2/enqueue") {
      return x.reply(404, { status: "not found", message: "Not Found" });
    }
    x.route("POST /v2/enqueue");
    if (Buffer.byteLength(x.text) > 512 * 1024) return invalid(x, ["Event payload exceeds 512 KB"]);
    const body = parseJson(x.text);
    if (body === undefined) return invalid(x, ["Could not parse the request body as JSON"]);
    const errors = validatePagerDutyEvent(body, known);
    if (errors.length > 0) return invalid(x, errors);

    const event = body as Record<string, unknown>;
    const dedupKey =
      typeof event.dedup_key === "string" && event.dedup_key
        ? event.dedup_key
        : randomUUID().replace(/-/g, "");
    if (born === generation) {
      events.push(event);
      const existing = alerts.get(dedupKey);
      if (event.event_action === "trigger") {
        if (existing?.status === "triggered") existing.triggers.push(event);
        else alerts.set(dedupKey, { dedupKey, status: "triggered", triggers: [event] });
      } else if (event.event_action === "resolve" && existing?.status === "triggered") {
        existing.status = "resolved";
      }
    }
    return x.reply(202, { status: "success", message: "Event processed", dedup_key: dedupKey });
  };

  const server = await startEmulatorServer({
    headers: { "content-type": "application/json" },
    readsBody: () => true,
    recordBodies: true,
    handle,
  });

  return {
    url: server.url,
    routingKey,
    events,
    // Answered requests; 499 when the client left while a delay held the answer back.
    get requests() {
      return server.requests
        .filter((r) => r.status !== 0)
        .map((r) => ({ status: r.status === -2 ? 499 : r.status, body: parseJson(r.body ?? "") }));
    },
    alert: (key) => alerts.get(key),
    openAlerts: () => [...alerts.values()].filter((a) => a.status === "triggered"),
    failNext: (...next) => {
      for (const fault of next) server.fail({ path: /^/, respond: faultAnswer(fault) });
    },
    reset: () => {
      generation += 1;
      events.length = 0;
      alerts.clear();
      server.resetLog();
      server.clearFaults();
    },
    close: () => server.close(),
  };
}

function faultAnswer(fault: PagerDutyFault) {
  if ("delayMs" in fault) return { delayMs: fault.delayMs };
  if (fault.status === 429) {
    return {
      status: 429,
      headers: { "retry-after": String(fault.retryAfterSeconds ?? 1) },
      body: {
        status: "throttle event",
        message: "Requests for this service are arriving too quickly.  Please retry later.",
      },
    };
  }
  return { status: fault.status, body: { status: "error", message: "Internal Server Error" } };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
