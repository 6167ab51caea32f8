import { defineProvider, envVarNameSchema, readSecret, type ShipgateError } from "@shipgate/core";
import { err, ok, type Result } from "neverthrow";
import { z } from "zod";
import type { CloudWatchMetricSpec, CloudWatchQuerySpec } from "./cloudwatch-queries.js";
import {
  type CloudWatchSloSourceOptions,
  createCloudWatchSloSource,
  DEFAULT_CLOUDWATCH_RETRY,
} from "./cloudwatch-slo-source.js";
import { QUERY_PLACEHOLDERS, unknownPlaceholders } from "./query-template.js";

const templated = z.string().superRefine((text, ctx) => {
  const unknown = unknownPlaceholders(text);
  if (unknown.length > 0) {
    ctx.addIssue({
      code: "custom",
      message: `unknown placeholder ${unknown.map((u) => `{{${u}}}`).join(", ")}; use ${QUERY_PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")}`,
    });
  }
});

const dimensionsSchema = z.record(z.string().min(1).max(255), templated.pipe(z.string().min(1)));

const metricSchema = z.strictObject({
  metric_name: z.string().min(1),
  namespace: z.string().min(1).optional(),
  stat: z.string().min(1).optional(),
  dimensions: dimensionsSchema.optional(),
});

const querySchema = z.union([
  metricSchema,
  z.strictObject({ expression: templated.pipe(z.string().min(1)) }),
]);

/**
 * The `with:` block of `use: "@shipgate/metrics-cloudwatch"` (snake_case, strict). With no
 * `access_key_id_env`, the AWS SDK's default credential chain is used (environment of the
 * process, SSO, shared config, web identity, ECS/EC2 role).
 */
export const cloudWatchOptionsSchema = z.strictObject({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "must be an AWS region such as eu-west-1"),
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
  access_key_id_env: envVarNameSchema.optional(),
  secret_access_key_env: envVarNameSchema.default("AWS_SECRET_ACCESS_KEY"),
  session_token_env: envVarNameSchema.optional(),
  preset: z.enum(["alb", "api_gateway"]).default("alb"),
  namespace: z.string().min(1).optional(),
  dimensions: dimensionsSchema.default({}),
  track_dimensions: z
    .strictObject({ canary: dimensionsSchema.optional(), stable: dimensionsSchema.optional() })
    .optional(),
  errors_query: querySchema.optional(),
  requests_query: querySchema.optional(),
  p95_query: querySchema.optional(),
  helper_queries: z
    .record(
      z.string().regex(/^[a-z][a-zA-Z0-9_]*$/, "must start with a lower-case letter"),
      metricSchema,
    )
    .optional(),
  latency_unit: z.enum(["s", "ms", "us"]).optional(),
  errors_absent_means_zero: z.boolean().default(true),
  timeout_ms: z.number().int().positive().default(30_000),
  max_attempts: z.number().int().min(1).max(10).default(DEFAULT_CLOUDWATCH_RETRY.maxAttempts),
  retry_base_ms: z.number().int().min(0).default(DEFAULT_CLOUDWATCH_RETRY.baseDelayMs),
  max_retry_wait_ms: z.number().int().min(0).default(DEFAULT_CLOUDWATCH_RETRY.maxDelayMs),
  max_pages: z.number().int().min(1).default(50),
});

/** Parsed options of the CloudWatch provider. */
export type CloudWatchProviderOptions = z.output<typeof cloudWatchOptionsSchema>;

function metricFrom(o: z.output<typeof metricSchema>): CloudWatchMetricSpec {
  return {
    metricName: o.metric_name,
    namespace: o.namespace,
    stat: o.stat,
    dimensions: o.dimensions,
  };
}

function queryFrom(o: z.output<typeof querySchema> | undefined): CloudWatchQuerySpec | undefined {
  if (o === undefined) return undefined;
  return "expression" in o ? { expression: o.expression } : metricFrom(o);
}

function credentialsFrom(
  options: CloudWatchProviderOptions,
  env: Parameters<typeof readSecret>[0],
): Result<CloudWatchSloSourceOptions["credentials"], ShipgateError> {
  if (!options.access_key_id_env) return ok(undefined);
  const id = readSecret(env, options.access_key_id_env, "with.access_key_id_env");
  if (id.isErr()) return err(id.error);
  const secret = readSecret(env, options.secret_access_key_env, "with.secret_access_key_env");
  if (secret.isErr()) return err(secret.error);
  let sessionToken: string | undefined;
  if (options.session_token_env) {
    const token = readSecret(env, options.session_token_env, "with.session_token_env");
    if (token.isErr()) return err(token.error);
    sessionToken = token.value;
  }
  return ok({ accessKeyId: id.value, secretAccessKey: secret.value, sessionToken });
}

/**
 * `@shipgate/metrics-cloudwatch`: contributes the `slo` part (a CloudWatch {@link SloSource}).
 *
 * @example
 * ```yaml
 * slo_source:
 *   use: "@shipgate/metrics-cloudwatch"
 *   with:
 *     region: eu-west-1
 *     preset: alb
 *     dimensions: { LoadBalancer: app/prod-alb/50dc6c495c0c9188 }
 *     track_dimensions:
 *       canary: { TargetGroup: "targetgroup/{{service}}-canary/6d0ecf831eec9f09" }
 *       stable: { TargetGroup: "targetgroup/{{service}}-stable/9a8b7c6d5e4f3a2b" }
 * ```
 */
export const shipgateProvider = defineProvider({
  name: "@shipgate/metrics-cloudwatch",
  optionsSchema: cloudWatchOptionsSchema,
  create(options, context) {
    return credentialsFrom(options, context).map((credentials) => ({
      slo: createCloudWatchSloSource({
        region: options.region,
        endpoint: options.endpoint,
        credentials,
        preset: options.preset,
        namespace: options.namespace,
        dimensions: options.dimensions,
        trackDimensions: options.track_dimensions,
        queries: {
          ...(options.errors_query ? { errors: queryFrom(options.errors_query) } : {}),
          ...(options.requests_query ? { requests: queryFrom(options.requests_query) } : {}),
          ...(options.p95_query ? { p95: queryFrom(options.p95_query) } : {}),
        },
        helperQueries: options.helper_queries
          ? Object.fromEntries(
              Object.entries(options.helper_queries).map(([id, m]) => [id, metricFrom(m)]),
            )
          : undefined,
        latencyUnit: options.latency_unit,
        errorsAbsentMeansZero: options.errors_absent_means_zero,
        timeoutMs: options.timeout_ms,
        retry: {
          maxAttempts: options.max_attempts,
          baseDelayMs: options.retry_base_ms,
          maxDelayMs: options.max_retry_wait_ms,
        },
        maxPages: options.max_pages,
        queryFields: {
          errors: "with.errors_query",
          requests: "with.requests_query",
          p95: "with.p95_query",
          helpers: "with.helper_queries",
        },
        authHint: options.access_key_id_env
          ? `Check the credentials in ${options.access_key_id_env} / ${options.secret_access_key_env}${options.session_token_env ? ` / ${options.session_token_env}` : ""} (named by with.*_env) and that they allow cloudwatch:GetMetricData in ${options.region}`
          : `Check the AWS credentials from the default chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO, role) and that they allow cloudwatch:GetMetricData in ${options.region}`,
      }),
    }));
  },
});
