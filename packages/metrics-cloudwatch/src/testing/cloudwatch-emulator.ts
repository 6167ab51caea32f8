import { createHash, randomUUID } from "node:crypto";
import {
  createSeededEmulatorState,
  type EmulatorExchange,
  parseJsonText,
  type SeededEmulatorControls,
  seededEmulatorControls,
  startEmulatorServer,
} from "@shipgate/core/testing/emulator";
import { computeMetricData } from "./cloudwatch-metric-data-evaluation.js";
import {
  ERROR_TYPES,
  validateMetricDataInput,
  WireError,
} from "./cloudwatch-request-validation.js";
import type { CloudWatchSeededMetric } from "./cloudwatch-seeded-metric.js";

export type { CloudWatchSeededMetric } from "./cloudwatch-seeded-metric.js";

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
export interface CloudWatchEmulator
  extends SeededEmulatorControls<
    CloudWatchSeededMetric,
    CloudWatchFault,
    CloudWatchRecordedRequest,
    CloudWatchRecordedResponse
  > {
  /** `http://127.0.0.1:PORT` — pass as `endpoint`. */
  readonly url: string;
  /** Most datapoints per page from now on (forces `NextToken` paging when small). */
  setPageSize(datapoints: number): void;
}

const TARGET = "GraniteServiceVersion20100801.GetMetricData";
const CONTENT_TYPE = "application/x-amz-json-1.0";
const ROUTE = "POST / GetMetricData";

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
  const state = createSeededEmulatorState<
    CloudWatchSeededMetric,
    CloudWatchFault,
    CloudWatchRecordedRequest,
    CloudWatchRecordedResponse
  >();
  const { data, faults, requests, responses } = state;

  function send(
    x: EmulatorExchange,
    status: number,
    body: string,
    extra: Record<string, string> = {},
  ) {
    const headers = { "content-type": CONTENT_TYPE, "x-amzn-requestid": randomUUID(), ...extra };
    responses.push({ status, headers, body });
    x.replyText(status, body, headers);
  }

  function sendError(x: EmulatorExchange, e: WireError, extra: Record<string, string> = {}) {
    const type = ERROR_TYPES[e.code] ?? `com.amazonaws.cloudwatch.v2010_08_01#${e.code}`;
    // InternalServiceFault spells its member `Message`; the other CloudWatch errors `message`.
    const body =
      e.code === "InternalServiceError"
        ? { __type: type, Message: e.message }
        : { __type: type, message: e.message };
    send(x, e.status, JSON.stringify(body), {
      "x-amzn-query-error": `${e.code};${e.fault}`,
      ...extra,
    });
  }

  async function handle(x: EmulatorExchange): Promise<void> {
    const auth = x.headers.authorization ?? "";
    const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
    // A body that is not JSON is kept as text, so tests can see what was sent.
    const body = parseJsonText(x.text) ?? x.text;
    requests.push({
      target: x.headers["x-amz-target"] as string | undefined,
      contentType: x.headers["content-type"],
      queryMode: x.headers["x-amzn-query-mode"] as string | undefined,
      region: scope?.[2],
      service: scope?.[3],
      body,
    });
    const fault = faults.shift();
    if (fault?.delayMs) await x.delay(fault.delayMs);
    if (x.closed) return;
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
      if (x.method !== "POST" || x.url.pathname !== "/")
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
      if (x.headers["x-amz-target"] !== TARGET)
        throw new WireError(400, "UnknownOperation", `The emulator serves ${TARGET} only.`);
      if ((x.headers["content-type"] ?? "").split(";")[0] !== CONTENT_TYPE)
        throw new WireError(400, "ValidationError", `Expected content-type ${CONTENT_TYPE}.`);
      if (typeof body !== "object" || body === null)
        throw new WireError(400, "ValidationError", "The request body is not a JSON object.");
      const input = validateMetricDataInput(body as Record<string, unknown>);
      x.route(ROUTE);
      if (fault?.body !== undefined) {
        send(x, fault.status ?? 200, fault.body, extra);
        return;
      }
      const results = computeMetricData(data, input);
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
      send(x, 200, JSON.stringify(out), extra);
    } catch (error) {
      if (error instanceof WireError) sendError(x, error, extra);
      else
        sendError(
          x,
          new WireError(500, "InternalServiceError", `emulator bug: ${String(error)}`, "Receiver"),
        );
    }
  }

  const server = await startEmulatorServer({ readsBody: () => true, handle });
  return {
    ...seededEmulatorControls(server, state),
    setPageSize: (n) => {
      pageSize = n;
    },
  };
}
