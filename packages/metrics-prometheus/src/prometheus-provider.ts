import {
  defineProvider,
  envVarNameSchema,
  readSecret,
  ShipgateError,
  type SloSource,
} from "@shipgate/core";
import { err, ok, type Result } from "neverthrow";
import { z } from "zod";
import {
  DEFAULT_QUERIES,
  defaultMatchers,
  type OptionalQueryName,
  type QueryName,
  type RequiredQueryName,
} from "./default-queries.js";
import type { LatencyBucketUnit } from "./prometheus-latency-buckets.js";
import type { WarningPolicy } from "./prometheus-reading.js";
import { type PrometheusSloSourceConfig, prometheusSloSource } from "./prometheus-slo-source.js";
import { compilePromqlTemplate, type PromqlTemplate } from "./promql-template.js";

const labelNameSchema = z
  .string()
  .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "must be a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)");

function templateSchema(field: string, allowMatchers: boolean) {
  return z.string().superRefine((source, ctx) => {
    const compiled = compilePromqlTemplate(source, { field, allowMatchers });
    if (compiled.isErr()) ctx.addIssue({ code: "custom", message: compiled.error.message });
  });
}

/**
 * The `with:` block of `use: "@shipgate/metrics-prometheus"` (snake_case, strict).
 * Secrets are only ever named by environment variable.
 */
export const prometheusOptionsSchema = z
  .strictObject({
    /** Base URL of Prometheus (or a compatible API: Thanos, Mimir, VictoriaMetrics). */
    url: z.url({ protocol: /^https?$/ }).refine((u) => !/^[a-z]+:\/\/[^/]*@/i.test(u), {
      message: "must not contain credentials; use basic_auth or bearer_token_env",
    }),
    service_label: labelNameSchema.default("service"),
    version_label: labelNameSchema.default("version"),
    /** More matchers appended to the defaults, e.g. `env="{{environment}}"`. */
    extra_matchers: templateSchema("with.extra_matchers", false).default(""),
    queries: z
      .strictObject({
        error_rate: templateSchema("with.queries.error_rate", true).optional(),
        p95_latency_ms: templateSchema("with.queries.p95_latency_ms", true).optional(),
        sample_count: templateSchema("with.queries.sample_count", true).optional(),
        /** Failed requests in the window; `false`: not measured (`errorCount: null`). */
        error_count: z
          .union([templateSchema("with.queries.error_count", true), z.literal(false)], {
            error: "must be a query template, or false to not measure it",
          })
          .optional(),
        /** Cumulative histogram by `le`; `false`: not measured (`latencyBuckets: null`). */
        latency_buckets: z
          .union([templateSchema("with.queries.latency_buckets", true), z.literal(false)], {
            error: "must be a query template, or false to not measure it",
          })
          .optional(),
      })
      .default({}),
    /** Unit of the histogram's `le` bounds in `latency_buckets`. */
    latency_bucket_unit: z.enum(["s", "ms"]).default("s"),
    on_warnings: z.enum(["no_data", "accept"]).default("no_data"),
    timeout_ms: z.int().min(1).max(600_000).default(10_000),
    max_retries: z.int().min(0).max(10).default(3),
    retry_base_ms: z.int().min(0).max(60_000).default(250),
    max_retry_wait_ms: z.int().min(0).max(600_000).default(30_000),
    bearer_token_env: envVarNameSchema.optional(),
    basic_auth: z
      .strictObject({ username: z.string().min(1), password_env: envVarNameSchema })
      .optional(),
    /** Extra non-secret headers, e.g. `X-Scope-OrgID` for Mimir/Cortex tenants. */
    headers: z
      .record(z.string(), z.string())
      .refine((h) => !Object.keys(h).some((k) => k.toLowerCase() === "authorization"), {
        message: "must not set Authorization; use bearer_token_env or basic_auth",
      })
      .optional(),
  })
  .refine((o) => !(o.bearer_token_env && o.basic_auth), {
    message: "set either bearer_token_env or basic_auth, not both",
    path: ["bearer_token_env"],
  });

/** Parsed options of {@link prometheusOptionsSchema}. */
export type PrometheusOptions = z.output<typeof prometheusOptionsSchema>;

/** Options of {@link createPrometheusSloSource}. */
export interface PrometheusSloSourceOptions {
  /** Base URL, e.g. `http://prometheus:9090`; `/api/v1/query` is appended. */
  url: string;
  /** Label holding the service name. Default `service`. */
  serviceLabel?: string;
  /** Label holding the deployed version. Default `version`. */
  versionLabel?: string;
  /** Matchers appended to the defaults, e.g. `env="{{environment}}"`. */
  extraMatchers?: string;
  /**
   * Override query templates; see the README for placeholders. `errorCount` and
   * `latencyBuckets` default to the built-in templates only while the queries they must
   * agree with are the built-in ones (`errorRate` and `sampleCount`; `p95LatencyMs`), and
   * are not measured otherwise; `false` turns them off.
   */
  queries?: {
    errorRate?: string;
    p95LatencyMs?: string;
    sampleCount?: string;
    errorCount?: string | false;
    latencyBuckets?: string | false;
  };
  /** Unit of the `le` bounds of the `latencyBuckets` query: `s` (default) or `ms`. */
  latencyBucketUnit?: LatencyBucketUnit;
  /** Result flagged with `warnings` (partial data): `no_data` (default) or `accept`. */
  onWarnings?: WarningPolicy;
  /** Per-request timeout. Default 10 000. */
  timeoutMs?: number;
  /** Retries after 429/5xx/network failures. Default 3. */
  maxRetries?: number;
  /** First backoff delay, doubled per retry. Default 250. */
  retryBaseMs?: number;
  /** Longest `Retry-After` to wait for. Default 30 000. */
  maxRetryWaitMs?: number;
  /** Credentials, if Prometheus sits behind auth. */
  auth?: { bearerToken: string } | { username: string; password: string };
  /** Extra non-secret headers (e.g. `X-Scope-OrgID`). */
  headers?: Record<string, string>;
  /** A `fetch` to use instead of the global one (tests, proxies). */
  fetch?: typeof globalThis.fetch;
  /** The source's name in reports. Default `prometheus`. */
  name?: string;
}

function compile(
  source: string,
  field: string,
  allowMatchers: boolean,
): Result<PromqlTemplate, ShipgateError> {
  return compilePromqlTemplate(source, { field, allowMatchers });
}

/** Builds the source, or says which option is wrong. Never throws. */
export function buildPrometheusSloSource(
  options: PrometheusSloSourceOptions,
): Result<SloSource, ShipgateError> {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    return err(new ShipgateError("invalid_input", "url is not a valid URL", { field: "url" }));
  }
  if (url.username || url.password) {
    return err(
      new ShipgateError("invalid_input", "url must not contain credentials; use auth", {
        field: "url",
      }),
    );
  }
  const serviceLabel = options.serviceLabel ?? "service";
  const versionLabel = options.versionLabel ?? "version";
  for (const [field, label] of [
    ["serviceLabel", serviceLabel],
    ["versionLabel", versionLabel],
  ] as const) {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(label)) {
      return err(
        new ShipgateError(
          "invalid_input",
          `${field} ${JSON.stringify(label)} is not a label name`,
          {
            field,
          },
        ),
      );
    }
  }
  const matchersSource = [defaultMatchers(serviceLabel, versionLabel), options.extraMatchers]
    .filter(Boolean)
    .join(",");
  const matchers = compile(matchersSource, "extraMatchers", false);
  if (matchers.isErr()) return err(matchers.error);
  const q = options.queries ?? {};
  // A default v2 query only where the queries it must agree with are the defaults too:
  // the built-in 5xx count next to a user's own request metric would count other requests.
  const countsAreDefault = q.errorRate === undefined && q.sampleCount === undefined;
  const errorCountSource =
    q.errorCount ?? (countsAreDefault ? DEFAULT_QUERIES.error_count : undefined);
  const bucketsSource =
    q.latencyBuckets ??
    (q.p95LatencyMs === undefined ? DEFAULT_QUERIES.latency_buckets : undefined);
  const sources: Record<RequiredQueryName, [string, string]> &
    Partial<Record<OptionalQueryName, [string, string]>> = {
    error_rate: [options.queries?.errorRate ?? DEFAULT_QUERIES.error_rate, "queries.errorRate"],
    p95_latency_ms: [
      options.queries?.p95LatencyMs ?? DEFAULT_QUERIES.p95_latency_ms,
      "queries.p95LatencyMs",
    ],
    sample_count: [
      options.queries?.sampleCount ?? DEFAULT_QUERIES.sample_count,
      "queries.sampleCount",
    ],
    ...(errorCountSource ? { error_count: [errorCountSource, "queries.errorCount"] } : {}),
    ...(bucketsSource ? { latency_buckets: [bucketsSource, "queries.latencyBuckets"] } : {}),
  };
  const queries = {} as PrometheusSloSourceConfig["queries"];
  for (const [name, [source, field]] of Object.entries(sources) as [
    QueryName,
    [string, string],
  ][]) {
    const compiled = compile(source, field, true);
    if (compiled.isErr()) return err(compiled.error);
    queries[name] = compiled.value;
  }

  const headers: Record<string, string> = { ...options.headers };
  if (options.auth && "bearerToken" in options.auth) {
    headers.authorization = `Bearer ${options.auth.bearerToken}`;
  } else if (options.auth) {
    const pair = `${options.auth.username}:${options.auth.password}`;
    headers.authorization = `Basic ${Buffer.from(pair, "utf8").toString("base64")}`;
  }
  return ok(
    prometheusSloSource({
      name: options.name ?? "prometheus",
      matchers: matchers.value,
      queries,
      onWarnings: options.onWarnings ?? "no_data",
      latencyBucketUnit: options.latencyBucketUnit ?? "s",
      http: {
        baseUrl: url.href.replace(/\/+$/, ""),
        fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
        headers,
        timeoutMs: options.timeoutMs ?? 10_000,
        maxRetries: options.maxRetries ?? 3,
        retryBaseMs: options.retryBaseMs ?? 250,
        maxRetryWaitMs: options.maxRetryWaitMs ?? 30_000,
      },
    }),
  );
}

/**
 * Creates an `SloSource` reading Prometheus' HTTP API, for programmatic use. Throws a
 * `ShipgateError` (`invalid_input`) if an option is wrong, e.g. a query template puts
 * `{{service}}` outside quotes; its `measure` never throws.
 *
 * @example
 * ```ts
 * const slo = createPrometheusSloSource({
 *   url: "http://prometheus:9090",
 *   extraMatchers: 'env="{{environment}}"',
 *   auth: { bearerToken: process.env.PROM_TOKEN! },
 * });
 * const m = await slo.measure(query, { signal });
 * ```
 */
export function createPrometheusSloSource(options: PrometheusSloSourceOptions): SloSource {
  const built = buildPrometheusSloSource(options);
  if (built.isErr()) throw built.error;
  return built.value;
}

/**
 * The provider the CLI loads for `use: "@shipgate/metrics-prometheus"`.
 *
 * @example
 * ```yaml
 * slo:
 *   use: "@shipgate/metrics-prometheus"
 *   with:
 *     url: http://prometheus.monitoring:9090
 *     extra_matchers: 'env="{{environment}}"'
 *     bearer_token_env: PROMETHEUS_TOKEN
 * ```
 */
export const shipgateProvider = defineProvider({
  name: "@shipgate/metrics-prometheus",
  optionsSchema: prometheusOptionsSchema,
  create(options, context) {
    let auth: PrometheusSloSourceOptions["auth"];
    if (options.bearer_token_env) {
      const token = readSecret(context, options.bearer_token_env, "with.bearer_token_env");
      if (token.isErr()) return err(token.error);
      auth = { bearerToken: token.value };
    } else if (options.basic_auth) {
      const password = readSecret(
        context,
        options.basic_auth.password_env,
        "with.basic_auth.password_env",
      );
      if (password.isErr()) return err(password.error);
      auth = { username: options.basic_auth.username, password: password.value };
    }
    const slo = buildPrometheusSloSource({
      url: options.url,
      serviceLabel: options.service_label,
      versionLabel: options.version_label,
      extraMatchers: options.extra_matchers,
      queries: {
        errorRate: options.queries.error_rate,
        p95LatencyMs: options.queries.p95_latency_ms,
        sampleCount: options.queries.sample_count,
        errorCount: options.queries.error_count,
        latencyBuckets: options.queries.latency_buckets,
      },
      latencyBucketUnit: options.latency_bucket_unit,
      onWarnings: options.on_warnings,
      timeoutMs: options.timeout_ms,
      maxRetries: options.max_retries,
      retryBaseMs: options.retry_base_ms,
      maxRetryWaitMs: options.max_retry_wait_ms,
      auth,
      headers: options.headers,
    });
    if (slo.isErr()) return err(slo.error);
    return ok({ slo: slo.value });
  },
});
