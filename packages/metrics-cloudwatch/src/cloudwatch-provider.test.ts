import { instantiateProvider } from "@shipgate/core";
import { expectUnsetTokenRefused, expectWorkingSloPart } from "@shipgate/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shipgateProvider } from "./cloudwatch-provider.js";
import { type CloudWatchEmulator, startCloudWatchEmulator } from "./testing/cloudwatch-emulator.js";
import { albMetrics, LOAD_BALANCER, sloQuery } from "./testing/cloudwatch-test-fixtures.js";

const env = { CW_KEY_ID: "AKIDTESTNOTREAL", CW_SECRET: "test-secret-not-real" };
const ctx = { env, cwd: "/tmp" };

describe("@shipgate/metrics-cloudwatch provider", () => {
  let cw: CloudWatchEmulator;
  beforeAll(async () => {
    cw = await startCloudWatchEmulator();
    cw.seed(...albMetrics({ requests: 200, errors: 2, latencyStepSeconds: 0.001 }));
  });
  afterAll(() => cw.close());

  const base = (extra: Record<string, unknown> = {}) => ({
    region: "us-east-1",
    endpoint: cw.url,
    access_key_id_env: "CW_KEY_ID",
    secret_access_key_env: "CW_SECRET",
    dimensions: { LoadBalancer: LOAD_BALANCER },
    track_dimensions: {
      canary: { TargetGroup: "targetgroup/{{service}}-canary/6d0ecf831eec9f09" },
    },
    max_attempts: 1,
    ...extra,
  });

  it("has strict snake_case options with documented defaults", () => {
    const parsed = shipgateProvider.optionsSchema.parse({ region: "eu-west-1" });
    expect(parsed).toMatchObject({
      region: "eu-west-1",
      preset: "alb",
      dimensions: {},
      secret_access_key_env: "AWS_SECRET_ACCESS_KEY",
      errors_absent_means_zero: true,
      timeout_ms: 30_000,
      max_attempts: 3,
      max_pages: 50,
    });
    expect(
      shipgateProvider.optionsSchema.safeParse({ region: "eu-west-1", Region: "x" }).success,
    ).toBe(false);
    expect(shipgateProvider.optionsSchema.safeParse({ region: "Ireland" }).success).toBe(false);
  });

  it("rejects unknown placeholders with the field named", () => {
    const r = instantiateProvider(
      shipgateProvider,
      base({ errors_query: { expression: "{{svc}}" } }),
      ctx,
    );
    expect(r._unsafeUnwrapErr()).toMatchObject({
      kind: "invalid_input",
      field: "with.errors_query.expression",
    });
    const d = instantiateProvider(
      shipgateProvider,
      base({ dimensions: { TargetGroup: "{{tg}}" } }),
      ctx,
    );
    expect(d._unsafeUnwrapErr().field).toBe("with.dimensions.TargetGroup");
  });

  it("names a missing credential variable", () => {
    expectUnsetTokenRefused(
      instantiateProvider(shipgateProvider, base({ secret_access_key_env: "NOPE_SECRET" }), ctx),
      "NOPE_SECRET",
      "with.secret_access_key_env",
    );
  });

  it("creates a working slo part from env-named credentials", async () => {
    const parts = instantiateProvider(shipgateProvider, base(), ctx)._unsafeUnwrap();
    await expectWorkingSloPart(parts.slo, "cloudwatch", sloQuery(), 0.01);
  });

  it("names with.* fields in errors and env var names (not values) in hints", async () => {
    const bad = instantiateProvider(
      shipgateProvider,
      base({ requests_query: { metric_name: "RequestCount", stat: "Summ" } }),
      ctx,
    )._unsafeUnwrap();
    const e = (
      await bad.slo!.measure(sloQuery(), { signal: new AbortController().signal })
    )._unsafeUnwrapErr();
    expect(e).toMatchObject({ kind: "bad_query", field: "with.requests_query" });
    const wrong = instantiateProvider(shipgateProvider, base(), {
      ...ctx,
      env: { ...env, CW_KEY_ID: "AKIDWRONG" },
    })._unsafeUnwrap();
    const auth = (
      await wrong.slo!.measure(sloQuery(), { signal: new AbortController().signal })
    )._unsafeUnwrapErr();
    expect(auth.kind).toBe("auth");
    expect(auth.hint).toContain("CW_KEY_ID");
    expect(JSON.stringify(auth.toJSON())).not.toContain("test-secret-not-real");
  });
});
