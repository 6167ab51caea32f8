import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  evaluateMetricMath,
  type MathNode,
  parseMetricMath,
  referencedIds,
} from "./cloudwatch-metric-math.js";

/** A metric the emulator serves: raw datapoints of one namespace / name / dimension set. */
export interface CloudWatchSeededMetric {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  /** `[timestamp ms, value]` — raw values, so percentiles are exact. */
  points: [number, number][];
}

/** A scripted answer replacing (or delaying, or altering) the next request's answer. */
export interface CloudWatchFault {
  /** HTTP status: ≥ 400 answers with an error; with `body`, the raw body's status. */
  status?: number;
  /** Query-compatible error code (`x-amzn-query-error: <code>;<fault>`), e.g. `Throttling`. */
  code?: string;
  fault?: "Sender" | "Receiver";
  /** `__type` of the error body; defaults from the code. */
  type?: string;
  message?: string;
  /** `Retry-After` header (seconds) on the answer. */
  retryAfterSeconds?: number;
  delayMs?: number;
  /** Raw body (status `status`, default 200) instead of the computed answer. */
  body?: string;
  /** Override result status codes of the next (successful) answer, by query id. */
  resultStatus?: Record<string, "Complete" | "PartialData" | "InternalError" | "Forbidden">;
  /** Messages to attach to results of the next answer, by query id. */
  resultMessages?: Record<string, { Code: string; Value: string }[]>;
}

/** One request as received (no credentials kept). */
export interface CloudWatchRecordedRequest {
  target: string | undefined;
  contentType: string | undefined;
  queryMode: string | undefined;
  /** Region and service from the SigV4 credential scope. */
  region: string | undefined;
  service: string | undefined;
  body: unknown;
}

/** One answer as sent, for contract checks. */
export interface CloudWatchRecordedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Options of {@link startCloudWatchEmulator}. */
export interface CloudWatchEmulatorOptions {
  /** The only access key id accepted (signatures themselves are not verified). */
  accessKeyId?: string;
  /** Most datapoints per page, to force `NextToken` paging (CloudWatch's default is 100,800). */
  pageSize?: number;
}

/** A running emulator. */
export interface CloudWatchEmulator {
  /** `http://127.0.0.1:PORT` — pass as `endpoint`. */
  readonly url: string;
  readonly requests: CloudWatchRecordedRequest[];
  readonly responses: CloudWatchRecordedResponse[];
  seed(...metrics: CloudWatchSeededMetric[]): void;
  clearData(): void;
  failNext(...faults: CloudWatchFault[]): void;
  setPageSize(datapoints: number): void;
  /** Drops queued faults and the request/response logs. */
  reset(): void;
  close(): Promise<void>;
}

const TARGET = "GraniteServiceVersion20100801.GetMetricData";
const CONTENT_TYPE = "application/x-amz-json-1.0";
const STATS = /^(Sum|SampleCount|Average|Minimum|Maximum|p(100|[1-9]?\d(\.\d+)?))$/;
const ID = /^[a-z][a-zA-Z0-9_]{0,254}$/;

/**
 * `__type` for the codes the emulator sends. Recorded real answers (see `__fixtures__`) use
 * `com.amazon.coral.validate#ValidationException` for validation failures and
 * `com.amazonaws.cloudwatch.v2010_08_01#<Shape>` for modelled errors.
 */
const ERROR_TYPES: Record<string, string> = {
  ValidationError: "com.amazon.coral.validate#ValidationException",
  InvalidParameterValue: "com.amazonaws.cloudwatch.v2010_08_01#InvalidParameterValueException",
  InvalidParameterCombination:
    "com.amazonaws.cloudwatch.v2010_08_01#InvalidParameterCombinationException",
  MissingParameter: "com.amazonaws.cloudwatch.v2010_08_01#MissingRequiredParameterException",
  InvalidNextToken: "com.amazonaws.cloudwatch.v2010_08_01#InvalidNextToken",
  InternalServiceError: "com.amazonaws.cloudwatch.v2010_08_01#InternalServiceFault",
  Throttling: "com.amazon.coral.availability#ThrottlingException",
  ServiceUnavailable: "com.amazon.coral.availability#ServiceUnavailableException",
  InvalidClientTokenId: "com.amazon.coral.service#UnrecognizedClientException",
  MissingAuthenticationToken: "com.amazon.coral.service#MissingAuthenticationTokenException",
  UnknownOperation: "com.amazon.coral.service#UnknownOperationException",
};

class WireError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fault: "Sender" | "Receiver" = "Sender",
  ) {
    super(message);
  }
}

interface QueryInput {
  Id?: unknown;
  MetricStat?: {
    Metric?: {
      Namespace?: unknown;
      MetricName?: unknown;
      Dimensions?: { Name?: unknown; Value?: unknown }[];
    };
    Period?: unknown;
    Stat?: unknown;
  };
  Expression?: unknown;
  Label?: unknown;
  ReturnData?: unknown;
  Period?: unknown;
}

interface ComputedResult {
  id: string;
  label: string;
  /** [epoch seconds, value], in ScanBy order. */
  points: [number, number][];
}

function statOf(stat: string, values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  switch (stat) {
    case "Sum":
      return values.reduce((a, b) => a + b, 0);
    case "SampleCount":
      return values.length;
    case "Average":
      return values.reduce((a, b) => a + b, 0) / values.length;
    case "Minimum":
      return sorted[0] as number;
    case "Maximum":
      return sorted[sorted.length - 1] as number;
    default: {
      const p = Number(stat.slice(1));
      const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
      return sorted[Math.min(rank, sorted.length) - 1] as number;
    }
  }
}

/**
 * A local CloudWatch emulator speaking the protocol `@aws-sdk/client-cloudwatch@3.1164`
 * uses: **awsJson1_0** with `awsQueryCompatible` — `POST /`, `content-type:
 * application/x-amz-json-1.0`, `x-amz-target: GraniteServiceVersion20100801.GetMetricData`,
 * epoch-second timestamps both ways, errors as JSON `{__type, message}` plus
 * `x-amzn-query-error: <Code>;<Sender|Receiver>`. It checks the SigV4 credential scope
 * (access key id, service `monitoring`) but not the signature; validates the input like
 * CloudWatch (ids, one of MetricStat/Expression, periods, statistics; errors name
 * `MetricDataQueries.member.N`); rounds `StartTime` down to the minute; aggregates seeded
 * raw datapoints per period (Sum, SampleCount, Average, Minimum, Maximum, exact pNN);
 * leaves periods without data out; evaluates arithmetic metric math (aligned on
 * timestamps, non-finite points dropped); orders by `ScanBy` (newest first by default);
 * and splits results over `NextToken` pages (`PartialData` until a series' last page).
 *
 * @example
 * ```ts
 * const cw = await startCloudWatchEmulator({ pageSize: 1 });
 * cw.seed({ namespace: "AWS/ApplicationELB", metricName: "RequestCount", dimensions, points });
 * ```
 */
export async function startCloudWatchEmulator(
  options: CloudWatchEmulatorOptions = {},
): Promise<CloudWatchEmulator> {
  const accessKeyId = options.accessKeyId ?? "AKIDTESTNOTREAL";
  let pageSize = options.pageSize ?? 100_800;
  const data: CloudWatchSeededMetric[] = [];
  const faults: CloudWatchFault[] = [];
  const requests: CloudWatchRecordedRequest[] = [];
  const responses: CloudWatchRecordedResponse[] = [];

  function send(
    res: ServerResponse,
    status: number,
    body: string,
    extra: Record<string, string> = {},
  ) {
    const headers = { "content-type": CONTENT_TYPE, "x-amzn-requestid": randomUUID(), ...extra };
    responses.push({ status, headers, body });
    res.writeHead(status, headers);
    res.end(body);
  }

  function sendError(res: ServerResponse, e: WireError, extra: Record<string, string> = {}) {
    const type = ERROR_TYPES[e.code] ?? `com.amazonaws.cloudwatch.v2010_08_01#${e.code}`;
    // InternalServiceFault spells its member `Message`; the other CloudWatch errors `message`.
    const body =
      e.code === "InternalServiceError"
        ? { __type: type, Message: e.message }
        : { __type: type, message: e.message };
    send(res, e.status, JSON.stringify(body), {
      "x-amzn-query-error": `${e.code};${e.fault}`,
      ...extra,
    });
  }

  function validate(body: Record<string, unknown>): {
    queries: QueryInput[];
    start: number;
    end: number;
    scanAscending: boolean;
    maxDatapoints: number;
  } {
    const queries = body.MetricDataQueries;
    if (!Array.isArray(queries) || queries.length === 0)
      throw new WireError(400, "MissingParameter", "The parameter MetricDataQueries is required.");
    if (queries.length > 500)
      throw new WireError(
        400,
        "ValidationError",
        "The collection MetricDataQueries must not have more than 500 members.",
      );
    for (const name of ["StartTime", "EndTime"]) {
      if (body[name] === undefined)
        throw new WireError(400, "MissingParameter", `The parameter ${name} is required.`);
      if (typeof body[name] !== "number")
        throw new WireError(
          400,
          "InvalidParameterValue",
          `The parameter ${name} must be a timestamp.`,
        );
    }
    const start = body.StartTime as number;
    const end = body.EndTime as number;
    if (start >= end)
      throw new WireError(
        400,
        "ValidationError",
        "The parameter StartTime must be less than the parameter EndTime.",
      );
    const ids = new Set<string>();
    for (const [i, raw] of (queries as QueryInput[]).entries()) {
      const member = `MetricDataQueries.member.${i + 1}`;
      if (typeof raw.Id !== "string" || !ID.test(raw.Id))
        throw new WireError(
          400,
          "ValidationError",
          `The value ${String(raw.Id)} for parameter ${member}.Id is invalid: it must start with a lower-case letter and contain only letters, numbers and underscores.`,
        );
      if (ids.has(raw.Id))
        throw new WireError(
          400,
          "ValidationError",
          `The values for parameter Id in MetricDataQueries are not unique (${raw.Id}).`,
        );
      ids.add(raw.Id);
      if ((raw.MetricStat === undefined) === (raw.Expression === undefined))
        throw new WireError(
          400,
          "ValidationError",
          `The parameter ${member} must contain exactly one of MetricStat or Expression.`,
        );
      if (raw.MetricStat) {
        const m = raw.MetricStat;
        if (typeof m.Metric?.MetricName !== "string" || m.Metric.MetricName === "")
          throw new WireError(
            400,
            "MissingParameter",
            `The parameter ${member}.MetricStat.Metric.MetricName is required.`,
          );
        const period = m.Period;
        if (
          typeof period !== "number" ||
          !(period > 0) ||
          !(period % 60 === 0 || [1, 5, 10, 20, 30].includes(period))
        )
          throw new WireError(
            400,
            "InvalidParameterValue",
            `The value ${String(period)} for parameter ${member}.MetricStat.Period is invalid: use 1, 5, 10, 20, 30 or a multiple of 60.`,
          );
        if (typeof m.Stat !== "string" || !STATS.test(m.Stat))
          throw new WireError(
            400,
            "InvalidParameterValue",
            `The value ${String(m.Stat)} for parameter ${member}.MetricStat.Stat is invalid.`,
          );
        for (const d of m.Metric.Dimensions ?? []) {
          if (
            typeof d.Name !== "string" ||
            typeof d.Value !== "string" ||
            d.Value.length < 1 ||
            d.Value.length > 1024
          )
            throw new WireError(
              400,
              "InvalidParameterValue",
              `The value for parameter ${member}.MetricStat.Metric.Dimensions is invalid.`,
            );
        }
      } else if (typeof raw.Expression !== "string" || raw.Expression.trim() === "") {
        throw new WireError(
          400,
          "ValidationError",
          `The parameter ${member}.Expression must be a non-empty string.`,
        );
      }
    }
    if (!(queries as QueryInput[]).some((q) => q.ReturnData !== false))
      throw new WireError(
        400,
        "ValidationError",
        "At least one MetricDataQuery must have ReturnData set to true.",
      );
    const scanBy = body.ScanBy ?? "TimestampDescending";
    if (scanBy !== "TimestampDescending" && scanBy !== "TimestampAscending")
      throw new WireError(
        400,
        "InvalidParameterValue",
        `The value ${String(scanBy)} for parameter ScanBy is invalid.`,
      );
    const maxDatapoints = body.MaxDatapoints ?? 100_800;
    if (typeof maxDatapoints !== "number" || maxDatapoints < 1)
      throw new WireError(
        400,
        "InvalidParameterValue",
        "The parameter MaxDatapoints must be a positive integer.",
      );
    return {
      queries: queries as QueryInput[],
      start,
      end,
      scanAscending: scanBy === "TimestampAscending",
      maxDatapoints,
    };
  }

  function compute(input: ReturnType<typeof validate>): ComputedResult[] {
    // CloudWatch rounds StartTime down (to the minute for recent data).
    const start = Math.floor(input.start / 60) * 60;
    const series = new Map<string, Map<number, number>>();
    const parsed = new Map<string, MathNode>();
    for (const q of input.queries) {
      if (typeof q.Expression !== "string") continue;
      const tree = parseMetricMath(q.Expression);
      if (!tree.ok)
        throw new WireError(
          400,
          "ValidationError",
          `Error in expression '${q.Id}' [${tree.reason}]`,
        );
      for (const ref of referencedIds(tree.value)) {
        if (!input.queries.some((o) => o.Id === ref) || ref === q.Id)
          throw new WireError(
            400,
            "ValidationError",
            `Error in expression '${q.Id}' [Unknown metric or expression id: ${ref}]`,
          );
      }
      parsed.set(q.Id as string, tree.value);
    }
    const metricSeries = (q: QueryInput): Map<number, number> => {
      const m = q.MetricStat!;
      const period = m.Period as number;
      const wanted = new Map(
        (m.Metric?.Dimensions ?? []).map((d) => [d.Name as string, d.Value as string]),
      );
      const buckets = new Map<number, number[]>();
      for (const s of data) {
        if (s.namespace !== m.Metric?.Namespace || s.metricName !== m.Metric?.MetricName) continue;
        const keys = Object.keys(s.dimensions);
        if (keys.length !== wanted.size || keys.some((k) => wanted.get(k) !== s.dimensions[k]))
          continue;
        for (const [ms, v] of s.points) {
          const t = ms / 1000;
          if (t < start || t >= input.end) continue;
          const bucket = start + Math.floor((t - start) / period) * period;
          buckets.set(bucket, [...(buckets.get(bucket) ?? []), v]);
        }
      }
      return new Map([...buckets].map(([t, vs]) => [t, statOf(m.Stat as string, vs)]));
    };
    const resolve = (id: string, depth = 0): Map<number, number> => {
      const cached = series.get(id);
      if (cached) return cached;
      if (depth > 20)
        throw new WireError(
          400,
          "ValidationError",
          `Error in expression '${id}' [circular reference]`,
        );
      const q = input.queries.find((o) => o.Id === id)!;
      let s: Map<number, number>;
      if (q.MetricStat) s = metricSeries(q);
      else {
        const v = evaluateMetricMath(parsed.get(id)!, (ref) => resolve(ref, depth + 1));
        s = typeof v === "number" ? new Map() : v;
      }
      series.set(id, s);
      return s;
    };
    return input.queries
      .filter((q) => q.ReturnData !== false)
      .map((q) => {
        const points = [...resolve(q.Id as string)].sort((a, b) =>
          input.scanAscending ? a[0] - b[0] : b[0] - a[0],
        );
        const label =
          typeof q.Label === "string"
            ? q.Label
            : ((q.MetricStat?.Metric?.MetricName as string | undefined) ?? (q.Id as string));
        return { id: q.Id as string, label, points };
      });
  }

  async function handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const auth = req.headers.authorization ?? "";
    const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
    requests.push({
      target: req.headers["x-amz-target"] as string | undefined,
      contentType: req.headers["content-type"],
      queryMode: req.headers["x-amzn-query-mode"] as string | undefined,
      region: scope?.[2],
      service: scope?.[3],
      body,
    });
    const fault = faults.shift();
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (res.destroyed) return;
    const extra: Record<string, string> =
      fault?.retryAfterSeconds !== undefined
        ? { "retry-after": String(fault.retryAfterSeconds) }
        : {};
    try {
      if (fault?.status !== undefined && fault.status >= 400) {
        throw new WireError(
          fault.status,
          fault.code ?? (fault.status >= 500 ? "InternalServiceError" : "ValidationError"),
          fault.message ?? (fault.code === "Throttling" ? "Rate exceeded" : "Scripted failure"),
          fault.fault ?? (fault.status >= 500 ? "Receiver" : "Sender"),
        );
      }
      if (req.method !== "POST" || (req.url ?? "/").split("?")[0] !== "/")
        throw new WireError(404, "UnknownOperation", "Only POST / is served.");
      if (!scope)
        throw new WireError(
          403,
          "MissingAuthenticationToken",
          "Request is missing Authentication Token",
        );
      if (scope[1] !== accessKeyId || scope[3] !== "monitoring")
        throw new WireError(
          403,
          "InvalidClientTokenId",
          "The security token included in the request is invalid.",
        );
      if (req.headers["x-amz-target"] !== TARGET)
        throw new WireError(400, "UnknownOperation", `The emulator serves ${TARGET} only.`);
      if ((req.headers["content-type"] ?? "").split(";")[0] !== CONTENT_TYPE)
        throw new WireError(400, "ValidationError", `Expected content-type ${CONTENT_TYPE}.`);
      if (typeof body !== "object" || body === null)
        throw new WireError(400, "ValidationError", "The request body is not a JSON object.");
      const input = validate(body as Record<string, unknown>);
      if (fault?.body !== undefined) {
        send(res, fault.status ?? 200, fault.body, extra);
        return;
      }
      const results = compute(input);
      const requestHash = createHash("sha256")
        .update(JSON.stringify({ ...(body as object), NextToken: undefined }))
        .digest("hex")
        .slice(0, 16);
      const token = (body as { NextToken?: unknown }).NextToken;
      let page = 0;
      if (token !== undefined) {
        const m = typeof token === "string" ? /^([0-9a-f]{16})\.(\d+)$/.exec(token) : null;
        if (!m || m[1] !== requestHash)
          throw new WireError(
            400,
            "InvalidNextToken",
            "The service couldn't process the NextToken.",
          );
        page = Number(m[2]);
      }
      const size = Math.min(pageSize, input.maxDatapoints);
      const total = results.reduce((n, r) => n + r.points.length, 0);
      const from = page * size;
      const to = from + size;
      let offset = 0;
      const pageResults = results.map((r) => {
        const own = r.points.slice(Math.max(0, from - offset), Math.max(0, to - offset));
        const remaining = offset + r.points.length > to;
        offset += r.points.length;
        const statusCode = fault?.resultStatus?.[r.id] ?? (remaining ? "PartialData" : "Complete");
        return {
          Id: r.id,
          Label: r.label,
          Timestamps: own.map((p) => p[0]),
          Values: own.map((p) => p[1]),
          StatusCode: statusCode,
          ...(fault?.resultMessages?.[r.id] ? { Messages: fault.resultMessages[r.id] } : {}),
        };
      });
      const out: Record<string, unknown> = { MetricDataResults: pageResults, Messages: [] };
      if (to < total) out.NextToken = `${requestHash}.${page + 1}`;
      send(res, 200, JSON.stringify(out), extra);
    } catch (error) {
      if (error instanceof WireError) sendError(res, error, extra);
      else
        sendError(
          res,
          new WireError(500, "InternalServiceError", `emulator bug: ${String(error)}`, "Receiver"),
        );
    }
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void handle(req, res, Buffer.concat(chunks).toString("utf8"));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    responses,
    seed: (...metrics) => {
      data.push(...metrics);
    },
    clearData: () => {
      data.length = 0;
    },
    failNext: (...list) => {
      faults.push(...list);
    },
    setPageSize: (n) => {
      pageSize = n;
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
