import { sharedPerFileCheckingAnswers, stoppedEmulatorUrl } from "@shipgate/core/testing";
import {
  describeEmulatorDeadlineChecks,
  expectNoDataMeasurement,
  measurerFor,
} from "@shipgate/core/testing/emulator";
import { describe, expect, it } from "vitest";
import {
  type CloudWatchSloSourceOptions,
  createCloudWatchSloSource,
} from "./cloudwatch-slo-source.js";
import { startCloudWatchEmulator } from "./testing/cloudwatch-emulator.js";
import {
  albMetrics,
  LOAD_BALANCER,
  sloQuery,
  targetGroup,
  WINDOW_END,
  WINDOW_START,
} from "./testing/cloudwatch-test-fixtures.js";
import {
  decodeWithClient,
  errorResponseViolations,
  getMetricDataViolations,
} from "./testing/cloudwatch-wire-contract.js";

const SECRET = "test-secret-not-real";

// Every answer the real client got from the emulator follows the published contract.
const cw = sharedPerFileCheckingAnswers(startCloudWatchEmulator, {
  atLeast: 21,
  check: async (r) => {
    if (r.status === 200) {
      if (getMetricDataViolations(r).length > 0) return; // malformed on purpose
      expect((await decodeWithClient(r)).ok).toBe(true);
    } else {
      expect(errorResponseViolations(r)).toEqual([]);
    }
  },
  beforeEach: (emulator) => {
    emulator.clearData();
    emulator.setPageSize(100_800);
    emulator.seed(
      ...albMetrics({ track: "canary", requests: 1000, errors: 5, latencyStepSeconds: 0.002 }),
      ...albMetrics({ track: "stable", requests: 4000, errors: 4, latencyStepSeconds: 0.001 }),
    );
  },
});

function source(overrides: Partial<CloudWatchSloSourceOptions> = {}) {
  return createCloudWatchSloSource({
    region: "us-east-1",
    endpoint: cw.url,
    credentials: { accessKeyId: "AKIDTESTNOTREAL", secretAccessKey: SECRET },
    dimensions: { LoadBalancer: LOAD_BALANCER },
    trackDimensions: {
      canary: { TargetGroup: "targetgroup/{{service}}-canary/6d0ecf831eec9f09" },
      stable: { TargetGroup: "targetgroup/{{service}}-stable/6d0ecf831eec9f09" },
    },
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    timeoutMs: 2000,
    ...overrides,
  });
}

const { measureOk, measureErr } = measurerFor(source, sloQuery);

type QueryBody = {
  MetricDataQueries: {
    Id: string;
    MetricStat?: { Period: number; Stat: string };
    Expression?: string;
    ReturnData?: boolean;
  }[];
  StartTime: number;
  EndTime: number;
  NextToken?: string;
};
const lastBody = () => cw.requests.at(-1)?.body as QueryBody;

describe("CloudWatchSloSource over the real AWS SDK and HTTP", () => {
  it("measures the canary's target group with one GetMetricData over the window", async () => {
    const m = await measureOk();
    expect(m.errorRate).toEqual({ kind: "value", value: 0.005 });
    expect(m.p95LatencyMs).toEqual({ kind: "value", value: 190 });
    expect(m.sampleCount).toBe(1000);
    expect([m.requestCount, m.errorCount, m.latencyBuckets]).toEqual([1000, 5, null]);
    expect(cw.requests).toHaveLength(1);
    expect(cw.requests[0]).toMatchObject({
      target: "GraniteServiceVersion20100801.GetMetricData",
      contentType: "application/x-amz-json-1.0",
      service: "monitoring",
      region: "us-east-1",
    });
    const body = lastBody();
    expect(body.StartTime).toBe(WINDOW_START.getTime() / 1000);
    expect(body.EndTime).toBe(WINDOW_END.getTime() / 1000);
    expect(
      body.MetricDataQueries.map((q) => [q.Id, q.MetricStat?.Stat, q.MetricStat?.Period]),
    ).toEqual([
      ["errors", "Sum", 600],
      ["requests", "Sum", 600],
      ["latency_p95", "p95", 600],
    ]);
    expect(m.queries?.[1]).toContain(`TargetGroup=${targetGroup("checkout", "canary")}`);
  });

  it("measures the stable baseline by its track's dimensions over the same window", async () => {
    const m = await measureOk(source(), sloQuery({ version: "1.3.0", track: "stable" }));
    expect(m.errorRate).toEqual({ kind: "value", value: 0.001 });
    expect(m.p95LatencyMs).toEqual({ kind: "value", value: 95 });
    expect(m.sampleCount).toBe(4000);
    expect([m.requestCount, m.errorCount]).toEqual([4000, 4]);
  });

  it("counts the interval since the previous poll: one minute, the next, and two hours", async () => {
    const start = new Date(WINDOW_START.getTime() + 3_600_000);
    const end = new Date(start.getTime() + 7_200_000);
    // A datapoint of 100 requests every minute, one of 2 errors every 5 minutes.
    const dimensions = {
      LoadBalancer: LOAD_BALANCER,
      TargetGroup: targetGroup("orders", "canary"),
    };
    const every = (minutes: number, value: number): [number, number][] =>
      Array.from({ length: 120 / minutes }, (_, i) => [
        start.getTime() + i * minutes * 60_000 + 1000,
        value,
      ]);
    cw.seed(
      ...albMetrics({
        service: "orders",
        requests: 0,
        errors: 0,
        latencyStepSeconds: 0.001,
        start,
        end,
      }),
      {
        namespace: "AWS/ApplicationELB",
        metricName: "RequestCount",
        dimensions,
        points: every(1, 100),
      },
      {
        namespace: "AWS/ApplicationELB",
        metricName: "HTTPCode_Target_5XX_Count",
        dimensions,
        points: every(5, 2),
      },
    );
    const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
    const window = (from: number, to: number) =>
      measureOk(
        source(),
        sloQuery({ service: "orders", windowStart: at(from), windowEnd: at(to) }),
      );
    const first = await window(0, 1);
    const second = await window(1, 2);
    const whole = await window(0, 120);
    expect(
      cw.requests.map((r) => (r.body as QueryBody).MetricDataQueries[1]?.MetricStat?.Period),
    ).toEqual([60, 60, 7200]);
    expect([first.requestCount, first.errorCount]).toEqual([100, 2]);
    // No 5XX datapoint in the second minute: ALB leaves it out, and that is 0 errors.
    expect([second.requestCount, second.errorCount]).toEqual([100, 0]);
    expect([whole.requestCount, whole.errorCount]).toEqual([12_000, 48]);
  });

  it("aligns unaligned windows to whole minutes, so consecutive polls never count a minute twice", async () => {
    const start = new Date(WINDOW_START.getTime() + 3_600_000);
    const dimensions = {
      LoadBalancer: LOAD_BALANCER,
      TargetGroup: targetGroup("orders", "canary"),
    };
    cw.seed({
      namespace: "AWS/ApplicationELB",
      metricName: "RequestCount",
      dimensions,
      points: Array.from({ length: 10 }, (_, i) => [start.getTime() + i * 60_000, 100]),
    });
    const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);
    const polls = [30, 90, 150, 210].map((s) => at(s));
    const counts: (number | null | undefined)[] = [];
    for (const [i, end] of polls.slice(1).entries()) {
      const m = await measureOk(
        source(),
        sloQuery({ service: "orders", windowStart: polls[i] as Date, windowEnd: end }),
      );
      counts.push(m.requestCount);
      expect(m.queries?.at(-1)).toMatch(/^window aligned to whole minutes: /);
    }
    expect(counts).toEqual([100, 100, 100]);
    expect(
      cw.requests.map((r) => [(r.body as QueryBody).StartTime, (r.body as QueryBody).EndTime]),
    ).toEqual([
      [at(0).getTime() / 1000, at(60).getTime() / 1000],
      [at(60).getTime() / 1000, at(120).getTime() / 1000],
      [at(120).getTime() / 1000, at(180).getTime() / 1000],
    ]);
    // Less than a whole minute: nothing is asked, and nothing is known yet.
    const short = await measureOk(
      source(),
      sloQuery({ service: "orders", windowStart: at(200), windowEnd: at(230) }),
    );
    expect(cw.requests).toHaveLength(3);
    expect([short.requestCount, short.errorCount, short.errorRate.kind]).toEqual([
      null,
      null,
      "no_data",
    ]);
  });

  it("gives no counts for statistics that are not counts, and says whether it splits by track", async () => {
    const averaged = await measureOk(
      source({ queries: { requests: { metricName: "RequestCount", stat: "Average" } } }),
    );
    expect([averaged.requestCount, averaged.errorCount]).toEqual([null, null]);
    expect(source().splitsByTrack).toBe(true);
    // One load balancer for both tracks: canary and stable read the same metrics.
    expect(source({ trackDimensions: {} }).splitsByTrack).toBe(false);
    expect(
      source({
        trackDimensions: {},
        dimensions: { TargetGroup: "targetgroup/{{service}}-{{track}}/6d0ecf831eec9f09" },
      }).splitsByTrack,
    ).toBe(true);
  });

  it("follows every NextToken page and merges them", async () => {
    cw.setPageSize(1);
    const m = await measureOk();
    expect(m.errorRate).toEqual({ kind: "value", value: 0.005 });
    expect(m.p95LatencyMs).toEqual({ kind: "value", value: 190 });
    expect(cw.requests).toHaveLength(3);
    expect((cw.requests[2]!.body as QueryBody).NextToken).toEqual(expect.any(String));
  });

  it("reports unknown dimensions as no_data with reasons, never 0", async () => {
    const m = await measureOk(source(), sloQuery({ service: "unknown" }));
    expectNoDataMeasurement(m, /no datapoints/);
  });

  it("reports a final PartialData as no_data naming it", async () => {
    cw.failNext({ resultStatus: { requests: "PartialData", latency_p95: "PartialData" } });
    const m = await measureOk();
    expect(m.errorRate).toMatchObject({
      kind: "no_data",
      reason: expect.stringMatching(/PartialData for the requests query/),
    });
    expect(m.p95LatencyMs.kind).toBe("no_data");
  });

  it('reports "NaN" / "Infinity" values as no_data', async () => {
    cw.failNext({
      body: JSON.stringify({
        MetricDataResults: [
          { Id: "errors", Label: "errors", Timestamps: [], Values: [], StatusCode: "Complete" },
          {
            Id: "requests",
            Label: "requests",
            Timestamps: [1_700_000_400],
            Values: [10],
            StatusCode: "Complete",
          },
          {
            Id: "latency_p95",
            Label: "latency_p95",
            Timestamps: [1_700_000_400],
            Values: ["NaN"],
            StatusCode: "Complete",
          },
        ],
        Messages: [],
      }),
    });
    const m = await measureOk();
    expect(m.errorRate).toEqual({ kind: "value", value: 0 });
    expect(m.p95LatencyMs).toEqual({ kind: "no_data", reason: "p95 latency query returned NaN" });
  });

  it("maps Forbidden results to auth and InternalError to unavailable", async () => {
    cw.failNext({
      resultStatus: { errors: "Forbidden" },
      resultMessages: { errors: [{ Code: "Forbidden", Value: "not shared" }] },
    });
    expect(await measureErr()).toMatchObject({
      kind: "auth",
      vendorMessage: "Forbidden: not shared",
    });
    cw.failNext({ resultStatus: { requests: "InternalError" } });
    expect((await measureErr()).kind).toBe("unavailable");
  });

  it("supports metric math with hidden helper queries (API Gateway preset, ms)", async () => {
    const dims = { ApiName: "checkout", Stage: "{{track}}" };
    // One point a second for `count` seconds from the window start, valued `value(i)`.
    const perSecond = (metricName: string, count: number, value: (i: number) => number) => ({
      namespace: "AWS/ApiGateway",
      metricName,
      dimensions: { ApiName: "checkout", Stage: "canary" },
      points: Array.from({ length: count }, (_, i): [number, number] => [
        WINDOW_START.getTime() + i * 1000,
        value(i),
      ]),
    });
    cw.seed(
      perSecond("Count", 200, () => 1),
      perSecond("5XXError", 200, (i) => (i < 3 ? 1 : 0)),
      perSecond("4XXError", 200, (i) => (i < 1 ? 1 : 0)),
      perSecond("Latency", 100, (i) => (i + 1) * 3),
    );
    const s = source({
      preset: "api_gateway",
      dimensions: dims,
      trackDimensions: {},
      helperQueries: {
        e5: { metricName: "5XXError", stat: "Sum" },
        e4: { metricName: "4XXError", stat: "Sum" },
      },
      queries: { errors: { expression: "e5 + e4" } },
    });
    const m = await measureOk(s);
    expect(m.errorRate).toEqual({ kind: "value", value: 4 / 200 });
    expect([m.requestCount, m.errorCount]).toEqual([200, 4]);
    expect(m.p95LatencyMs).toEqual({ kind: "value", value: 285 });
    expect(
      lastBody().MetricDataQueries.map((q) => [
        q.Id,
        q.ReturnData,
        q.Expression ?? q.MetricStat?.Stat,
      ]),
    ).toEqual([
      ["e5", false, "Sum"],
      ["e4", false, "Sum"],
      ["errors", true, "e5 + e4"],
      ["requests", true, "SampleCount"],
      ["latency_p95", true, "p95"],
    ]);
  });

  it("turns a validation error into bad_query naming the query, without retrying", async () => {
    const e = await measureErr(
      source({ queries: { p95: { metricName: "TargetResponseTime", stat: "p95x" } } }),
    );
    expect(e).toMatchObject({ kind: "bad_query", status: 400, field: "queries.p95" });
    expect(e.message).toContain("MetricDataQueries.member.3.MetricStat.Stat");
    expect(e.message).toContain("latency_p95: AWS/ApplicationELB TargetResponseTime p95x");
    expect(cw.requests).toHaveLength(1);
    const expr = await measureErr(source({ queries: { errors: { expression: "100 * (nope" } } }));
    expect(expr).toMatchObject({ kind: "bad_query", field: "queries.errors" });
  });

  it("refuses unsafe placeholder values in expressions and unknown placeholders before sending", async () => {
    const s = source({
      queries: {
        errors: {
          expression: `SELECT SUM(HTTPCode_Target_5XX_Count) FROM "AWS/ApplicationELB" WHERE TargetGroup = '{{service}}'`,
        },
      },
    });
    expect(await measureErr(s, sloQuery({ service: "x' OR '1'='1" }))).toMatchObject({
      kind: "invalid_input",
      field: "query.service",
    });
    expect(await measureErr(source({ dimensions: { LoadBalancer: "{{lb}}" } }))).toMatchObject({
      kind: "invalid_input",
      field: "dimensions.LoadBalancer",
    });
    expect(cw.requests).toHaveLength(0);
  });

  it("turns bad credentials into auth at once, never echoing the secret", async () => {
    const e = await measureErr(
      source({ credentials: { accessKeyId: "AKIDWRONG", secretAccessKey: SECRET } }),
    );
    expect(e).toMatchObject({ kind: "auth", status: 403 });
    expect(cw.requests).toHaveLength(1);
    expect(JSON.stringify(e.toJSON())).not.toContain(SECRET);
  });

  it("retries throttling with the SDK's strategy, honouring Retry-After, then succeeds", async () => {
    cw.failNext({ status: 400, code: "Throttling", retryAfterSeconds: 0 });
    const m = await measureOk();
    expect(m.sampleCount).toBe(1000);
    expect(cw.requests).toHaveLength(2);
  });

  it("waits for Retry-After before retrying (aborting during the wait proves it)", async () => {
    cw.failNext({ status: 400, code: "Throttling", retryAfterSeconds: 1 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const started = Date.now();
    expect((await measureErr(source(), sloQuery(), controller.signal)).kind).toBe("aborted");
    expect(Date.now() - started).toBeLessThan(600);
    expect(cw.requests).toHaveLength(1);
  });

  it("gives up on throttling after max attempts as rate_limited", async () => {
    cw.failNext(
      ...Array.from({ length: 3 }, () => ({
        status: 400,
        code: "Throttling",
        retryAfterSeconds: 0,
      })),
    );
    const e = await measureErr();
    expect(e).toMatchObject({
      kind: "rate_limited",
      retryAfterMs: 0,
      details: { attempts: 3, code: "Throttling" },
    });
    expect(cw.requests).toHaveLength(3);
  });

  it("retries 5xx and gives up as unavailable after the bound", async () => {
    cw.failNext({ status: 503, code: "ServiceUnavailable" }, { status: 500 });
    expect((await measureOk()).sampleCount).toBe(1000);
    expect(cw.requests).toHaveLength(3);
    cw.reset();
    cw.failNext({ status: 500 }, { status: 500 }, { status: 500 });
    const e = await measureErr();
    expect(e).toMatchObject({ kind: "unavailable", status: 500, details: { attempts: 3 } });
    expect(cw.requests).toHaveLength(3);
  });

  it("turns an unreachable endpoint into unavailable", async () => {
    const e = await measureErr(
      source({ endpoint: await stoppedEmulatorUrl(startCloudWatchEmulator) }),
    );
    expect(e.kind).toBe("unavailable");
  });

  it("turns undecodable or contract-breaking bodies into invalid_response", async () => {
    cw.failNext({ body: "<html>proxy</html>" });
    expect((await measureErr()).kind).toBe("invalid_response");
    cw.failNext({ body: JSON.stringify({ MetricDataResults: [], Messages: [] }) });
    expect((await measureErr()).message).toMatch(
      /no result for "errors", "requests", "latency_p95"/,
    );
  });
});

describeEmulatorDeadlineChecks("cloudwatch", cw, source, sloQuery);
