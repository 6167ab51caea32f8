import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type ParsedDatadogQuery, parseDatadogQuery } from "./datadog-query-syntax.js";
import { deserializeWithClient } from "./datadog-wire-contract.js";

/** A metric series the emulator serves. */
export interface DatadogSeededSeries {
  metric: string;
  /** COUNT points add up; DISTRIBUTION points are raw samples (percentiles are exact here). */
  type: "count" | "distribution" | "gauge";
  tags: Record<string, string>;
  /** `[timestamp ms, value]`. */
  points: [number, number][];
  /** The unit Datadog reports for the metric; `trace.*` distributions default to `second`. */
  unit?: "second" | "millisecond" | null;
}

/** A scripted answer that replaces (or delays) the next request's normal answer. */
export interface DatadogFault {
  /** HTTP status to answer with; omit to only delay. */
  status?: number;
  /** Raw body; defaults to `{"errors":["…"]}` for the status. */
  body?: string;
  /** `X-RateLimit-Reset` seconds on this answer (default 0 for a 429). */
  resetSeconds?: number;
  /** Wait before answering. */
  delayMs?: number;
}

/** One request as the emulator received it (keys redacted to a presence flag). */
export interface DatadogRecordedRequest {
  method: string;
  path: string;
  hasApiKey: boolean;
  hasAppKey: boolean;
  contentType: string | undefined;
  body: unknown;
}

/** One answer as the emulator sent it, for contract checks. */
export interface DatadogRecordedResponse {
  status: number;
  contentType: string;
  body: string;
}

/** Options of {@link startDatadogEmulator}. */
export interface DatadogEmulatorOptions {
  apiKey?: string;
  appKey?: string;
  /** Largest number of buckets per series before the interval is raised (Datadog coarsens too). */
  maxPoints?: number;
  /** Requests allowed per period before 429s start (off by default). */
  rateLimit?: { limit: number; periodSeconds: number };
}

/** A running emulator. */
export interface DatadogEmulator {
  /** `http://127.0.0.1:PORT` — pass as `baseUrl`. */
  readonly url: string;
  readonly requests: DatadogRecordedRequest[];
  readonly responses: DatadogRecordedResponse[];
  seed(...series: DatadogSeededSeries[]): void;
  clearData(): void;
  /** Queues faults, answered in order by the next requests. */
  failNext(...faults: DatadogFault[]): void;
  /** Drops queued faults and the request/response logs. */
  reset(): void;
  close(): Promise<void>;
}

const UNITS = {
  second: { family: "time", name: "second", plural: "seconds", scale_factor: 1.0, short_name: "s" },
  millisecond: {
    family: "time",
    name: "millisecond",
    plural: "milliseconds",
    scale_factor: 0.001,
    short_name: "ms",
  },
} as const;

const PATH = "/api/v2/query/timeseries";

function percentile(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] as number;
}

function matches(series: DatadogSeededSeries, q: ParsedDatadogQuery): boolean {
  if (series.metric !== q.metric) return false;
  return q.filters.every((f) => {
    const actual = series.tags[f.key];
    const hit =
      actual !== undefined &&
      (f.value === "*" ||
        (f.value.endsWith("*") ? actual.startsWith(f.value.slice(0, -1)) : actual === f.value));
    return f.negated ? !hit : hit;
  });
}

/** Aggregates one bucket of one group, following Datadog's space/time aggregation for the type. */
function aggregate(
  q: ParsedDatadogQuery,
  type: DatadogSeededSeries["type"],
  perSeries: number[][],
  intervalMs: number,
): number | { error: string } {
  const all = perSeries.flat();
  const percentileMatch = /^p(.+)$/.exec(q.aggregator);
  if (percentileMatch) {
    if (type !== "distribution")
      return { error: `percentile aggregator ${q.aggregator} needs a distribution metric` };
    return percentile(
      [...all].sort((a, b) => a - b),
      Number(percentileMatch[1]),
    );
  }
  // COUNT series are summed in time first; the space aggregator then combines series.
  const values = type === "count" ? perSeries.map((xs) => xs.reduce((a, b) => a + b, 0)) : all;
  let v: number;
  switch (q.aggregator) {
    case "sum":
      v = values.reduce((a, b) => a + b, 0);
      break;
    case "avg":
      v = values.reduce((a, b) => a + b, 0) / values.length;
      break;
    case "min":
      v = Math.min(...values);
      break;
    case "max":
      v = Math.max(...values);
      break;
    default:
      v = type === "count" ? values.reduce((a, b) => a + b, 0) : all.length;
  }
  return q.modifier === "as_rate" && type === "count" ? v / (intervalMs / 1000) : v;
}

interface EvaluatedSeries {
  queryIndex: number;
  groupTags: string[];
  unit: unknown;
  buckets: Map<number, number>;
}

/**
 * A local Datadog API emulator speaking the v2 timeseries wire format
 * (`POST /api/v2/query/timeseries`, JSON:API-style `timeseries_request` in,
 * `timeseries_response` out with parallel `times`/`values`). It checks `DD-API-KEY` /
 * `DD-APPLICATION-KEY` (403 `{"errors":["Forbidden"]}`), validates the body with the
 * client's own model (400 `API input validation failed: …`, the wording recorded from the
 * real API), parses queries strictly (400 `Error parsing query: …`), buckets seeded points
 * on `interval`-aligned boundaries (raising the interval above `maxPoints` buckets), lists
 * only non-empty buckets in `times` (as real answers do) and sends `X-RateLimit-*` headers.
 *
 * @example
 * ```ts
 * const dd = await startDatadogEmulator();
 * dd.seed({ metric: "trace.http.request.hits", type: "count", tags: { service: "api" }, points });
 * const source = createDatadogSloSource({ apiKey: "test-api-key-not-real", appKey: "test-app-key-not-real", baseUrl: dd.url });
 * ```
 */
export async function startDatadogEmulator(
  options: DatadogEmulatorOptions = {},
): Promise<DatadogEmulator> {
  const apiKey = options.apiKey ?? "test-api-key-not-real";
  const appKey = options.appKey ?? "test-app-key-not-real";
  const maxPoints = options.maxPoints ?? 1500;
  const data: DatadogSeededSeries[] = [];
  const faults: DatadogFault[] = [];
  const requests: DatadogRecordedRequest[] = [];
  const responses: DatadogRecordedResponse[] = [];
  let windowStartedAt = Date.now();
  let usedInWindow = 0;

  function rateLimitHeaders(): Record<string, string> {
    const period = options.rateLimit?.periodSeconds ?? 10;
    const limit = options.rateLimit?.limit ?? 1000;
    const now = Date.now();
    if (now - windowStartedAt >= period * 1000) {
      windowStartedAt = now;
      usedInWindow = 0;
    }
    const reset = Math.max(0, Math.ceil((windowStartedAt + period * 1000 - now) / 1000));
    return {
      "x-ratelimit-limit": String(limit),
      "x-ratelimit-period": String(period),
      "x-ratelimit-remaining": String(Math.max(0, limit - usedInWindow)),
      "x-ratelimit-reset": String(reset),
      "x-ratelimit-name": "timeseries_query",
    };
  }

  function send(
    res: ServerResponse,
    status: number,
    body: string,
    headers: Record<string, string>,
    contentType = "application/json",
  ): void {
    responses.push({ status, contentType, body });
    res.writeHead(status, { "content-type": contentType, ...headers });
    res.end(body);
  }

  const errorBody = (...messages: string[]) => JSON.stringify({ errors: messages });

  function evaluate(
    attributes: { from: number; to: number; interval?: number },
    queries: { query: string }[],
  ): { ok: true; body: string } | { ok: false; message: string } {
    const span = attributes.to - attributes.from;
    let interval = attributes.interval ?? Math.max(1000, Math.ceil(span / 300));
    if (span / interval > maxPoints) interval = Math.ceil(span / maxPoints / 1000) * 1000;
    const evaluated: EvaluatedSeries[] = [];
    for (const [queryIndex, { query }] of queries.entries()) {
      const parsed = parseDatadogQuery(query);
      if (!parsed.ok)
        return {
          ok: false,
          message: `Error parsing query: unable to parse ${query}: ${parsed.reason}`,
        };
      const q = parsed.value;
      const selected = data.filter((s) => matches(s, q));
      const groups = new Map<string, DatadogSeededSeries[]>();
      for (const s of selected) {
        const key = q.groupBy.map((g) => `${g}:${s.tags[g] ?? "N/A"}`).join(",");
        groups.set(key, [...(groups.get(key) ?? []), s]);
      }
      for (const [key, members] of groups) {
        const type = members[0]?.type ?? "gauge";
        // bucket start → one array of values per member series
        const byBucket = new Map<number, number[][]>();
        members.forEach((s, m) => {
          for (const [t, v] of s.points) {
            if (t < attributes.from || t >= attributes.to) continue;
            const bucket = Math.floor(t / interval) * interval;
            const rows = byBucket.get(bucket) ?? members.map(() => []);
            rows[m]?.push(v);
            byBucket.set(bucket, rows);
          }
        });
        const buckets = new Map<number, number>();
        for (const [bucket, rows] of byBucket) {
          const v = aggregate(q, type, rows, interval);
          if (typeof v === "object")
            return { ok: false, message: `Error parsing query: ${query}: ${v.error}` };
          buckets.set(bucket, v);
        }
        if (buckets.size === 0) continue;
        const declared =
          members[0]?.unit !== undefined
            ? members[0].unit
            : type === "distribution" && q.metric.startsWith("trace.")
              ? "second"
              : null;
        const counting = type === "count" || q.aggregator === "count";
        evaluated.push({
          queryIndex,
          groupTags: key === "" ? [] : key.split(","),
          unit: declared && !counting ? [UNITS[declared], null] : null,
          buckets,
        });
      }
    }
    const times = [...new Set(evaluated.flatMap((s) => [...s.buckets.keys()]))].sort(
      (a, b) => a - b,
    );
    return {
      ok: true,
      body: JSON.stringify({
        data: {
          id: "0",
          type: "timeseries_response",
          attributes: {
            series: evaluated.map((s) => ({
              group_tags: s.groupTags,
              query_index: s.queryIndex,
              unit: s.unit,
            })),
            times,
            values: evaluated.map((s) => times.map((t) => s.buckets.get(t) ?? null)),
          },
        },
      }),
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    let body: unknown;
    try {
      body = raw === "" ? undefined : JSON.parse(raw);
    } catch {
      body = raw;
    }
    requests.push({
      method: req.method ?? "",
      path,
      hasApiKey: req.headers["dd-api-key"] !== undefined,
      hasAppKey: req.headers["dd-application-key"] !== undefined,
      contentType: req.headers["content-type"],
      body,
    });
    if (req.method !== "POST" || path !== PATH) {
      send(res, 404, errorBody("Not found"), {});
      return;
    }
    usedInWindow++;
    const fault = faults.shift();
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (res.destroyed) return;
    const headers = rateLimitHeaders();
    if (fault?.status !== undefined) {
      if (fault.status === 429) {
        headers["x-ratelimit-remaining"] = "0";
        headers["x-ratelimit-reset"] = String(fault.resetSeconds ?? 0);
      } else if (fault.resetSeconds !== undefined) {
        headers["x-ratelimit-reset"] = String(fault.resetSeconds);
      }
      const text =
        fault.body ??
        (fault.status === 429
          ? errorBody("Too many requests")
          : errorBody(`Internal Server Error (${fault.status})`));
      send(res, fault.status, text, headers);
      return;
    }
    if (options.rateLimit && usedInWindow > options.rateLimit.limit) {
      headers["x-ratelimit-remaining"] = "0";
      send(res, 429, errorBody("Too many requests"), headers);
      return;
    }
    if (req.headers["dd-api-key"] !== apiKey || req.headers["dd-application-key"] !== appKey) {
      send(res, 403, errorBody("Forbidden"), headers);
      return;
    }
    const invalid = (why: string) =>
      send(res, 400, errorBody(`API input validation failed: ${why}`), headers);
    if (typeof body !== "object" || body === null) return invalid("body is not a JSON object");
    const data = (body as { data?: { type?: unknown; attributes?: Record<string, unknown> } }).data;
    if (data?.type !== "timeseries_request")
      return invalid('Invalid type. Expected "timeseries_request".');
    const checked = deserializeWithClient(body, "TimeseriesFormulaQueryRequest");
    if (!checked.ok) return invalid(checked.reason);
    const attributes = data.attributes as {
      from: unknown;
      to: unknown;
      interval?: unknown;
      queries: unknown;
      formulas?: unknown;
    };
    const { from, to, interval, queries } = attributes;
    if (!Number.isInteger(from) || !Number.isInteger(to) || (from as number) >= (to as number))
      return invalid("from and to must be integer milliseconds with from < to");
    if (interval !== undefined && (!Number.isInteger(interval) || (interval as number) <= 0))
      return invalid("interval must be a positive integer (ms)");
    if (!Array.isArray(queries) || queries.length === 0)
      return invalid("queries must be a non-empty array");
    for (const q of queries as { data_source?: unknown; query?: unknown }[]) {
      if (q.data_source !== "metrics") return invalid("the emulator serves data_source metrics");
      if (typeof q.query !== "string") return invalid("query must be a string");
    }
    if (attributes.formulas !== undefined)
      return invalid("the emulator does not evaluate formulas; send queries only");
    const result = evaluate(
      { from: from as number, to: to as number, interval: interval as number | undefined },
      queries as { query: string }[],
    );
    if (!result.ok) {
      send(res, 400, errorBody(result.message), headers);
      return;
    }
    send(res, 200, result.body, headers, "application/vnd.api+json");
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      handle(req, res, Buffer.concat(chunks).toString("utf8")).catch((error: unknown) => {
        if (!res.headersSent) send(res, 500, errorBody(`emulator bug: ${String(error)}`), {});
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    responses,
    seed: (...series) => {
      data.push(...series);
    },
    clearData: () => {
      data.length = 0;
    },
    failNext: (...list) => {
      faults.push(...list);
    },
    reset: () => {
      faults.length = 0;
      requests.length = 0;
      responses.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
