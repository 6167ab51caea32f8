import { describe, expect, it } from "vitest";
import {
  createPrometheusSloSource,
  type PrometheusSloSourceOptions,
} from "./prometheus-provider.js";
import {
  type FakeResponse,
  fixture,
  isBucketQuery,
  RECORDED_WINDOW_QUERY,
  type ReceivedRequest,
  sharedFakePrometheus,
} from "./testing/fake-prometheus.js";

// Replays responses recorded from a real Prometheus 2.42 to pin how each one is read;
// prometheus-real-server.test.ts checks the same paths against the live server.

const fake = sharedFakePrometheus();

type Which = "error_rate" | "p95" | "count" | "errors" | "buckets";
function which(request: ReceivedRequest): Which {
  const q = request.form.get("query") ?? "";
  if (q.includes("histogram_quantile")) return "p95";
  if (isBucketQuery(request)) return "buckets";
  if (q.includes("increase(") && q.includes('code=~"5.."')) return "errors";
  if (q.includes("increase(")) return "count";
  return "error_rate";
}
function answer(map: Partial<Record<Which, FakeResponse>>) {
  fake.respond = (request) =>
    map[which(request)] ??
    fixture(which(request) === "buckets" ? "vector-buckets" : "vector-value");
}

const query = RECORDED_WINDOW_QUERY;

function source(options: Partial<PrometheusSloSourceOptions> = {}) {
  return createPrometheusSloSource({ url: fake.url, retryBaseMs: 1, maxRetries: 1, ...options });
}
async function measure(options: Partial<PrometheusSloSourceOptions> = {}, q = query) {
  return source(options).measure(q, { signal: new AbortController().signal });
}

describe("PrometheusSloSource readings (recorded responses)", () => {
  it("runs five instant queries at windowEnd over the window, and reports them as evidence", async () => {
    answer({ p95: fixture("scalar-value") });
    const m = (await measure())._unsafeUnwrap();
    expect(m.errorRate).toEqual({ kind: "value", value: 0.005 });
    expect(m.p95LatencyMs).toEqual({ kind: "value", value: 97.5 });
    expect(m.sampleCount).toBe(0); // 0.005 requests rounds to 0: a count is an integer
    expect(fake.requests).toHaveLength(5);
    for (const r of fake.requests) {
      expect(r.form.get("time")).toBe("1700000000.000");
      expect(r.form.get("query")).toContain('service="checkout",version="1.5.0"');
      expect(r.form.get("query")).toContain("[600s]");
    }
    expect(m.queries).toHaveLength(5);
    expect(m.queries?.[0]).toMatch(
      /^error_rate = \(sum\(rate\(http_requests_total\{service="checkout",version="1.5.0",code=~"5.."\}\[600s\]\)\) or vector\(0\)\) .* \(instant query at 2023-11-14T22:13:20.000Z\)$/,
    );
  });

  it("reports an empty result as no_data, never 0", async () => {
    answer({
      error_rate: fixture("vector-empty"),
      p95: fixture("vector-empty"),
      count: fixture("vector-empty"),
    });
    const m = (await measure())._unsafeUnwrap();
    expect(m.errorRate.kind).toBe("no_data");
    expect(m.p95LatencyMs.kind).toBe("no_data");
    if (m.errorRate.kind === "no_data") expect(m.errorRate.reason).toContain("returned no series");
    expect(m.sampleCount).toBeNull();
  });

  it.each([
    ["vector-nan", "NaN", "no traffic"],
    ["vector-plus-inf", "+Inf", "divided by zero"],
    ["vector-minus-inf", "-Inf", "divided by zero"],
  ])("reports %s as no_data with the reason", async (name, text, why) => {
    answer({ error_rate: fixture(name), p95: fixture(name), count: fixture(name) });
    const m = (await measure())._unsafeUnwrap();
    for (const reading of [m.errorRate, m.p95LatencyMs]) {
      expect(reading.kind).toBe("no_data");
      if (reading.kind === "no_data") {
        expect(reading.reason).toContain(`returned ${text}`);
        expect(reading.reason).toContain(why);
      }
    }
    expect(m.sampleCount).toBeNull();
  });

  it("reports a result with warnings (partial data) as no_data by default, naming the warning", async () => {
    answer({ p95: fixture("vector-with-warnings") });
    const m = (await measure())._unsafeUnwrap();
    expect(m.errorRate.kind).toBe("value");
    expect(m.p95LatencyMs.kind).toBe("no_data");
    if (m.p95LatencyMs.kind === "no_data") {
      expect(m.p95LatencyMs.reason).toContain("possibly partial");
      expect(m.p95LatencyMs.reason).toContain("remote_read: error sending request");
      expect(m.p95LatencyMs.reason).toContain("26.533333333333335");
    }
    expect(m.queries?.[1]).toContain("; warnings: remote_read");
  });

  it("keeps the value of a result with warnings when on_warnings is accept, still recording them", async () => {
    answer({ p95: fixture("vector-with-warnings") });
    const m = (await measure({ onWarnings: "accept" }))._unsafeUnwrap();
    expect(m.p95LatencyMs).toEqual({ kind: "value", value: 26.533333333333335 });
    expect(m.queries?.[1]).toContain("; warnings: remote_read");
  });

  it("reports an error rate outside 0–1 (a percentage?) as no_data", async () => {
    answer({ error_rate: fixture("scalar-value") });
    const m = (await measure())._unsafeUnwrap();
    expect(m.errorRate.kind).toBe("no_data");
    if (m.errorRate.kind === "no_data") expect(m.errorRate.reason).toContain("outside 0–1");
  });

  it("treats several series as a query that forgot to aggregate (bad_query)", async () => {
    answer({ count: fixture("vector-two-series") });
    const error = (await measure())._unsafeUnwrapErr();
    expect(error.kind).toBe("bad_query");
    expect(error.message).toContain("sample_count");
    expect(error.message).toMatch(/returned \d+ series/);
  });

  it("treats a range vector result as bad_query", async () => {
    answer({ p95: fixture("matrix") });
    const error = (await measure())._unsafeUnwrapErr();
    expect(error.kind).toBe("bad_query");
    expect(error.message).toContain("returned a matrix");
  });

  it("fails the whole measurement fast when one query is rejected, cancelling the others", async () => {
    answer({
      error_rate: fixture("error-bad-data-400"),
      p95: { ...fixture("vector-value"), delayMs: 2000 },
      count: { ...fixture("vector-value"), delayMs: 2000 },
    });
    const started = Date.now();
    const error = (await measure())._unsafeUnwrapErr();
    expect(error.kind).toBe("bad_query");
    expect(error.message).toContain("error_rate");
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("escapes service and version values inside the label matchers", async () => {
    answer({});
    await measure({}, { ...query, service: 'x"} or vector(1) #', version: "a\\b" });
    expect(fake.requests[0]?.form.get("query")).toContain(
      'service="x\\"} or vector(1) #",version="a\\\\b"',
    );
  });

  it("refuses an empty or inverted window before sending anything", async () => {
    const error = (
      await measure({}, { ...query, windowStart: query.windowEnd })
    )._unsafeUnwrapErr();
    expect(error.kind).toBe("invalid_input");
    expect(fake.requests).toHaveLength(0);
  });

  it("rounds the window to whole seconds", async () => {
    answer({});
    await measure({}, { ...query, windowStart: new Date(query.windowEnd.getTime() - 90_400) });
    expect(fake.requests[0]?.form.get("query")).toContain("[90s]");
  });

  it("resolves to aborted, without sending, when the signal has already fired", async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await source().measure(query, { signal: controller.signal });
    expect(result._unsafeUnwrapErr().kind).toBe("aborted");
    expect(fake.requests).toHaveLength(0);
  });

  it("resolves to aborted when the signal fires while queries are in flight", async () => {
    answer({ error_rate: { ...fixture("vector-value"), delayMs: 1000 } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const result = await source().measure(query, { signal: controller.signal });
    expect(result._unsafeUnwrapErr().kind).toBe("aborted");
  });

  it("reads the recorded bucket answer: +Inf last, le in ms, sorted, whole counts", async () => {
    answer({
      count: {
        ...fixture("vector-buckets"),
        body: fixture("vector-value").body.replace('"0.005"', '"16000"'),
      },
    });
    const m = (await measure())._unsafeUnwrap();
    expect(m.latencyBuckets).toEqual([
      { leMs: 50, count: 5200 },
      { leMs: 100, count: 15_240 },
      { leMs: 200, count: 15_880 },
      { leMs: 300, count: 16_000 },
      { leMs: 500, count: 16_000 },
      { leMs: 1000, count: 16_000 },
      { leMs: Number.POSITIVE_INFINITY, count: 16_000 },
    ]);
    expect(m.requestCount).toBe(16_000);
    expect(m.errorCount).toBe(0); // the recorded 0.005 errors round to 0
  });

  it("rounds extrapolated counts to whole requests and keeps buckets cumulative", async () => {
    const vector = (value: string) => ({
      ...fixture("vector-value"),
      body: fixture("vector-value").body.replace('"0.005"', `"${value}"`),
    });
    const buckets = (pairs: [string, string][]) => ({
      ...fixture("vector-buckets"),
      body: JSON.stringify({
        status: "success",
        data: {
          resultType: "vector",
          result: pairs.map(([le, v]) => ({ metric: { le }, value: [1700000000, v] })),
        },
      }),
    });
    answer({
      count: vector("1000.4999"),
      errors: vector("12.5000001"),
      // Each le series is extrapolated on its own: 0.1's count dips below 0.05's by noise.
      buckets: buckets([
        ["0.05", "400.6"],
        ["0.1", "400.4"],
        ["+Inf", "1000.49"],
      ]),
    });
    const m = (await measure())._unsafeUnwrap();
    expect(m.requestCount).toBe(1000);
    expect(m.errorCount).toBe(13);
    expect(m.latencyBuckets).toEqual([
      { leMs: 50, count: 401 },
      { leMs: 100, count: 401 },
      { leMs: Number.POSITIVE_INFINITY, count: 1000 },
    ]);
  });

  it.each([
    ["no series", "vector-empty", "returned no series"],
    ["NaN", "vector-nan", "returned NaN"],
  ])(
    "says null for counts and buckets on %s, with the reason in the evidence",
    async (_, name, why) => {
      answer({
        count: fixture(name),
        errors: fixture(name),
        buckets: fixture(name === "vector-nan" ? "vector-buckets" : name),
      });
      const m = (await measure())._unsafeUnwrap();
      expect(m.requestCount).toBeNull();
      expect(m.errorCount).toBeNull();
      expect(m.queries?.join("\n")).toContain(`errorCount null: the error_count query ${why}`);
    },
  );

  it("says null for buckets without a +Inf bucket, or flagged with warnings", async () => {
    const noInf = JSON.parse(fixture("vector-buckets").body);
    noInf.data.result = noInf.data.result.filter(
      (r: { metric: { le: string } }) => r.metric.le !== "+Inf",
    );
    answer({ buckets: { ...fixture("vector-buckets"), body: JSON.stringify(noInf) } });
    const m = (await measure())._unsafeUnwrap();
    expect(m.latencyBuckets).toBeNull();
    expect(m.queries?.join("\n")).toContain(
      'latencyBuckets null: the latency_buckets query returned no le="+Inf" bucket',
    );
    const warned = JSON.parse(fixture("vector-buckets").body);
    warned.warnings = ["remote_read: store down"];
    answer({ buckets: { ...fixture("vector-buckets"), body: JSON.stringify(warned) } });
    expect((await measure())._unsafeUnwrap().latencyBuckets).toBeNull();
    expect((await measure({ onWarnings: "accept" }))._unsafeUnwrap().latencyBuckets).toHaveLength(
      7,
    );
  });

  it("treats buckets not summed by le (recorded per instance) as bad_query", async () => {
    answer({ buckets: fixture("vector-buckets-per-instance") });
    const error = (await measure())._unsafeUnwrapErr();
    expect(error.kind).toBe("bad_query");
    expect(error.field).toBe("queries.latency_buckets");
    expect(error.message).toContain('several series for le="');
    answer({ buckets: fixture("vector-value") });
    expect((await measure())._unsafeUnwrapErr().message).toContain("without an le label");
  });

  it("says null when errors exceed requests: the two queries count different requests", async () => {
    const vector = (value: string) => ({
      ...fixture("vector-value"),
      body: fixture("vector-value").body.replace('"0.005"', `"${value}"`),
    });
    answer({ count: vector("10"), errors: vector("11") });
    const m = (await measure())._unsafeUnwrap();
    expect(m.requestCount).toBe(10);
    expect(m.errorCount).toBeNull();
    expect(m.queries?.join("\n")).toContain("errors (11) exceed requests (10)");
  });
});
