import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

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

/** Validates an event as PagerDuty does; returns the errors (empty when valid). Pure. */
export function validatePagerDutyEvent(
  event: unknown,
  knownRoutingKeys: ReadonlySet<string>,
): string[] {
  if (!isObject(event)) return ["Event object is not a JSON object"];
  const errors: string[] = [];
  const key = event.routing_key;
  if (typeof key !== "string" || key.trim() === "")
    errors.push("'routing_key' is missing or blank");
  else if (key.length !== 32)
    errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  else if (!knownRoutingKeys.has(key)) errors.push("Invalid routing key");

  const action = event.event_action;
  if (action !== "trigger" && action !== "acknowledge" && action !== "resolve") {
    errors.push("'event_action' is invalid (must be one of: trigger, acknowledge, resolve)");
  }
  const dedup = event.dedup_key;
  if (dedup !== undefined && (typeof dedup !== "string" || dedup.length > 255)) {
    errors.push("'dedup_key' must be a string of at most 255 characters");
  }
  if (
    (action === "acknowledge" || action === "resolve") &&
    (typeof dedup !== "string" || dedup.trim() === "")
  ) {
    errors.push(`'dedup_key' is required for ${action} events`);
  }
  if (action === "trigger") {
    const payload = event.payload;
    if (!isObject(payload)) {
      errors.push("'payload' is missing or not an object");
    } else {
      const { summary, source, severity } = payload;
      if (typeof summary !== "string" || summary.trim() === "")
        errors.push("'payload.summary' is missing or blank");
      else if (summary.length > 1024)
        errors.push("'payload.summary' is longer than 1024 characters");
      if (typeof source !== "string" || source.trim() === "")
        errors.push("'payload.source' is missing or blank");
      if (!["critical", "error", "warning", "info"].includes(severity as string)) {
        errors.push(
          "'payload.severity' is invalid (must be one of: critical, error, warning, info)",
        );
      }
      if (
        payload.timestamp !== undefined &&
        (typeof payload.timestamp !== "string" || Number.isNaN(Date.parse(payload.timestamp)))
      ) {
        errors.push("'payload.timestamp' is not a valid ISO 8601 timestamp");
      }
      for (const field of ["component", "group", "class"] as const) {
        if (payload[field] !== undefined && typeof payload[field] !== "string")
          errors.push(`'payload.${field}' must be a string`);
      }
      if (payload.custom_details !== undefined && !isObject(payload.custom_details)) {
        errors.push("'payload.custom_details' must be an object");
      }
    }
  }
  if (event.links !== undefined) {
    if (!Array.isArray(event.links)) errors.push("'links' must be an array");
    else
      event.links.forEach((link, i) => {
        if (!isObject(link) || typeof link.href !== "string" || link.href === "")
          errors.push(`'links[${i}].href' is required`);
        else if (link.text !== undefined && typeof link.text !== "string")
          errors.push(`'links[${i}].text' must be a string`);
      });
  }
  if (event.images !== undefined) {
    if (!Array.isArray(event.images)) errors.push("'images' must be an array");
    else
      event.images.forEach((image, i) => {
        if (
          !isObject(image) ||
          typeof image.src !== "string" ||
          !image.src.startsWith("https://")
        ) {
          errors.push(`'images[${i}].src' is required and must be served via HTTPS`);
        }
      });
  }
  return errors;
}

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
  const requests: { status: number; body: unknown }[] = [];
  const alerts = new Map<string, PagerDutyEmulatorAlert>();
  let faults: PagerDutyFault[] = [];
  let generation = 0;

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const born = generation;
    const raw = await readBody(req);
    const body = parseJson(raw);
    const reply = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      if (born === generation) requests.push({ status, body });
      res
        .writeHead(status, { "content-type": "application/json", ...headers })
        .end(JSON.stringify(json));
    };
    const fault = faults.shift();
    if (fault && "delayMs" in fault) {
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (req.socket.destroyed) {
        if (born === generation) requests.push({ status: 499, body });
        return;
      }
    } else if (fault) {
      if (fault.status === 429) {
        return reply(
          429,
          {
            status: "throttle event",
            message: "Requests for this service are arriving too quickly.  Please retry later.",
          },
          { "retry-after": String(fault.retryAfterSeconds ?? 1) },
        );
      }
      return reply(fault.status, { status: "error", message: "Internal Server Error" });
    }

    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    if (req.method !== "POST" || path !== "/v2/enqueue") {
      return reply(404, { status: "not found", message: "Not Found" });
    }
    if (Buffer.byteLength(raw) > 512 * 1024) {
      return reply(400, {
        status: "invalid event",
        message: "Event object is invalid",
        errors: ["Event payload exceeds 512 KB"],
      });
    }
    if (body === undefined) {
      return reply(400, {
        status: "invalid event",
        message: "Event object is invalid",
        errors: ["Could not parse the request body as JSON"],
      });
    }
    const errors = validatePagerDutyEvent(body, known);
    if (errors.length > 0)
      return reply(400, { status: "invalid event", message: "Event object is invalid", errors });

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
    return reply(202, { status: "success", message: "Event processed", dedup_key: dedupKey });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    routingKey,
    events,
    requests,
    alert: (key) => alerts.get(key),
    openAlerts: () => [...alerts.values()].filter((a) => a.status === "triggered"),
    failNext: (...next) => {
      faults.push(...next);
    },
    reset: () => {
      generation += 1;
      events.length = 0;
      requests.length = 0;
      alerts.clear();
      faults = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
