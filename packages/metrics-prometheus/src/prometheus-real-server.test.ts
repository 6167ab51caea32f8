import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { SloMeasurement, SloQuery } from "@shipgate/core";
import { describeSloSourceConformance } from "@shipgate/core/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryInstant } from "./prometheus-http.js";
import {
  createPrometheusSloSource,
  type PrometheusSloSourceOptions,
} from "./prometheus-provider.js";
import { compilePromqlTemplate, renderPromqlTemplate } from "./promql-template.js";
import { TIMEOUT_503, tooManyRequests } from "./testing/fake-prometheus.js";
import {
  expectedErrorCount,
  expectedErrorRate,
  expectedHistogramQuantile,
  expectedLatencyBuckets,
  expectedRequestCount,
  type TrafficSeries,
  trafficOpenMetrics,
} from "./testing/openmetrics-fixture.js";
import {
  type PrometheusTestServer,
  prometheusBinariesForTests,
  startPrometheusTestServer,
} from "./testing/prometheus-test-server.js";
import {
  ALL_SERIES,
  DATASETS,
  DURATION_SECONDS,
  END,
  INTERVAL_SECONDS,
  sloQuery,
  WINDOW_SECONDS,
} from "./testing/traffic-fixture.js";
import { wellFormed } from "./testing/well-formed.js";

// A real Prometheus (Debian package `prometheus`), one per file, with every dataset of
// src/testing/traffic-fixture.ts backfilled before start.
//
// Tolerances: every counter grows by the same amount each 15 s interval, so the counters
// are exactly linear in time. rate()/increase() extrapolate linearly to the window edges,
// which is exact on linear data (aligned or not), and ratios and histogram_quantile are
// invariant to the common scale. What remains is float rounding (~1e-15 relative), so the
// checks use 1e-9 for fractions, 1e-6 ms for latency and ±0.5 for the rounded count.
// Counts and buckets come from increase(), rounded to whole requests: on linear data the
// rounding is exact, so they must equal what was seeded.

const binaries = prometheusBinariesForTests(
  "skipping the real-server tests of @shipgate/metrics-prometheus",
);

const RATE_TOLERANCE = 1e-9;
const LATENCY_TOLERANCE_MS = 1e-6;

function expectedFor(series: TrafficSeries[], windowSeconds = WINDOW_SECONDS) {
  const requestCount = Math.round(expectedRequestCount(series, windowSeconds, INTERVAL_SECONDS));
  return {
    errorRate: expectedErrorRate(series),
    p95LatencyMs: 1000 * expectedHistogramQuantile(0.95, series),
    sampleCount: requestCount,
    requestCount,
    errorCount: Math.round(expectedErrorCount(series, windowSeconds, INTERVAL_SECONDS)),
    latencyBuckets: expectedLatencyBuckets(series, windowSeconds, INTERVAL_SECONDS).map((b) => ({
      leMs: b.leMs,
      count: Math.round(b.count),
    })),
  };
}

function numberIn(reading: SloMeasurement["errorRate"]): number {
  if (reading.kind !== "value") throw new Error(`expected a value, got no_data: ${reading.reason}`);
  return reading.value;
}

function expectMeasured(m: SloMeasurement, series: TrafficSeries[], windowSeconds?: number) {
  const expected = expectedFor(series, windowSeconds);
  expect(Math.abs(numberIn(m.errorRate) - expected.errorRate)).toBeLessThan(RATE_TOLERANCE);
  expect(Math.abs(numberIn(m.p95LatencyMs) - expected.p95LatencyMs)).toBeLessThan(
    LATENCY_TOLERANCE_MS,
  );
  expect(m.sampleCount).toBe(expected.sampleCount);
  expect(m.requestCount).toBe(expected.requestCount);
  expect(m.errorCount).toBe(expected.errorCount);
  expect(m.latencyBuckets).toEqual(expected.latencyBuckets);
}

/** A node:http proxy in front of the real server that fails the first requests on cue. */
async function startFlakyProxy(upstream: string, failures: (typeof TIMEOUT_503)[]) {
  let seen = 0;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString("utf8");
    });
    req.on("end", async () => {
      seen += 1;
      const failure = failures.shift();
      if (failure) {
        res.writeHead(failure.status, {
          "content-type": failure.contentType ?? "application/json",
          ...failure.headers,
        });
        res.end(failure.body);
        return;
      }
      const upstreamResponse = await fetch(`${upstream}${req.url}`, {
        method: req.method,
        headers: { "content-type": req.headers["content-type"] ?? "" },
        body,
      });
      res.writeHead(upstreamResponse.status, {
        "content-type": upstreamResponse.headers.get("content-type") ?? "application/json",
      });
      res.end(await upstreamResponse.text());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.skipIf(!binaries)("prometheus (real server)", () => {
  let server: PrometheusTestServer;

  beforeAll(async () => {
    server = await startPrometheusTestServer({
      openMetrics: trafficOpenMetrics({
        end: END,
        durationSeconds: DURATION_SECONDS,
        intervalSeconds: INTERVAL_SECONDS,
        series: ALL_SERIES,
      }),
      // Any selector with service="legacy" also asks a remote store that is down, which
      // Prometheus reports as `warnings` on an otherwise successful answer.
      extraConfig: `remote_read:\n  - url: http://127.0.0.1:${await deadPort()}/api/v1/read\n    remote_timeout: 1s\n    read_recent: true\n    required_matchers:\n      service: legacy\n`,
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const source = (options: Partial<PrometheusSloSourceOptions> = {}) =>
    createPrometheusSloSource({ url: server.url, retryBaseMs: 1, ...options });
  const measure = async (query: SloQuery, options: Partial<PrometheusSloSourceOptions> = {}) =>
    (
      await source(options).measure(query, { signal: new AbortController().signal })
    )._unsafeUnwrap();

  it("measures a healthy canary: 0.5 % errors, p95 ≈ 100 ms, 16 000 requests", async () => {
    const m = await measure(sloQuery("checkout", "1.5.0"));
    expectMeasured(m, DATASETS.checkoutCanary);
    expect(numberIn(m.errorRate)).toBeCloseTo(0.005, 12);
    expect(numberIn(m.p95LatencyMs)).toBeCloseTo(99.8, 1);
    expect(m.sampleCount).toBe(16_000);
    // 40 scrape intervals of 400 requests, 2 of them 5xx (the 404 is not an error).
    expect(m.requestCount).toBe(16_000);
    expect(m.errorCount).toBe(80);
    expect(m.latencyBuckets).toEqual([
      { leMs: 50, count: 130 * 40 },
      { leMs: 100, count: 381 * 40 },
      { leMs: 200, count: 397 * 40 },
      { leMs: 300, count: 16_000 },
      { leMs: 500, count: 16_000 },
      { leMs: 1000, count: 16_000 },
      { leMs: Number.POSITIVE_INFINITY, count: 16_000 },
    ]);
  });

  it("counts the interval since the previous poll: a 60 s window, and a 2 h one", async () => {
    const minute = await measure(
      sloQuery("checkout", "1.5.0", "canary", { windowStart: new Date(END.getTime() - 60_000) }),
    );
    expectMeasured(minute, DATASETS.checkoutCanary, 60);
    expect(minute.requestCount).toBe(1600);
    expect(minute.errorCount).toBe(8);
    const twoHours = await measure(
      sloQuery("payments", "2.1.0", "canary", {
        windowStart: new Date(END.getTime() - 7_200_000),
      }),
    );
    expectMeasured(twoHours, DATASETS.paymentsCanary, 7200);
    expect(twoHours.requestCount).toBe(200 * 480);
    expect(twoHours.errorCount).toBe(10 * 480);
    // Consecutive windows add up: what one poll counts, the next does not count again.
    const halves = await Promise.all([
      measure(
        sloQuery("checkout", "1.5.0", "canary", {
          windowStart: new Date(END.getTime() - 600_000),
          windowEnd: new Date(END.getTime() - 300_000),
        }),
      ),
      measure(
        sloQuery("checkout", "1.5.0", "canary", { windowStart: new Date(END.getTime() - 300_000) }),
      ),
    ]);
    expect(halves.map((h) => h.requestCount)).toEqual([8000, 8000]);
    expect(halves.map((h) => h.errorCount)).toEqual([40, 40]);
  });

  it("says null, with the reason in the evidence, where a count query is not configured", async () => {
    const m = await measure(sloQuery("checkout", "1.5.0"), {
      queries: {
        errorRate:
          'sum(rate(http_requests_total{{{matchers}},code=~"5.."}[{{window}}])) / sum(rate(http_requests_total{{{matchers}}}[{{window}}]))',
        latencyBuckets: false,
      },
    });
    // A user's own error rate: the built-in 5xx count might not count the same errors.
    expect(m.errorCount).toBeNull();
    expect(m.latencyBuckets).toBeNull();
    expect(m.requestCount).toBe(16_000);
    expect(m.queries).toHaveLength(3);
    const configured = await measure(sloQuery("checkout", "1.5.0"), {
      queries: {
        errorRate:
          'sum(rate(http_requests_total{{{matchers}},code=~"5.."}[{{window}}])) / sum(rate(http_requests_total{{{matchers}}}[{{window}}]))',
        errorCount: 'sum(increase(http_requests_total{{{matchers}},code=~"5.."}[{{window}}]))',
      },
    });
    expectMeasured(configured, DATASETS.checkoutCanary);
  });

  it("refuses a latency_buckets query that does not sum by le (bad_query)", async () => {
    const result = await source({
      queries: {
        latencyBuckets: "increase(http_request_duration_seconds_bucket{{{matchers}}}[{{window}}])",
      },
    }).measure(sloQuery("checkout", "1.5.0"), { signal: new AbortController().signal });
    const error = result._unsafeUnwrapErr();
    expect(error.kind).toBe("bad_query");
    expect(error.field).toBe("queries.latency_buckets");
    expect(error.message).toContain("several series for le=");
  });

  it("measures a breaching canary: 5 % errors, p95 above 300 ms", async () => {
    const m = await measure(sloQuery("payments", "2.1.0"));
    expectMeasured(m, DATASETS.paymentsCanary);
    expect(numberIn(m.errorRate)).toBeCloseTo(0.05, 12);
    expect(numberIn(m.p95LatencyMs)).toBeGreaterThan(300);
  });

  it("measures the stable baseline separately by its version label", async () => {
    const canary = await measure(sloQuery("checkout", "1.5.0", "canary"));
    const stable = await measure(sloQuery("checkout", "1.4.0", "stable"));
    expectMeasured(stable, DATASETS.checkoutStable);
    expect(numberIn(stable.errorRate)).toBeCloseTo(0.00125, 12);
    expect(numberIn(stable.p95LatencyMs)).toBeCloseTo(83.33, 1);
    expect(numberIn(canary.errorRate)).toBeGreaterThan(numberIn(stable.errorRate));
    expect(numberIn(canary.p95LatencyMs)).toBeGreaterThan(numberIn(stable.p95LatencyMs));
    const paymentsStable = await measure(sloQuery("payments", "2.0.0", "stable"));
    expectMeasured(paymentsStable, DATASETS.paymentsStable);
  });

  it("reports an unknown service and an unknown version as no_data, never 0", async () => {
    for (const query of [sloQuery("ghost", "1.0.0"), sloQuery("checkout", "9.9.9")]) {
      const m = await measure(query);
      expect(m.errorRate.kind).toBe("no_data");
      expect(m.p95LatencyMs.kind).toBe("no_data");
      if (m.errorRate.kind === "no_data") expect(m.errorRate.reason).toContain("no series");
      expect(m.sampleCount).toBeNull();
      // `or vector(0)` answers 0 errors even here; with no requests known, that is unknown.
      expect(m.requestCount).toBeNull();
      expect(m.errorCount).toBeNull();
      expect(m.latencyBuckets).toBeNull();
      expect(m.queries?.join("\n")).toContain("errorCount null: the request count is unknown");
      expect(m.queries?.join("\n")).toContain(
        "latencyBuckets null: the latency_buckets query returned no series",
      );
    }
  });

  it("reports an unknown metric as no_data", async () => {
    const m = await measure(sloQuery("checkout", "1.5.0"), {
      queries: {
        errorRate: "sum(rate(grpc_server_handled_total{{{matchers}}}[{{window}}]))",
        p95LatencyMs:
          "1000 * histogram_quantile(0.95, sum by (le) (rate(grpc_latency_bucket{{{matchers}}}[{{window}}])))",
      },
    });
    expect(m.errorRate.kind).toBe("no_data");
    expect(m.p95LatencyMs.kind).toBe("no_data");
    expect(m.sampleCount).toBe(16_000);
    // Neither the error rate nor the histogram are the defaults: no 5xx count or buckets here.
    expect(m.requestCount).toBe(16_000);
    expect(m.errorCount).toBeNull();
    expect(m.latencyBuckets).toBeNull();
  });

  it("reports series without traffic (NaN) as no_data and counts 0 requests", async () => {
    const m = await measure(sloQuery("batch", "0.9.0"));
    for (const reading of [m.errorRate, m.p95LatencyMs]) {
      expect(reading.kind).toBe("no_data");
      if (reading.kind === "no_data") expect(reading.reason).toContain("returned NaN");
    }
    expect(m.sampleCount).toBe(0);
    expect(m.requestCount).toBe(0);
    expect(m.errorCount).toBe(0);
    expect(m.latencyBuckets?.map((b) => b.count)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it("reports a true zero error rate (no 5xx series at all) as the value 0", async () => {
    const m = await measure(sloQuery("search", "3.0.0"));
    expect(m.errorRate).toEqual({ kind: "value", value: 0 });
    expect(m.errorCount).toBe(0);
    expectMeasured(m, DATASETS.searchPerfect);
  });

  it("reports ±Inf from a template as no_data", async () => {
    const m = await measure(sloQuery("checkout", "1.5.0"), {
      queries: { errorRate: "vector(1) / vector(0)", p95LatencyMs: "vector(-1) / vector(0)" },
    });
    expect(m.errorRate.kind === "no_data" && m.errorRate.reason).toContain("returned +Inf");
    expect(m.p95LatencyMs.kind === "no_data" && m.p95LatencyMs.reason).toContain("returned -Inf");
  });

  it("reports data Prometheus flags as partial (warnings) as no_data, or as the value when accepted", async () => {
    const strict = await measure(sloQuery("legacy", "1.0.0"));
    expect(strict.errorRate.kind).toBe("no_data");
    if (strict.errorRate.kind === "no_data") {
      expect(strict.errorRate.reason).toContain("possibly partial");
      expect(strict.errorRate.reason).toContain("remote_read");
    }
    expect(strict.sampleCount).toBeNull();
    expect(strict.requestCount).toBeNull();
    expect(strict.errorCount).toBeNull();
    expect(strict.latencyBuckets).toBeNull();
    expect(strict.queries?.join("\n")).toContain("warnings: remote_read");
    const accepting = await measure(sloQuery("legacy", "1.0.0"), { onWarnings: "accept" });
    expectMeasured(accepting, DATASETS.legacyPartial);
  });

  it("gives the same values for a window not aligned with the samples (extrapolation)", async () => {
    const windowEnd = new Date(END.getTime() - 7_000);
    const m = await measure(
      sloQuery("checkout", "1.5.0", "canary", {
        windowEnd,
        windowStart: new Date(windowEnd.getTime() - 600_400),
      }),
    );
    expectMeasured(m, DATASETS.checkoutCanary);
  });

  it("uses configured label names and extra matchers for environment and track", async () => {
    const m = await measure(sloQuery("inventory", "7.0.0"), {
      serviceLabel: "app",
      versionLabel: "app_version",
      extraMatchers: 'env="{{environment}}",track="{{track}}"',
    });
    expectMeasured(m, DATASETS.inventoryCustomLabels);
    const otherEnv = await measure(
      sloQuery("inventory", "7.0.0", "canary", { environment: "staging" }),
      {
        serviceLabel: "app",
        versionLabel: "app_version",
        extraMatchers: 'env="{{environment}}"',
      },
    );
    expect(otherEnv.errorRate.kind).toBe("no_data");
  });

  it("maps a PromQL parse error (400) to bad_query naming the query", async () => {
    const broken = "sum(rate(http_requests_total{{{matchers}}}[{{window}}])";
    const result = await source({ queries: { sampleCount: broken } }).measure(
      sloQuery("checkout", "1.5.0"),
      { signal: new AbortController().signal },
    );
    const error = result._unsafeUnwrapErr();
    expect(error.kind).toBe("bad_query");
    expect(error.status).toBe(400);
    expect(error.message).toContain("sample_count query");
    expect(error.message).toContain(
      'sum(rate(http_requests_total{service="checkout",version="1.5.0"}[600s])',
    );
    expect(error.vendorMessage).toContain("parse error");
  });

  it("maps an execution error (422) to bad_query", async () => {
    const result = await source({
      queries: {
        errorRate: "http_requests_total{{{matchers}}} / on() http_requests_total{{{matchers}}}",
      },
    }).measure(sloQuery("checkout", "1.5.0"), { signal: new AbortController().signal });
    const error = result._unsafeUnwrapErr();
    expect(error.kind).toBe("bad_query");
    expect(error.status).toBe(422);
    expect(error.message).toContain("error_rate query");
  });

  it("retries a 503 and a 429 from a proxy in front, then measures the real values", async () => {
    const proxy = await startFlakyProxy(server.url, [TIMEOUT_503, tooManyRequests("0")]);
    try {
      const m = await measure(sloQuery("checkout", "1.5.0"), { url: proxy.url, maxRetries: 2 });
      expectMeasured(m, DATASETS.checkoutCanary);
      expect(proxy.requests()).toBe(7); // 5 queries + 2 retries
    } finally {
      await proxy.close();
    }
  });

  it("keeps any label value inside its string literal (checked by Prometheus' own parser)", async () => {
    const template = compilePromqlTemplate('"{{service}}"', { field: "q", allowMatchers: false });
    const config = {
      baseUrl: server.url,
      fetch: globalThis.fetch,
      headers: {},
      timeoutMs: 5000,
      maxRetries: 0,
      retryBaseMs: 0,
      maxRetryWaitMs: 0,
    };
    await fc.assert(
      fc.asyncProperty(
        fc.string({
          unit: fc.oneof(
            fc.constantFrom('"', "'", "\\", "`", "}", "\n", "\r", "\t", "\u0000", "\uFFFD", "#"),
            fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
          ),
          maxLength: 30,
        }),
        async (value) => {
          const promql = renderPromqlTemplate(template._unsafeUnwrap(), {
            service: value,
            version: "",
            track: "canary",
            environment: "",
            window: "1s",
          })._unsafeUnwrap();
          const answer = (
            await queryInstant(
              config,
              { promql, time: END, label: "escape" },
              new AbortController().signal,
            )
          )._unsafeUnwrap();
          expect(answer.data.resultType).toBe("string");
          expect(answer.data.result[1]).toBe(wellFormed(value));
        },
      ),
      { numRuns: 60 },
    );
  });

  describeSloSourceConformance("prometheus (real server)", () => ({
    source: createPrometheusSloSource({ url: server.url, retryBaseMs: 1 }),
    capabilities: { counts: true, latencyBuckets: true },
    healthy: {
      query: sloQuery("checkout", "1.5.0"),
      ...expectedFor(DATASETS.checkoutCanary),
      tolerance: { errorRate: RATE_TOLERANCE, p95LatencyMs: LATENCY_TOLERANCE_MS },
    },
    breaching: {
      query: sloQuery("payments", "2.1.0"),
      ...expectedFor(DATASETS.paymentsCanary),
      tolerance: { errorRate: RATE_TOLERANCE, p95LatencyMs: LATENCY_TOLERANCE_MS },
    },
    noData: sloQuery("ghost", "1.0.0"),
  }));
});
