import { parseRetryAfterMs as parseRetryAfter } from "@shipgate/core";
import { describe, expect, it } from "vitest";
import { type PrometheusHttpConfig, queryInstant } from "./prometheus-http.js";
import {
  fixture,
  sharedFakePrometheus,
  startFakePrometheus,
  TIMEOUT_503,
  tooManyRequests,
} from "./testing/fake-prometheus.js";

const fake = sharedFakePrometheus(() => fixture("vector-value"));

const SECRET = "test-token-not-real";

function config(overrides: Partial<PrometheusHttpConfig> = {}): PrometheusHttpConfig {
  return {
    baseUrl: fake.url,
    fetch: globalThis.fetch,
    headers: { authorization: `Bearer ${SECRET}` },
    timeoutMs: 2000,
    maxRetries: 2,
    retryBaseMs: 1,
    maxRetryWaitMs: 1000,
    ...overrides,
  };
}

const query = {
  promql: 'sum(rate(http_requests_total{service="checkout"}[600s]))',
  time: new Date("2023-11-14T22:13:20.250Z"),
  label: "error_rate",
};
const live = () => new AbortController().signal;

function expectNoSecret(value: unknown) {
  expect(JSON.stringify(value)).not.toContain(SECRET);
}

describe("queryInstant", () => {
  it("POSTs the query form-encoded with time = the instant, in Unix seconds", async () => {
    const result = await queryInstant(config(), query, live());
    expect(result._unsafeUnwrap().data.resultType).toBe("vector");
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/api/v1/query");
    expect(request?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(request?.form.get("query")).toBe(query.promql);
    expect(request?.form.get("time")).toBe("1700000000.250");
    expect(request?.headers.authorization).toBe(`Bearer ${SECRET}`);
  });

  it("retries a 503 (Prometheus query timeout envelope) and then succeeds", async () => {
    fake.respond = (_r, i) => (i < 2 ? TIMEOUT_503 : fixture("vector-value"));
    const result = await queryInstant(config(), query, live());
    expect(result.isOk()).toBe(true);
    expect(fake.requests).toHaveLength(3);
  });

  it("gives up on 5xx after max_retries with unavailable, saying how often it tried", async () => {
    fake.respond = () => TIMEOUT_503;
    const error = (await queryInstant(config(), query, live()))._unsafeUnwrapErr();
    expect(fake.requests).toHaveLength(3);
    expect(error.kind).toBe("unavailable");
    expect(error.status).toBe(503);
    expect(error.message).toContain("timed out evaluating the error_rate query");
    expect(error.message).toContain("after 3 attempts");
    expect(error.vendorMessage).toBe("timeout: query timed out in expression evaluation");
    expectNoSecret(error.toJSON());
  });

  it("retries a plain-text 429 from a proxy, honouring Retry-After over the backoff", async () => {
    // A 60 s backoff base would hang the test: finishing fast proves Retry-After: 0 won.
    fake.respond = (_r, i) => (i === 0 ? tooManyRequests("0") : fixture("vector-value"));
    const started = Date.now();
    const result = await queryInstant(config({ retryBaseMs: 60_000 }), query, live());
    expect(result.isOk()).toBe(true);
    expect(fake.requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("returns rate_limited with the wait once retries are spent", async () => {
    fake.respond = () => tooManyRequests("0");
    const error = (await queryInstant(config({ maxRetries: 1 }), query, live()))._unsafeUnwrapErr();
    expect(fake.requests).toHaveLength(2);
    expect(error.kind).toBe("rate_limited");
    expect(error.retryAfterMs).toBe(0);
    expect(error.vendorMessage).toBe("too many outstanding requests");
  });

  it("stops at once when Retry-After exceeds max_retry_wait_ms", async () => {
    fake.respond = () => tooManyRequests("120");
    const error = (
      await queryInstant(config({ maxRetryWaitMs: 5000 }), query, live())
    )._unsafeUnwrapErr();
    expect(fake.requests).toHaveLength(1);
    expect(error.kind).toBe("rate_limited");
    expect(error.retryAfterMs).toBe(120_000);
  });

  it("maps a recorded 400 bad_data to bad_query naming the query, without retrying", async () => {
    fake.respond = () => fixture("error-bad-data-400");
    const error = (await queryInstant(config(), query, live()))._unsafeUnwrapErr();
    expect(fake.requests).toHaveLength(1);
    expect(error.kind).toBe("bad_query");
    expect(error.status).toBe(400);
    expect(error.message).toContain("error_rate");
    expect(error.message).toContain(query.promql);
    expect(error.vendorMessage).toContain("parse error: unclosed left parenthesis");
    expect(error.field).toBe("queries.error_rate");
    expect(error.retryable).toBe(false);
  });

  it("maps a recorded 422 execution error to bad_query", async () => {
    fake.respond = () => fixture("error-execution-422");
    const error = (await queryInstant(config(), query, live()))._unsafeUnwrapErr();
    expect(error.kind).toBe("bad_query");
    expect(error.status).toBe(422);
    expect(error.vendorMessage).toContain("many-to-many matching not allowed");
  });

  it.each([401, 403])("maps %i to auth at once, never echoing the token", async (status) => {
    fake.respond = () => ({ status, contentType: "text/plain", body: "Unauthorized\n" });
    const error = (await queryInstant(config(), query, live()))._unsafeUnwrapErr();
    expect(fake.requests).toHaveLength(1);
    expect(error.kind).toBe("auth");
    expect(error.hint).toContain("bearer_token_env");
    expectNoSecret(error.toJSON());
    expectNoSecret(error.message);
  });

  it("maps the recorded 404 of a wrong path prefix to not_found with a hint", async () => {
    const error = (
      await queryInstant(config({ baseUrl: `${fake.url}/prometheus` }), query, live())
    )._unsafeUnwrapErr();
    expect(error.kind).toBe("not_found");
    expect(error.hint).toContain("/api/v1/query");
    expect(fake.requests).toHaveLength(1);
  });

  it("reports invalid JSON and a foreign shape as invalid_response", async () => {
    fake.respond = () => ({ status: 200, body: "<html>login</html>", contentType: "text/html" });
    expect((await queryInstant(config(), query, live()))._unsafeUnwrapErr().kind).toBe(
      "invalid_response",
    );
    fake.respond = () => ({
      status: 200,
      body: '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,2]}]}}',
    });
    const error = (await queryInstant(config(), query, live()))._unsafeUnwrapErr();
    expect(error.kind).toBe("invalid_response");
  });

  it("times out a slow answer with timeout, without retrying it", async () => {
    fake.respond = () => ({ ...fixture("vector-value"), delayMs: 400 });
    const started = Date.now();
    const error = (await queryInstant(config({ timeoutMs: 50 }), query, live()))._unsafeUnwrapErr();
    expect(error.kind).toBe("timeout");
    expect(error.message).toContain("50 ms");
    expect(Date.now() - started).toBeLessThan(300);
    expect(fake.requests).toHaveLength(1);
  });

  it("resolves to aborted when the signal fires mid-request", async () => {
    fake.respond = () => ({ ...fixture("vector-value"), delayMs: 400 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("user cancelled")), 30);
    const started = Date.now();
    const error = (await queryInstant(config(), query, controller.signal))._unsafeUnwrapErr();
    expect(error.kind).toBe("aborted");
    expect(Date.now() - started).toBeLessThan(300);
  });

  it("resolves to aborted when the signal fires during a backoff wait", async () => {
    fake.respond = () => TIMEOUT_503;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const started = Date.now();
    const error = (
      await queryInstant(
        config({ retryBaseMs: 10_000, maxRetryWaitMs: 60_000 }),
        query,
        controller.signal,
      )
    )._unsafeUnwrapErr();
    expect(error.kind).toBe("aborted");
    expect(fake.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(300);
  });

  it("sends nothing when the signal has already fired", async () => {
    const controller = new AbortController();
    controller.abort();
    const error = (await queryInstant(config(), query, controller.signal))._unsafeUnwrapErr();
    expect(error.kind).toBe("aborted");
    expect(fake.requests).toHaveLength(0);
  });

  it("retries a refused connection and ends unavailable", async () => {
    const closed = await startFakePrometheus();
    await closed.close();
    const error = (
      await queryInstant(config({ baseUrl: closed.url }), query, live())
    )._unsafeUnwrapErr();
    expect(error.kind).toBe("unavailable");
    expect(error.message).toContain("after 3 attempts");
    expect(error.request).toBe(`POST ${closed.url}/api/v1/query (error_rate)`);
  });
});

describe("parseRetryAfter", () => {
  it("reads delta seconds and HTTP dates", () => {
    const now = Date.parse("2024-01-01T00:00:00Z");
    expect(parseRetryAfter("2", now)).toBe(2000);
    expect(parseRetryAfter("Mon, 01 Jan 2024 00:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter("Sun, 31 Dec 2023 23:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
