import { logger } from "@datadog/datadog-api-client";
import { sharedPerFileCheckingAnswers, stoppedEmulatorUrl } from "@shipgate/core/testing";
import {
  describeEmulatorDeadlineChecks,
  expectNoDataMeasurement,
  measurerFor,
} from "@shipgate/core/testing/emulator";
import { beforeAll, describe, expect, it } from "vitest";
import { createDatadogSloSource, type DatadogSloSourceOptions } from "./datadog-slo-source.js";
import { startDatadogEmulator } from "./testing/datadog-emulator.js";
import {
  sloQuery,
  traceMetrics,
  WINDOW_END,
  WINDOW_START,
} from "./testing/datadog-test-fixtures.js";
import {
  deserializeWithClient,
  errorResponseViolations,
  timeseriesResponseViolations,
} from "./testing/datadog-wire-contract.js";

const API_KEY = "test-api-key-not-real";
const APP_KEY = "test-app-key-not-real";

function source(overrides: Partial<DatadogSloSourceOptions> = {}) {
  return createDatadogSloSource({
    apiKey: API_KEY,
    appKey: APP_KEY,
    baseUrl: dd.url,
    retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 50 },
    timeoutMs: 2000,
    ...overrides,
  });
}

const { measureOk, measureErr } = measurerFor(source, sloQuery);

beforeAll(() => {
  // The client logs every failed fetch (aborts, refused connections) at error level; the
  // tests provoke those on purpose.
  logger.setLevel("silent");
});
// Every answer the emulator gave to the real client follows Datadog's published contract.
const dd = sharedPerFileCheckingAnswers(startDatadogEmulator, {
  atLeast: 21,
  check: (r) => {
    let body: unknown;
    try {
      body = JSON.parse(r.body);
    } catch {
      return; // scripted non-JSON bodies, sent on purpose
    }
    if (r.status === 200) {
      if (timeseriesResponseViolations(body).length > 0) return; // scripted malformed answer
      expect(deserializeWithClient(body, "TimeseriesFormulaQueryResponse").ok).toBe(true);
    } else {
      expect(errorResponseViolations(body)).toEqual([]);
    }
  },
  beforeEach: (emulator) => {
    emulator.clearData();
    emulator.seed(
      ...traceMetrics({ version: "1.4.0", requests: 1000, errors: 5, latencyStepSeconds: 0.002 }),
      ...traceMetrics({ version: "1.3.0", requests: 4000, errors: 4, latencyStepSeconds: 0.001 }),
    );
  },
});

/**
 * Seeds a version's traffic (latency samples in 1 ms steps) over `durationMs` starting
 * `offsetMs` after the fixture window's start, and returns that span.
 */
function seedLater(
  version: string,
  offsetMs: number,
  durationMs: number,
  counts: { requests: number; errors: number },
): { start: Date; end: Date } {
  const start = new Date(WINDOW_START.getTime() + offsetMs);
  const end = new Date(start.getTime() + durationMs);
  dd.seed(...traceMetrics({ version, ...counts, latencyStepSeconds: 0.001, start, end }));
  return { start, end };
}

describe("DatadogSloSource over the real client and HTTP", () => {
  it("measures the canary with one request carrying the window and three queries", async () => {
    const m = await measureOk();
    expect(m.errorRate).toEqual({ kind: "value", value: 0.005 });
    expect(m.p95LatencyMs.kind).toBe("value");
    if (m.p95LatencyMs.kind === "value") expect(m.p95LatencyMs.value).toBeCloseTo(190, 9);
    expect(m.sampleCount).toBe(1000);
    expect(m.requestCount).toBe(1000);
    expect(m.errorCount).toBe(5);
    expect(m.latencyBuckets).toBeNull();
    expect(dd.requests).toHaveLength(1);
    const req = dd.requests[0]!;
    expect(req).toMatchObject({
      method: "POST",
      path: "/api/v2/query/timeseries",
      hasApiKey: true,
    });
    expect(req.body).toEqual({
      data: {
        type: "timeseries_request",
        attributes: {
          from: WINDOW_START.getTime(),
          to: WINDOW_END.getTime(),
          interval: 600_000,
          queries: [
            {
              data_source: "metrics",
              name: "errors",
              query:
                "sum:trace.http.request.errors{service:checkout,version:1.4.0,env:prod}.as_count()",
            },
            {
              data_source: "metrics",
              name: "hits",
              query:
                "sum:trace.http.request.hits{service:checkout,version:1.4.0,env:prod}.as_count()",
            },
            {
              data_source: "metrics",
              name: "latency",
              query: "p95:trace.http.request{service:checkout,version:1.4.0,env:prod}",
            },
          ],
        },
      },
    });
    expect(m.queries).toEqual(
      (
        req.body as { data: { attributes: { queries: { query: string }[] } } }
      ).data.attributes.queries.map((q) => q.query),
    );
  });

  it("measures the stable baseline over the same window by its own version", async () => {
    const m = await measureOk(source(), sloQuery({ version: "1.3.0", track: "stable" }));
    expect(m.errorRate).toEqual({ kind: "value", value: 0.001 });
    if (m.p95LatencyMs.kind !== "value") throw new Error("expected a p95");
    expect(m.p95LatencyMs.value).toBeCloseTo(95, 9);
    expect(m.sampleCount).toBe(4000);
  });

  it("sums counts over several buckets when the window is not aligned", async () => {
    const { start, end } = seedLater("2.0.0", 300_000, 600_000, { requests: 600, errors: 6 });
    const m = await measureOk(
      source(),
      sloQuery({ version: "2.0.0", windowStart: start, windowEnd: end }),
    );
    expect(m.errorRate).toEqual({ kind: "value", value: 0.01 });
    expect(m.sampleCount).toBe(600);
    expect([m.requestCount, m.errorCount]).toEqual([600, 6]);
    // Two buckets, each with its own p95; the larger is reported (an upper bound of the true 95 ms).
    if (m.p95LatencyMs.kind !== "value") throw new Error("expected a p95");
    expect(m.p95LatencyMs.value).toBeGreaterThanOrEqual(95);
    expect(m.p95LatencyMs.value).toBeLessThanOrEqual(100);
  });

  it("reports an unknown version as no_data with reasons, never 0", async () => {
    const m = await measureOk(source(), sloQuery({ version: "9.9.9" }));
    expectNoDataMeasurement(m, /no series/);
  });

  it("counts the interval since the previous poll: one minute, then the next, then two hours", async () => {
    // One point every 10 s (Datadog's flush interval for trace metrics): 6 a minute.
    const { start } = seedLater("4.0.0", 3_600_000, 7_200_000, { requests: 720 * 10, errors: 72 });
    const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
    const window = (from: number, to: number) =>
      measureOk(source(), sloQuery({ version: "4.0.0", windowStart: at(from), windowEnd: at(to) }));
    const first = await window(0, 1);
    const second = await window(1, 2);
    const whole = await window(0, 120);
    expect(
      dd.requests.map(
        (r) => (r.body as { data: { attributes: { interval: number } } }).data.attributes.interval,
      ),
    ).toEqual([60_000, 60_000, 7_200_000]);
    // The hits are spread over 60 points (one per 2 min), the errors over 10 (one per 12 min,
    // the first two of 8, the others of 7).
    expect([first.requestCount, first.errorCount]).toEqual([120, 8]);
    // No hits point in the second minute: Datadog answers no series, which says nothing
    // (an unknown version looks the same), so the counts are unknown, never 0.
    expect([second.requestCount, second.errorCount]).toEqual([null, null]);
    expect([whole.requestCount, whole.errorCount]).toEqual([7200, 72]);
  });

  it("gives no counts for queries that return rates, and says whether it splits by track", async () => {
    const rates = source({
      queries: {
        hits: "sum:trace.http.request.hits{service:{{service}},version:{{version}},env:{{environment}}}.as_rate()",
        errors:
          "sum:trace.http.request.errors{service:{{service}},version:{{version}},env:{{environment}}}.as_rate()",
      },
    });
    const m = await measureOk(rates);
    expect(m.errorRate.kind).toBe("value");
    expect([m.requestCount, m.errorCount]).toEqual([null, null]);
    expect(source().splitsByTrack).toBe(true);
    expect(
      source({
        queries: { p95: "p95:trace.http.request{service:{{service}},env:{{environment}}}" },
      }).splitsByTrack,
    ).toBe(false);
  });

  it("reports a healthy version with no errors series as 0 errors, or no_data when strict", async () => {
    dd.seed(
      ...traceMetrics({ version: "3.0.0", requests: 100, errors: 0, latencyStepSeconds: 0.001 }),
    );
    const m = await measureOk(source(), sloQuery({ version: "3.0.0" }));
    expect(m.errorRate).toEqual({ kind: "value", value: 0 });
    expect([m.requestCount, m.errorCount]).toEqual([100, 0]);
    const strict = await measureOk(
      source({ errorsAbsentMeansZero: false }),
      sloQuery({ version: "3.0.0" }),
    );
    expect(strict.errorRate.kind).toBe("no_data");
    expect([strict.requestCount, strict.errorCount]).toEqual([100, null]);
  });

  it("reports all-null points (a real Datadog shape) as no_data", async () => {
    dd.failNext({
      status: 200,
      body: JSON.stringify({
        data: {
          id: "0",
          type: "timeseries_response",
          attributes: {
            series: [0, 1, 2].map((i) => ({ group_tags: [], query_index: i, unit: null })),
            times: [WINDOW_START.getTime()],
            values: [[null], [null], [null]],
          },
        },
      }),
    });
    const m = await measureOk();
    expect(m.errorRate).toEqual({
      kind: "no_data",
      reason: "hits query returned only null points in the window",
    });
    expect(m.p95LatencyMs.kind).toBe("no_data");
  });

  it("normalises placeholder values like Datadog normalises tags", async () => {
    dd.seed(
      ...traceMetrics({
        version: "1.5.0_build.7",
        requests: 10,
        errors: 1,
        latencyStepSeconds: 0.001,
      }),
    );
    const m = await measureOk(source(), sloQuery({ version: "1.5.0+Build.7" }));
    expect(m.errorRate).toEqual({ kind: "value", value: 0.1 });
  });

  it("uses the unit Datadog reports, or the configured one", async () => {
    dd.seed({
      metric: "custom.latency",
      type: "distribution",
      unit: "millisecond",
      tags: { service: "checkout", env: "prod", version: "1.4.0" },
      points: [[WINDOW_START.getTime() + 1, 250]],
    });
    const p95 = "p95:custom.latency{service:{{service}},version:{{version}},env:{{environment}}}";
    const m = await measureOk(source({ queries: { p95 } }));
    expect(m.p95LatencyMs).toEqual({ kind: "value", value: 250 });
    const forced = await measureOk(source({ queries: { p95 }, latencyUnit: "s" }));
    expect(forced.p95LatencyMs).toEqual({ kind: "value", value: 250_000 });
  });

  it("turns a 400 into bad_query naming the query, without retrying", async () => {
    const broken = "sum:trace.http.request.hits{service:{{service}}.as_count()";
    const e = await measureErr(source({ queries: { hits: broken } }));
    expect(e.kind).toBe("bad_query");
    expect(e.status).toBe(400);
    expect(e.field).toBe("queries.hits");
    expect(e.message).toContain(
      "queries.hits = sum:trace.http.request.hits{service:checkout.as_count()",
    );
    expect(e.vendorMessage).toMatch(/^Error parsing query/);
    expect(dd.requests).toHaveLength(1);
  });

  it("refuses unknown placeholders before sending anything", async () => {
    const e = await measureErr(source({ queries: { errors: "sum:x{env:{{env}}}" } }));
    expect(e).toMatchObject({ kind: "invalid_input", field: "queries.errors" });
    expect(dd.requests).toHaveLength(0);
  });

  it("turns 403 into auth at once, never echoing the keys", async () => {
    const e = await measureErr(
      source({ apiKey: "test-wrong-key-not-real", authHint: "Check DD_API_KEY" }),
    );
    expect(e).toMatchObject({
      kind: "auth",
      status: 403,
      vendorMessage: "Forbidden",
      hint: "Check DD_API_KEY",
    });
    expect(dd.requests).toHaveLength(1);
    expect(JSON.stringify(e.toJSON())).not.toContain("test-wrong-key-not-real");
    expect(JSON.stringify(e.toJSON())).not.toContain(APP_KEY);
  });

  it("retries a 429 after X-RateLimit-Reset (0 s here) and then succeeds", async () => {
    dd.failNext({ status: 429, resetSeconds: 0 });
    const m = await measureOk();
    expect(m.errorRate).toEqual({ kind: "value", value: 0.005 });
    expect(dd.requests).toHaveLength(2);
  });

  it("waits for X-RateLimit-Reset instead of retrying at once (abort proves the wait)", async () => {
    dd.failNext({ status: 429, resetSeconds: 1 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const started = Date.now();
    const e = await measureErr(
      source({ retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5000 } }),
      sloQuery(),
      controller.signal,
    );
    expect(e.kind).toBe("aborted");
    expect(Date.now() - started).toBeLessThan(600);
    expect(dd.requests).toHaveLength(1);
  });

  it("fails fast as rate_limited when the reset is beyond the wait bound", async () => {
    dd.failNext({ status: 429, resetSeconds: 120 });
    const e = await measureErr();
    expect(e).toMatchObject({
      kind: "rate_limited",
      status: 429,
      retryAfterMs: 120_000,
      retryable: true,
    });
    expect(dd.requests).toHaveLength(1);
  });

  it("gives up on 429 after the retry bound", async () => {
    dd.failNext({ status: 429 }, { status: 429 }, { status: 429 });
    const e = await measureErr();
    expect(e).toMatchObject({ kind: "rate_limited", retryAfterMs: 0 });
    expect(e.details).toMatchObject({
      requests: 3,
      rateLimit: { name: "timeseries_query", remaining: 0 },
    });
    expect(dd.requests).toHaveLength(3);
  });

  it("retries 5xx with backoff and succeeds within the bound", async () => {
    dd.failNext({ status: 503 }, { status: 500 });
    const m = await measureOk();
    expect(m.sampleCount).toBe(1000);
    expect(dd.requests).toHaveLength(3);
  });

  it("turns persistent 5xx into unavailable after the bound", async () => {
    dd.failNext({ status: 502 }, { status: 502 }, { status: 502 });
    const e = await measureErr();
    expect(e).toMatchObject({ kind: "unavailable", status: 502, retryable: true });
    expect(dd.requests).toHaveLength(3);
  });

  it("turns an unreachable endpoint into unavailable after retries", async () => {
    const e = await measureErr(source({ baseUrl: await stoppedEmulatorUrl(startDatadogEmulator) }));
    expect(e.kind).toBe("unavailable");
    expect(e.details).toMatchObject({ requests: 3 });
  });

  it("turns an undecodable body into invalid_response", async () => {
    dd.failNext({ status: 200, body: "<html>gateway</html>" });
    expect((await measureErr()).kind).toBe("invalid_response");
    dd.failNext({
      status: 200,
      body: JSON.stringify({
        data: {
          type: "timeseries_response",
          attributes: { series: [], times: [1], values: [[1]] },
        },
      }),
    });
    expect((await measureErr()).kind).toBe("invalid_response");
  });
});

describeEmulatorDeadlineChecks("datadog", dd, source, sloQuery);
