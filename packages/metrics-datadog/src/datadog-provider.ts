import { defineProvider, envVarNameSchema, readSecret } from "@shipgate/core";
import { Result } from "neverthrow";
import { z } from "zod";
import { DEFAULT_DATADOG_QUERIES } from "./datadog-queries.js";
import { createDatadogSloSource, DEFAULT_DATADOG_RETRY } from "./datadog-slo-source.js";
import { QUERY_PLACEHOLDERS, unknownPlaceholders } from "./query-template.js";

const queryTemplate = (fallback: string) =>
  z
    .string()
    .min(1)
    .superRefine((template, ctx) => {
      const unknown = unknownPlaceholders(template);
      if (unknown.length > 0) {
        ctx.addIssue({
          code: "custom",
          message: `unknown placeholder ${unknown.map((u) => `{{${u}}}`).join(", ")}; use ${QUERY_PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")}`,
        });
      }
    })
    .default(fallback);

/**
 * The `with:` block of `use: "@shipgate/metrics-datadog"` (snake_case, strict). Keys are
 * read from environment variables named here, never written in the config.
 */
export const datadogOptionsSchema = z.strictObject({
  /** Datadog site, e.g. `datadoghq.com`, `datadoghq.eu`, `us3.datadoghq.com`. */
  site: z
    .string()
    .regex(/^[a-z0-9.-]+\.[a-z]+$/, "must be a Datadog site such as datadoghq.eu")
    .default("datadoghq.com"),
  /** API base URL override (proxy or emulator); wins over `site`. */
  base_url: z.url({ protocol: /^https?$/ }).optional(),
  api_key_env: envVarNameSchema.default("DD_API_KEY"),
  app_key_env: envVarNameSchema.default("DD_APP_KEY"),
  errors_query: queryTemplate(DEFAULT_DATADOG_QUERIES.errors),
  hits_query: queryTemplate(DEFAULT_DATADOG_QUERIES.hits),
  p95_query: queryTemplate(DEFAULT_DATADOG_QUERIES.p95),
  /** Unit of the p95 query's values; unset: Datadog's unit metadata, else seconds. */
  latency_unit: z.enum(["s", "ms", "us", "ns"]).optional(),
  errors_absent_means_zero: z.boolean().default(true),
  timeout_ms: z.number().int().positive().default(30_000),
  max_retries: z.number().int().min(0).max(10).default(DEFAULT_DATADOG_RETRY.maxRetries),
  retry_base_ms: z.number().int().min(0).default(DEFAULT_DATADOG_RETRY.baseDelayMs),
  max_retry_wait_ms: z.number().int().min(0).default(DEFAULT_DATADOG_RETRY.maxDelayMs),
});

/** Parsed options of the Datadog provider. */
export type DatadogProviderOptions = z.output<typeof datadogOptionsSchema>;

/**
 * `@shipgate/metrics-datadog`: contributes the `slo` part (a Datadog {@link SloSource}).
 *
 * @example
 * ```yaml
 * slo_source:
 *   use: "@shipgate/metrics-datadog"
 *   with:
 *     site: datadoghq.eu
 *     api_key_env: DD_API_KEY
 *     app_key_env: DD_APP_KEY
 * ```
 */
export const shipgateProvider = defineProvider({
  name: "@shipgate/metrics-datadog",
  optionsSchema: datadogOptionsSchema,
  create(options, context) {
    return Result.combine([
      readSecret(context, options.api_key_env, "with.api_key_env"),
      readSecret(context, options.app_key_env, "with.app_key_env"),
    ]).map(([apiKey, appKey]) => ({
      slo: createDatadogSloSource({
        apiKey,
        appKey,
        site: options.site,
        baseUrl: options.base_url,
        queries: {
          errors: options.errors_query,
          hits: options.hits_query,
          p95: options.p95_query,
        },
        latencyUnit: options.latency_unit,
        errorsAbsentMeansZero: options.errors_absent_means_zero,
        timeoutMs: options.timeout_ms,
        retry: {
          maxRetries: options.max_retries,
          baseDelayMs: options.retry_base_ms,
          maxDelayMs: options.max_retry_wait_ms,
        },
        queryFields: {
          errors: "with.errors_query",
          hits: "with.hits_query",
          p95: "with.p95_query",
        },
        authHint: `Check the keys in ${options.api_key_env} (API key) and ${options.app_key_env} (application key with the timeseries_query permission), named by with.api_key_env / with.app_key_env, and that site "${options.site}" is your Datadog site`,
      }),
    }));
  },
});
