import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import recordedErrors from "../__fixtures__/cloudwatch-errors-json-protocol-recorded.json" with {
  type: "json",
};
import recordedMultiple from "../__fixtures__/cloudwatch-get-metric-data-multiple-metrics-recorded.json" with {
  type: "json",
};
import recordedMessages from "../__fixtures__/cloudwatch-get-metric-data-result-messages-recorded.json" with {
  type: "json",
};
import { type CloudWatchEmulator, startCloudWatchEmulator } from "./cloudwatch-emulator.js";
import {
  albMetrics,
  LOAD_BALANCER,
  targetGroup,
  WINDOW_END,
  WINDOW_START,
} from "./cloudwatch-test-fixtures.js";
import {
  decodeWithClient,
  errorBodyViolations,
  errorResponseViolations,
  getMetricDataViolations,
  type RawCloudWatchResponse,
} from "./cloudwatch-wire-contract.js";

const START = WINDOW_START.getTime() / 1000;
const END = WINDOW_END.getTime() / 1000;
const DIMS = [
  { Name: "LoadBalancer", Value: LOAD_BALANCER },
  { Name: "TargetGroup", Value: targetGroup("checkout", "canary") },
];
const stat = (Id: string, MetricName: string, Stat: string, Period = 600, extra = {}) => ({
  Id,
  MetricStat: {
    Metric: { Namespace: "AWS/ApplicationELB", MetricName, Dimensions: DIMS },
    Period,
    Stat,
  },
  ...extra,
});

/** Asserts an answer against the documented table AND the real SDK's decoding of it. */
async function expectContract(raw: RawCloudWatchResponse) {
  const decoded = await decodeWithClient(raw);
  if (raw.status === 200) {
    expect(getMetricDataViolations(raw)).toEqual([]);
    if (!decoded.ok) throw new Error(`the SDK refused a 200: ${decoded.name}: ${decoded.message}`);
    expect(decoded.output.MetricDataResults?.length).toBe(
      JSON.parse(raw.body).MetricDataResults.length,
    );
  } else {
    expect(errorResponseViolations(raw)).toEqual([]);
    if (decoded.ok) throw new Error("the SDK accepted an error answer");
    expect(decoded.status).toBe(raw.status);
    expect(decoded.code ?? decoded.name).toBe(raw.headers["x-amzn-query-error"]?.split(";")[0]);
  }
  return decoded;
}

describe("CloudWatch emulator wire contract (awsJson1_0, awsQueryCompatible)", () => {
  let cw: CloudWatchEmulator;
  const call = async (body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${cw.url}/`, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "GraniteServiceVersion20100801.GetMetricData",
        "x-amzn-query-mode": "true",
        "x-amz-date": "20231114T221320Z",
        authorization:
          "AWS4-HMAC-SHA256 Credential=AKIDTESTNOTREAL/20231114/us-east-1/monitoring/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=0000",
        ...headers,
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    const h: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      h[k] = v;
    });
    return { status: res.status, headers: h, body: await res.text() };
  };
  const input = (queries: unknown[], extra = {}) => ({
    MetricDataQueries: queries,
    StartTime: START,
    EndTime: END,
    ...extra,
  });

  beforeAll(async () => {
    cw = await startCloudWatchEmulator();
    cw.seed(...albMetrics({ requests: 1000, errors: 5, latencyStepSeconds: 0.002 }));
  });
  beforeEach(() => cw.setPageSize(100_800));
  afterAll(async () => {
    for (const r of cw.responses) await expectContract(r);
    await cw.close();
  });

  it("the checks accept bodies recorded from real CloudWatch, and can fail", async () => {
    for (const recorded of [recordedMultiple, recordedMessages]) {
      const body = Object.values(recorded.recorded)[0] as Record<string, unknown>;
      const { ResponseMetadata: _, ...wire } = body;
      const results = (wire.MetricDataResults as { Timestamps: unknown; Values: unknown[] }[]).map(
        (r) => ({ ...r, Timestamps: r.Values.map((_v, i) => START + i * 60) }),
      );
      const raw = {
        status: 200,
        headers: { "content-type": "application/x-amz-json-1.0" },
        body: JSON.stringify({ ...wire, MetricDataResults: results }),
      };
      expect(getMetricDataViolations(raw)).toEqual([]);
      expect((await decodeWithClient(raw)).ok).toBe(true);
    }
    for (const body of Object.values(recordedErrors.recorded)) {
      expect(errorBodyViolations(body)).toEqual([]);
    }
    const broken = {
      status: 200,
      headers: { "content-type": "application/x-amz-json-1.0" },
      body: '{"MetricDataResults":[{"Id":"a","Label":"a","Timestamps":["x"],"Values":[1],"StatusCode":"Done"}]}',
    };
    expect(getMetricDataViolations(broken).length).toBeGreaterThanOrEqual(2);
    expect((await decodeWithClient(broken)).ok).toBe(false);
    expect(
      errorResponseViolations({ status: 400, headers: {}, body: "{}" }).length,
    ).toBeGreaterThan(0);
  });

  it("answers with the recorded shape, the right numbers, newest first", async () => {
    const r = await call(
      input([
        stat("requests", "RequestCount", "Sum", 300),
        stat("latency", "TargetResponseTime", "p95"),
        stat("hidden", "RequestCount", "Sum", 600, { ReturnData: false }),
      ]),
    );
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body);
    const recordedBody = Object.values(recordedMultiple.recorded)[0] as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      Object.keys(recordedBody)
        .filter((k) => k !== "ResponseMetadata")
        .sort(),
    );
    expect(Object.keys(body.MetricDataResults[0]).sort()).toEqual(
      Object.keys((recordedBody.MetricDataResults as object[])[0]!).sort(),
    );
    expect(body.MetricDataResults).toEqual([
      {
        Id: "requests",
        Label: "RequestCount",
        Timestamps: [START + 300, START],
        Values: [500, 500],
        StatusCode: "Complete",
      },
      {
        Id: "latency",
        Label: "TargetResponseTime",
        Timestamps: [START],
        Values: [0.19],
        StatusCode: "Complete",
      },
    ]);
    const decoded = await expectContract(r);
    if (decoded.ok)
      expect(decoded.output.MetricDataResults?.[0]?.Timestamps?.[0]).toEqual(
        new Date((START + 300) * 1000),
      );
  });

  it("evaluates metric math on aligned timestamps and honours ScanBy", async () => {
    const r = await call(
      input(
        [
          stat("e", "HTTPCode_Target_5XX_Count", "Sum", 300, { ReturnData: false }),
          stat("n", "RequestCount", "Sum", 300, { ReturnData: false }),
          { Id: "rate", Expression: "100 * e / n", Label: "rate" },
        ],
        { ScanBy: "TimestampAscending" },
      ),
    );
    expect(JSON.parse(r.body).MetricDataResults).toEqual([
      {
        Id: "rate",
        Label: "rate",
        Timestamps: [START, START + 300],
        Values: [0.6, 0.4],
        StatusCode: "Complete",
      },
    ]);
  });

  it("splits results over NextToken pages (PartialData until a series' last page)", async () => {
    cw.setPageSize(1);
    const queries = [
      stat("requests", "RequestCount", "Sum", 300),
      stat("errors", "HTTPCode_Target_5XX_Count", "Sum"),
    ];
    const first = await call(input(queries));
    const p1 = JSON.parse(first.body);
    expect(p1.NextToken).toEqual(expect.any(String));
    expect(
      p1.MetricDataResults.map((r: { StatusCode: string; Values: number[] }) => [
        r.StatusCode,
        r.Values,
      ]),
    ).toEqual([
      ["PartialData", [500]],
      ["PartialData", []],
    ]);
    const second = JSON.parse((await call(input(queries, { NextToken: p1.NextToken }))).body);
    const third = JSON.parse((await call(input(queries, { NextToken: second.NextToken }))).body);
    expect(third.NextToken).toBeUndefined();
    expect(
      third.MetricDataResults.map((r: { StatusCode: string; Values: number[] }) => [
        r.StatusCode,
        r.Values,
      ]),
    ).toEqual([
      ["Complete", []],
      ["Complete", [5]],
    ]);
    const bad = await call(input(queries, { NextToken: "ffffffffffffffff.1" }));
    expect(bad.status).toBe(400);
    expect(bad.headers["x-amzn-query-error"]).toBe("InvalidNextToken;Sender");
  });

  it("rejects invalid input the way CloudWatch does, naming the member", async () => {
    const badStat = await call(input([stat("requests", "RequestCount", "Summ")]));
    expect(badStat.status).toBe(400);
    expect(badStat.headers["x-amzn-query-error"]).toBe("InvalidParameterValue;Sender");
    expect(JSON.parse(badStat.body).message).toContain(
      "MetricDataQueries.member.1.MetricStat.Stat",
    );
    const decoded = await expectContract(badStat);
    if (!decoded.ok) expect(decoded.name).toBe("InvalidParameterValueException");
    const badExpr = await call(input([{ Id: "x", Expression: "100 * (m1" }]));
    expect(badExpr.headers["x-amzn-query-error"]).toBe("ValidationError;Sender");
    const decodedExpr = await expectContract(badExpr);
    if (!decodedExpr.ok) expect(decodedExpr.name).toBe("ValidationException");
    for (const body of [
      input([{ Id: "Upper", Expression: "1" }]),
      input([stat("a", "RequestCount", "Sum", 61)]),
      input([stat("a", "RequestCount", "Sum"), stat("a", "RequestCount", "Sum")]),
      input([stat("a", "RequestCount", "Sum", 600, { ReturnData: false })]),
      { MetricDataQueries: [stat("a", "RequestCount", "Sum")], StartTime: END, EndTime: START },
      { StartTime: START, EndTime: END },
    ]) {
      expect((await call(body)).status).toBe(400);
    }
  });

  it("refuses unknown access keys and missing signatures with 403", async () => {
    const wrong = await call(input([stat("a", "RequestCount", "Sum")]), {
      authorization:
        "AWS4-HMAC-SHA256 Credential=AKIDOTHER/20231114/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=0",
    });
    expect(wrong.status).toBe(403);
    expect(wrong.headers["x-amzn-query-error"]).toBe("InvalidClientTokenId;Sender");
    const none = await call(input([stat("a", "RequestCount", "Sum")]), { authorization: "" });
    expect(none.status).toBe(403);
  });

  it("scripts throttling, 5xx (InternalServiceFault spells Message) and result status codes", async () => {
    cw.failNext(
      { status: 400, code: "Throttling", retryAfterSeconds: 0 },
      { status: 500 },
      { status: 503, code: "ServiceUnavailable" },
      {
        resultStatus: { a: "Forbidden" },
        resultMessages: { a: [{ Code: "Forbidden", Value: "no access" }] },
      },
    );
    const q = input([stat("a", "RequestCount", "Sum")]);
    const throttled = await call(q);
    expect([
      throttled.status,
      throttled.headers["x-amzn-query-error"],
      throttled.headers["retry-after"],
    ]).toEqual([400, "Throttling;Sender", "0"]);
    const internal = await call(q);
    expect(JSON.parse(internal.body)).toEqual({
      __type: "com.amazonaws.cloudwatch.v2010_08_01#InternalServiceFault",
      Message: "Scripted failure",
    });
    expect((await call(q)).status).toBe(503);
    const forbidden = JSON.parse((await call(q)).body);
    expect(forbidden.MetricDataResults[0]).toMatchObject({
      StatusCode: "Forbidden",
      Messages: [{ Code: "Forbidden" }],
    });
  });

  it("records requests with the credential scope but no secret", () => {
    expect(cw.requests.at(-1)).toMatchObject({
      target: "GraniteServiceVersion20100801.GetMetricData",
      contentType: "application/x-amz-json-1.0",
      queryMode: "true",
      region: "us-east-1",
      service: "monitoring",
    });
  });
});
