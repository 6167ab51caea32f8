import { instantiateProvider } from "@shipgate/core";
import { expectUnsetTokenRefused, expectWorkingSloPart } from "@shipgate/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shipgateProvider } from "./datadog-provider.js";
import { DEFAULT_DATADOG_QUERIES } from "./datadog-queries.js";
import { type DatadogEmulator, startDatadogEmulator } from "./testing/datadog-emulator.js";
import { sloQuery, traceMetrics } from "./testing/datadog-test-fixtures.js";

const env = { DD_API_KEY: "test-api-key-not-real", DD_APP_KEY: "test-app-key-not-real" };
const ctx = { env, cwd: "/tmp" };

describe("@shipgate/metrics-datadog provider", () => {
  let dd: DatadogEmulator;
  beforeAll(async () => {
    dd = await startDatadogEmulator();
    dd.seed(
      ...traceMetrics({ version: "1.4.0", requests: 200, errors: 2, latencyStepSeconds: 0.001 }),
    );
  });
  afterAll(() => dd.close());

  it("has strict snake_case options with documented defaults", () => {
    const parsed = shipgateProvider.optionsSchema.parse({});
    expect(parsed).toMatchObject({
      site: "datadoghq.com",
      api_key_env: "DD_API_KEY",
      app_key_env: "DD_APP_KEY",
      errors_query: DEFAULT_DATADOG_QUERIES.errors,
      hits_query: DEFAULT_DATADOG_QUERIES.hits,
      p95_query: DEFAULT_DATADOG_QUERIES.p95,
      errors_absent_means_zero: true,
      timeout_ms: 30_000,
      max_retries: 3,
    });
    expect(shipgateProvider.optionsSchema.safeParse({ apiKey: "x" }).success).toBe(false);
  });

  it("rejects unknown placeholders and inline secrets with the field named", () => {
    const bad = instantiateProvider(shipgateProvider, { p95_query: "p95:x{env:{{env}}}" }, ctx);
    expect(bad._unsafeUnwrapErr()).toMatchObject({
      kind: "invalid_input",
      field: "with.p95_query",
    });
    expect(bad._unsafeUnwrapErr().message).toContain("{{env}}");
    const inline = instantiateProvider(shipgateProvider, { api_key_env: "abc-123-secret" }, ctx);
    expect(inline._unsafeUnwrapErr()).toMatchObject({ field: "with.api_key_env" });
  });

  it("names the missing environment variable", () => {
    expectUnsetTokenRefused(
      instantiateProvider(shipgateProvider, { app_key_env: "MY_DD_APP" }, ctx),
      "MY_DD_APP",
      "with.app_key_env",
    );
  });

  it("creates a working slo part against base_url", async () => {
    const parts = instantiateProvider(
      shipgateProvider,
      { base_url: dd.url, max_retries: 0 },
      ctx,
    )._unsafeUnwrap();
    await expectWorkingSloPart(parts.slo, "datadog", sloQuery(), 0.01);
  });

  it("names with.* fields and env var names (not values) in errors", async () => {
    const parts = instantiateProvider(
      shipgateProvider,
      { base_url: dd.url, hits_query: "sum:broken{", max_retries: 0 },
      { ...ctx, env: { ...env, DD_APP_KEY: "test-other-key-not-real" } },
    )._unsafeUnwrap();
    const e1 = await parts.slo!.measure(sloQuery(), { signal: new AbortController().signal });
    const auth = e1._unsafeUnwrapErr();
    expect(auth.kind).toBe("auth");
    expect(auth.hint).toContain("DD_APP_KEY");
    expect(JSON.stringify(auth.toJSON())).not.toContain("test-other-key-not-real");
    const ok = instantiateProvider(
      shipgateProvider,
      { base_url: dd.url, hits_query: "sum:broken{", max_retries: 0 },
      ctx,
    )._unsafeUnwrap();
    const e2 = await ok.slo!.measure(sloQuery(), { signal: new AbortController().signal });
    expect(e2._unsafeUnwrapErr()).toMatchObject({ kind: "bad_query", field: "with.hits_query" });
  });
});
