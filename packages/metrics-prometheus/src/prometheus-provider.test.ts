import { instantiateProvider, ShipgateError } from "@shipgate/core";
import { describe, expect, it } from "vitest";
import { createPrometheusSloSource, shipgateProvider } from "./prometheus-provider.js";
import { RECORDED_WINDOW_QUERY, sharedFakePrometheus } from "./testing/fake-prometheus.js";

const fake = sharedFakePrometheus();

const context = (env: Record<string, string> = {}) => ({ env, cwd: "/tmp" });
const query = RECORDED_WINDOW_QUERY;
const SECRET = "test-token-not-real";

async function measureWith(options: Record<string, unknown>, env: Record<string, string> = {}) {
  const parts = instantiateProvider(shipgateProvider, { url: fake.url, ...options }, context(env));
  const slo = parts._unsafeUnwrap().slo;
  if (!slo) throw new Error("no slo part");
  return slo.measure(query, { signal: new AbortController().signal });
}

describe("shipgateProvider", () => {
  it("is named after the package and builds an SloSource from just a url", async () => {
    expect(shipgateProvider.name).toBe("@shipgate/metrics-prometheus");
    const parts = instantiateProvider(shipgateProvider, { url: fake.url }, context());
    expect(parts._unsafeUnwrap().slo?.name).toBe("prometheus");
    expect((await measureWith({})).isOk()).toBe(true);
    expect(fake.requests[0]?.headers.authorization).toBeUndefined();
  });

  it("fills defaults for every option", () => {
    const parsed = shipgateProvider.optionsSchema.parse({ url: "http://prometheus:9090" });
    expect(parsed).toMatchObject({
      service_label: "service",
      version_label: "version",
      extra_matchers: "",
      queries: {},
      on_warnings: "no_data",
      timeout_ms: 10_000,
      max_retries: 3,
      retry_base_ms: 250,
      max_retry_wait_ms: 30_000,
    });
  });

  it.each([
    [{ url: "http://p:9090", windw: "10m" }, "with"],
    [{ url: "ftp://p" }, "with.url"],
    [{ url: "http://user:pw@p:9090" }, "with.url"],
    [{ url: "http://p:9090", service_label: "app-name" }, "with.service_label"],
    [
      { url: "http://p:9090", queries: { error_rate: "up{service={{service}}}" } },
      "with.queries.error_rate",
    ],
    [{ url: "http://p:9090", extra_matchers: "{{matchers}}" }, "with.extra_matchers"],
    [{ url: "http://p:9090", bearer_token_env: "ghp_abc-123" }, "with.bearer_token_env"],
    [{ url: "http://p:9090", headers: { Authorization: "Bearer x" } }, "with.headers"],
    [{ url: "http://p:9090", max_retries: -1 }, "with.max_retries"],
    [
      {
        url: "http://p:9090",
        bearer_token_env: "A",
        basic_auth: { username: "u", password_env: "B" },
      },
      "with.bearer_token_env",
    ],
  ])("refuses %j naming %s", (options, field) => {
    const result = instantiateProvider(shipgateProvider, options, context({ A: "x", B: "y" }));
    const error = result._unsafeUnwrapErr();
    expect(error.kind).toBe("invalid_input");
    expect(error.field).toBe(field);
  });

  it("names the missing environment variable for a token", () => {
    const result = instantiateProvider(
      shipgateProvider,
      { url: fake.url, bearer_token_env: "PROMETHEUS_TOKEN" },
      context(),
    );
    const error = result._unsafeUnwrapErr();
    expect(error.kind).toBe("invalid_input");
    expect(error.message).toContain("PROMETHEUS_TOKEN");
    expect(error.field).toBe("with.bearer_token_env");
  });

  it("sends a bearer token read from the named variable, and never reports it", async () => {
    const m = await measureWith(
      { bearer_token_env: "PROMETHEUS_TOKEN" },
      { PROMETHEUS_TOKEN: SECRET },
    );
    expect(fake.requests).toHaveLength(5);
    for (const r of fake.requests) expect(r.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(JSON.stringify(m._unsafeUnwrap())).not.toContain(SECRET);
  });

  it("sends basic auth with the password from the named variable", async () => {
    await measureWith(
      { basic_auth: { username: "shipgate", password_env: "PROM_PASSWORD" } },
      { PROM_PASSWORD: SECRET },
    );
    const expected = `Basic ${Buffer.from(`shipgate:${SECRET}`).toString("base64")}`;
    expect(fake.requests[0]?.headers.authorization).toBe(expected);
  });

  it("sends extra non-secret headers such as a tenant id", async () => {
    await measureWith({ headers: { "X-Scope-OrgID": "team-a" } });
    expect(fake.requests[0]?.headers["x-scope-orgid"]).toBe("team-a");
  });

  it("uses configured labels, extra matchers and query templates", async () => {
    await measureWith({
      service_label: "app",
      version_label: "app_version",
      extra_matchers: 'env="{{environment}}",track="{{track}}"',
      queries: { sample_count: "sum(increase(requests{{{matchers}}}[{{window}}]))" },
    });
    const sent = fake.requests.map((r) => r.form.get("query"));
    expect(sent).toContain(
      'sum(increase(requests{app="checkout",app_version="1.5.0",env="prod",track="canary"}[600s]))',
    );
  });

  it("accepts a url with a path prefix", async () => {
    const parts = instantiateProvider(
      shipgateProvider,
      { url: `${fake.url}/prometheus/` },
      context(),
    );
    const result = await parts._unsafeUnwrap().slo?.measure(query, {
      signal: new AbortController().signal,
    });
    expect(result?._unsafeUnwrapErr().kind).toBe("not_found");
    expect(fake.requests[0]?.path).toBe("/prometheus/api/v1/query");
  });
});

describe("createPrometheusSloSource", () => {
  it("throws a ShipgateError for a template that would paste a value into PromQL code", () => {
    let thrown: unknown;
    try {
      createPrometheusSloSource({ url: fake.url, queries: { errorRate: "up{s={{service}}}" } });
    } catch (error) {
      thrown = error;
    }
    expect(ShipgateError.isInstance(thrown)).toBe(true);
    expect((thrown as ShipgateError).field).toBe("queries.errorRate");
  });

  it("uses an injected fetch", async () => {
    const seen: string[] = [];
    const slo = createPrometheusSloSource({
      url: fake.url,
      fetch: (input, init) => {
        seen.push(String(input));
        return fetch(input, init);
      },
    });
    await slo.measure(query, { signal: new AbortController().signal });
    expect(seen).toEqual(Array(5).fill(`${fake.url}/api/v1/query`));
  });

  it("says whether the queries can tell the tracks apart (splitsByTrack)", () => {
    const url = fake.url;
    expect(createPrometheusSloSource({ url }).splitsByTrack).toBe(true);
    // A template of the user's own that selects neither version nor track, directly or via
    // {{matchers}}, measures both tracks alike.
    expect(
      createPrometheusSloSource({
        url,
        queries: {
          sampleCount: 'sum(increase(http_requests_total{service="{{service}}"}[{{window}}]))',
        },
      }).splitsByTrack,
    ).toBe(false);
    expect(
      createPrometheusSloSource({
        url,
        queries: {
          sampleCount: 'sum(increase(http_requests_total{track="{{track}}"}[{{window}}]))',
        },
      }).splitsByTrack,
    ).toBe(true);
  });

  it("configures the v2 count and bucket queries, or turns them off", async () => {
    const parsed = shipgateProvider.optionsSchema.parse({ url: "http://p:9090" });
    expect(parsed.latency_bucket_unit).toBe("s");
    expect(
      shipgateProvider.optionsSchema.safeParse({
        url: "http://p:9090",
        queries: { latency_buckets: "sum by (le) (x{service={{service}}})" },
      }).error?.issues[0]?.path,
    ).toEqual(["queries", "latency_buckets"]);
    expect(
      shipgateProvider.optionsSchema.safeParse({
        url: "http://p:9090",
        queries: { error_count: true },
      }).error?.issues[0]?.message,
    ).toBe("must be a query template, or false to not measure it");
    const m = (
      await measureWith({ queries: { error_count: false, latency_buckets: false } })
    )._unsafeUnwrap();
    expect(fake.requests).toHaveLength(3);
    expect(m.errorCount).toBeNull();
    expect(m.latencyBuckets).toBeNull();
    fake.requests.length = 0;
    const own = (
      await measureWith({
        queries: {
          sample_count: "sum(increase(requests{{{matchers}}}[{{window}}]))",
          error_count: "sum(increase(failures{{{matchers}}}[{{window}}]))",
          latency_buckets: "sum by (le) (increase(latency_ms_bucket{{{matchers}}}[{{window}}]))",
        },
        latency_bucket_unit: "ms",
      })
    )._unsafeUnwrap();
    const sent = fake.requests.map((r) => r.form.get("query"));
    expect(sent).toContain('sum(increase(failures{service="checkout",version="1.5.0"}[600s]))');
    expect(sent).toContain(
      'sum by (le) (increase(latency_ms_bucket{service="checkout",version="1.5.0"}[600s]))',
    );
    // le read as milliseconds: the recorded bucket 0.05 stays 0.05 ms.
    expect(own.latencyBuckets?.[0]).toEqual({ leMs: 0.05, count: 5200 });
  });
});
