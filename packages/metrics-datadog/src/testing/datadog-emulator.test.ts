import { afterAll, beforeAll, describe, expect, it } from "vitest";
import scalarRecorded from "../__fixtures__/datadog-v2-scalar-ok-with-unit-recorded.json" with {
  type: "json",
};
import badRequestRecorded from "../__fixtures__/datadog-v2-timeseries-bad-request-recorded.json" with {
  type: "json",
};
import emptyRecorded from "../__fixtures__/datadog-v2-timeseries-empty-recorded.json" with {
  type: "json",
};
import okRecorded from "../__fixtures__/datadog-v2-timeseries-ok-recorded.json" with {
  type: "json",
};
import { type DatadogEmulator, startDatadogEmulator } from "./datadog-emulator.js";
import {
  deserializeWithClient,
  errorResponseViolations,
  timeseriesResponseViolations,
} from "./datadog-wire-contract.js";

const KEYS = {
  "dd-api-key": "test-api-key-not-real",
  "dd-application-key": "test-app-key-not-real",
};
const FROM = 1_700_000_400_000;
const TO = FROM + 600_000;

function requestBody(queries: string[], extra: Record<string, unknown> = {}) {
  return {
    data: {
      type: "timeseries_request",
      attributes: {
        from: FROM,
        to: TO,
        interval: 600_000,
        queries: queries.map((query, i) => ({ data_source: "metrics", name: `q${i}`, query })),
        ...extra,
      },
    },
  };
}

/** Asserts a wire body against the documented table AND the client's own deserialiser. */
function expectContract(status: number, text: string): unknown {
  const body = JSON.parse(text);
  if (status === 200) {
    expect(timeseriesResponseViolations(body)).toEqual([]);
    expect(deserializeWithClient(body, "TimeseriesFormulaQueryResponse")).toMatchObject({
      ok: true,
    });
  } else {
    expect(errorResponseViolations(body)).toEqual([]);
    expect(deserializeWithClient(body, "APIErrorResponse")).toMatchObject({ ok: true });
  }
  return body;
}

describe("Datadog emulator wire contract", () => {
  let dd: DatadogEmulator;
  const post = async (body: unknown, headers: Record<string, string> = KEYS) => {
    const res = await fetch(`${dd.url}/api/v2/query/timeseries`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };

  beforeAll(async () => {
    dd = await startDatadogEmulator();
    dd.seed(
      {
        metric: "trace.http.request.hits",
        type: "count",
        tags: { service: "api", version: "1", env: "prod", host: "a" },
        points: [
          [FROM + 1000, 10],
          [FROM + 2000, 5],
        ],
      },
      {
        metric: "trace.http.request.hits",
        type: "count",
        tags: { service: "api", version: "1", env: "prod", host: "b" },
        points: [[FROM + 3000, 7]],
      },
      {
        metric: "trace.http.request",
        type: "distribution",
        tags: { service: "api", version: "1", env: "prod" },
        points: Array.from(
          { length: 100 },
          (_, i) => [FROM + i * 1000, (i + 1) / 1000] as [number, number],
        ),
      },
    );
  });
  afterAll(async () => {
    // Every answer the emulator gave in this file follows the contract.
    for (const r of dd.responses) expectContract(r.status, r.body);
    await dd.close();
  });

  it("the contract checks accept responses recorded from the real API", () => {
    for (const recorded of [okRecorded, emptyRecorded]) {
      expect(recorded.status).toBe(200);
      expectContract(200, JSON.stringify(recorded.body));
    }
    expectContract(badRequestRecorded.status, JSON.stringify(badRequestRecorded.body));
    // The unit object shape (scale_factor, short_name, …) as Datadog sends it.
    const unit = scalarRecorded.body.data.attributes.columns[0]?.meta.unit;
    expect(
      timeseriesResponseViolations({
        data: {
          type: "timeseries_response",
          attributes: {
            series: [{ group_tags: [], query_index: 0, unit }],
            times: [1],
            values: [[1]],
          },
        },
      }),
    ).toEqual([]);
  });

  it("the contract checks can fail", () => {
    const broken = structuredClone(okRecorded.body) as {
      data: { attributes: { values: unknown } };
    };
    broken.data.attributes.values = [[1, "2", 3]];
    expect(timeseriesResponseViolations(broken)).not.toEqual([]);
    expect(deserializeWithClient(broken, "TimeseriesFormulaQueryResponse").ok).toBe(false);
    expect(timeseriesResponseViolations({ data: { type: "timeseries" } })).not.toEqual([]);
    expect(errorResponseViolations({ errors: [] })).not.toEqual([]);
  });

  it("answers a query with the recorded response's shape and correct numbers", async () => {
    const r = await post(
      requestBody([
        "sum:trace.http.request.hits{service:api,version:1,env:prod}.as_count()",
        "p95:trace.http.request{service:api,env:prod}",
      ]),
    );
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe(okRecorded.contentType);
    const body = expectContract(r.status, r.text) as typeof okRecorded.body;
    // Same keys, at every level, as the real answer.
    expect(Object.keys(body.data).sort()).toEqual(Object.keys(okRecorded.body.data).sort());
    expect(Object.keys(body.data.attributes).sort()).toEqual(
      Object.keys(okRecorded.body.data.attributes).sort(),
    );
    expect(Object.keys(body.data.attributes.series[0] ?? {}).sort()).toEqual(
      Object.keys(okRecorded.body.data.attributes.series[0] ?? {}).sort(),
    );
    expect(body.data.attributes.times).toEqual([FROM]);
    expect(body.data.attributes.values).toEqual([[22], [0.095]]);
    expect(body.data.attributes.series[1]).toMatchObject({
      query_index: 1,
      unit: [{ family: "time", name: "second", scale_factor: 1 }, null],
    });
  });

  it("lists only non-empty, interval-aligned buckets, and groups by tag", async () => {
    const r = await post(
      requestBody(["sum:trace.http.request.hits{service:api} by {host}.as_count()"], {
        interval: 2000,
      }),
    );
    const body = expectContract(r.status, r.text) as typeof okRecorded.body;
    expect(body.data.attributes.times).toEqual([FROM, FROM + 2000]);
    expect(body.data.attributes.series.map((s) => s.group_tags)).toEqual([["host:a"], ["host:b"]]);
    expect(body.data.attributes.values).toEqual([
      [10, 5],
      [null, 7],
    ]);
  });

  it("answers unknown metrics and services with empty series", async () => {
    const r = await post(requestBody(["sum:trace.http.request.hits{service:nope}.as_count()"]));
    const body = expectContract(r.status, r.text);
    expect(body).toEqual(emptyRecorded.body);
  });

  it("rejects bad queries and bad bodies with 400 {errors}", async () => {
    const parse = await post(requestBody(["sum:trace.http.request.hits{service:api"]));
    expect(parse.status).toBe(400);
    expect(JSON.parse(parse.text).errors[0]).toMatch(/^Error parsing query: unable to parse sum:/);
    const type = await post({ data: { ...requestBody([]).data, type: "timeseries_rquest" } });
    expect(type.status).toBe(400);
    expect(JSON.parse(type.text)).toEqual(badRequestRecorded.body);
    const missing = await post({
      data: { type: "timeseries_request", attributes: { from: FROM } },
    });
    expect(missing.status).toBe(400);
    const percentileOfCount = await post(requestBody(["p95:trace.http.request.hits{*}"]));
    expect(percentileOfCount.status).toBe(400);
  });

  it("refuses missing or wrong keys with 403", async () => {
    const r = await post(requestBody(["sum:x{*}"]), { "dd-api-key": "wrong" });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.text)).toEqual({ errors: ["Forbidden"] });
  });

  it("sends all five X-RateLimit headers, and 429s with a reset when scripted", async () => {
    dd.failNext({ status: 429, resetSeconds: 3 });
    const limited = await post(requestBody(["sum:x{*}"]));
    expect(limited.status).toBe(429);
    expect(limited.headers.get("x-ratelimit-reset")).toBe("3");
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    for (const h of ["limit", "period", "remaining", "reset", "name"]) {
      expect(limited.headers.get(`x-ratelimit-${h}`)).not.toBeNull();
    }
    const next = await post(requestBody(["sum:x{*}"]));
    expect(next.status).toBe(200);
    expect(Number(next.headers.get("x-ratelimit-limit"))).toBeGreaterThan(0);
  });

  it("records requests without keeping the keys", () => {
    const last = dd.requests.at(-1);
    expect(last).toMatchObject({ method: "POST", hasApiKey: true, hasAppKey: true });
    expect(JSON.stringify(dd.requests)).not.toContain("test-api-key-not-real");
  });
});
