import { Readable } from "node:stream";
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandOutput,
} from "@aws-sdk/client-cloudwatch";
import { HttpResponse } from "@smithy/core/protocols";

/** An HTTP answer as the emulator (or a recording) sent it. */
export interface RawCloudWatchResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The documented shape of a GetMetricData answer over awsJson1_0, as a table asserted per
 * response. Sources: the CloudWatch API reference (GetMetricData, MetricDataResult,
 * MessageData), the Smithy schema shipped in `@aws-sdk/client-cloudwatch@3.1164.0`
 * (`dist-es/schemas/schemas_0.js`: member types, `awsQueryError` codes, which errors spell
 * `message` vs `Message`) and the awsJson / awsQueryCompatible protocol rules (epoch-second
 * timestamps, `"NaN"`/`"Infinity"` strings for non-finite doubles, `x-amzn-query-error`).
 */
export const GET_METRIC_DATA_CONTRACT: readonly { path: string; rule: string }[] = [
  { path: "content-type", rule: "application/x-amz-json-1.0" },
  { path: "MetricDataResults[]", rule: "array (one entry per returned MetricStat query)" },
  { path: "MetricDataResults[].Id", rule: "string, 1–255 characters" },
  { path: "MetricDataResults[].Label", rule: "string" },
  { path: "MetricDataResults[].Timestamps", rule: "epoch seconds (numbers), as many as Values" },
  { path: "MetricDataResults[].Values", rule: 'numbers, or "NaN" / "Infinity" / "-Infinity"' },
  {
    path: "MetricDataResults[].StatusCode",
    rule: "Complete | InternalError | PartialData | Forbidden",
  },
  { path: "MetricDataResults[].Messages", rule: "optional [{ Code: string, Value: string }]" },
  { path: "NextToken", rule: "optional non-empty string" },
  { path: "Messages", rule: "optional [{ Code, Value }]" },
];

/** Error answers of an awsQueryCompatible awsJson1_0 service. */
export const ERROR_RESPONSE_CONTRACT: readonly { path: string; rule: string }[] = [
  { path: "status", rule: "4xx or 5xx" },
  { path: "x-amzn-query-error", rule: "<QueryCode>;<Sender|Receiver>" },
  { path: "x-amzn-requestid", rule: "present" },
  { path: "__type", rule: "string, namespace#ShapeName" },
  { path: "message | Message", rule: "string when present (a recorded ResourceNotFound has none)" },
];

const STATUS_CODES = new Set(["Complete", "InternalError", "PartialData", "Forbidden"]);
const NON_FINITE = new Set(["NaN", "Infinity", "-Infinity"]);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function messagesViolations(messages: unknown, where: string): string[] {
  if (messages === undefined) return [];
  if (!Array.isArray(messages)) return [`${where} must be an array`];
  return messages.flatMap((m, i) =>
    isObject(m) && ["Code", "Value"].every((k) => m[k] === undefined || typeof m[k] === "string")
      ? []
      : [`${where}[${i}] must be { Code, Value } strings`],
  );
}

/** Violations of {@link GET_METRIC_DATA_CONTRACT}; [] if none. */
export function getMetricDataViolations(raw: RawCloudWatchResponse): string[] {
  const out: string[] = [];
  if (raw.status !== 200) out.push(`status ${raw.status} is not 200`);
  if (raw.headers["content-type"] !== "application/x-amz-json-1.0")
    out.push("content-type must be application/x-amz-json-1.0");
  let body: unknown;
  try {
    body = JSON.parse(raw.body);
  } catch {
    return [...out, "body is not JSON"];
  }
  if (!isObject(body)) return [...out, "body must be a JSON object"];
  const results = body.MetricDataResults;
  if (!Array.isArray(results)) return [...out, "MetricDataResults must be an array"];
  results.forEach((r, i) => {
    const where = `MetricDataResults[${i}]`;
    if (!isObject(r)) {
      out.push(`${where} must be an object`);
      return;
    }
    if (typeof r.Id !== "string" || r.Id.length < 1 || r.Id.length > 255)
      out.push(`${where}.Id must be a 1–255 character string`);
    if (typeof r.Label !== "string") out.push(`${where}.Label must be a string`);
    const ts = r.Timestamps;
    const vs = r.Values;
    if (!Array.isArray(ts) || ts.some((t) => typeof t !== "number" || !Number.isFinite(t)))
      out.push(`${where}.Timestamps must be epoch-second numbers`);
    if (!Array.isArray(vs) || vs.some((v) => typeof v !== "number" && !NON_FINITE.has(v as string)))
      out.push(`${where}.Values must be numbers (or "NaN"/"Infinity"/"-Infinity")`);
    if (Array.isArray(ts) && Array.isArray(vs) && ts.length !== vs.length)
      out.push(`${where} has ${ts.length} Timestamps for ${vs.length} Values`);
    if (!STATUS_CODES.has(r.StatusCode as string))
      out.push(`${where}.StatusCode must be Complete | InternalError | PartialData | Forbidden`);
    out.push(...messagesViolations(r.Messages, `${where}.Messages`));
  });
  if (body.NextToken !== undefined && (typeof body.NextToken !== "string" || body.NextToken === ""))
    out.push("NextToken must be a non-empty string");
  out.push(...messagesViolations(body.Messages, "Messages"));
  return out;
}

/** Violations of the error body part of {@link ERROR_RESPONSE_CONTRACT}; [] if none. */
export function errorBodyViolations(body: unknown): string[] {
  if (!isObject(body)) return ["body must be a JSON object"];
  const out: string[] = [];
  if (typeof body.__type !== "string" || !body.__type.includes("#"))
    out.push("__type must be namespace#ShapeName");
  for (const key of ["message", "Message"]) {
    if (body[key] !== undefined && typeof body[key] !== "string")
      out.push(`${key} must be a string`);
  }
  return out;
}

/** Violations of {@link ERROR_RESPONSE_CONTRACT}; [] if none. */
export function errorResponseViolations(raw: RawCloudWatchResponse): string[] {
  const out: string[] = [];
  if (raw.status < 400) out.push(`status ${raw.status} is not an error`);
  if (!/^[A-Za-z0-9.]+;(Sender|Receiver)$/.test(raw.headers["x-amzn-query-error"] ?? ""))
    out.push("x-amzn-query-error must be <Code>;<Sender|Receiver>");
  if (!raw.headers["x-amzn-requestid"]) out.push("x-amzn-requestid must be present");
  try {
    return [...out, ...errorBodyViolations(JSON.parse(raw.body))];
  } catch {
    return [...out, "body is not JSON"];
  }
}

/** What the real client made of an answer. */
export type ClientDecoding =
  | { ok: true; output: GetMetricDataCommandOutput }
  | {
      ok: false;
      name: string;
      code: string | undefined;
      status: number | undefined;
      message: string;
    };

/**
 * Feeds a raw answer to a real `CloudWatchClient` (through a request handler that replays
 * it), so the SDK's own awsJson1_0 protocol — the code the adapter relies on — decodes it:
 * an output for a 200, a typed service exception for an error.
 *
 * @example
 * ```ts
 * const decoded = await decodeWithClient(emulator.responses[0]);
 * ```
 */
export async function decodeWithClient(raw: RawCloudWatchResponse): Promise<ClientDecoding> {
  const client = new CloudWatchClient({
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDTESTNOTREAL", secretAccessKey: "test-secret-not-real" },
    maxAttempts: 1,
    requestHandler: {
      handle: async () => ({
        response: new HttpResponse({
          statusCode: raw.status,
          headers: raw.headers,
          body: Readable.from([Buffer.from(raw.body, "utf8")]),
        }),
      }),
    },
  });
  try {
    const output = await client.send(
      new GetMetricDataCommand({
        MetricDataQueries: [{ Id: "replay", Expression: "1" }],
        StartTime: new Date(0),
        EndTime: new Date(60_000),
      }),
    );
    return { ok: true, output };
  } catch (error) {
    const e = error as {
      name?: string;
      Code?: string;
      message?: string;
      $metadata?: { httpStatusCode?: number };
    };
    return {
      ok: false,
      name: e.name ?? "Error",
      code: e.Code,
      status: e.$metadata?.httpStatusCode,
      message: e.message ?? "",
    };
  } finally {
    client.destroy();
  }
}
