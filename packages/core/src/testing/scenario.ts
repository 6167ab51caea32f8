import { z } from "zod";
import { CI_CHECK_CONCLUSIONS, CI_CHECK_STATUSES } from "../contracts/ci-provider.js";

const series = z.union([z.number(), z.null(), z.array(z.number().nullable())]);
const sha40 = z
  .string()
  .regex(/^[0-9a-f]{40}$/, "must be a 40-character lowercase hexadecimal sha");

/** One track's metrics: a value, or one per poll (`null` = no data). */
export const trackMetricsSchema = z.strictObject({
  error_rate: series,
  p95_latency_ms: series,
  /** Requests per poll (default 1000). */
  requests: series.optional(),
});

/** Metrics at one canary weight (see {@link MetricsByWeight}). */
export const weightMetricsSchema = z.strictObject({
  error_rate: series,
  p95_latency_ms: series,
  requests: series.optional(),
  query_errors_at: z.array(z.number().int().positive()).optional(),
  /** The stable track beside the canary at this weight (default: `metrics.stable`, else `metrics.default`). */
  stable: trackMetricsSchema.optional(),
});

/** The simulated platform's behaviour. */
export const scenarioDeploySchema = z
  .strictObject({
    rollback_fails: z.boolean().default(false),
    stable_version: z.string().optional(),
    preflight_problems: z.array(z.string()).default([]),
    fail_at_weight: z.number().int().optional(),
  })
  .default({ rollback_fails: false, preflight_problems: [] });

/** A simulated smoke check `healthz` and where it fails. */
export const scenarioSmokeSchema = z.strictObject({
  fail_in: z
    .array(z.enum(["after_weight_change", "after_last_step", "after_rollback"]))
    .default([]),
  fail_at_weights: z.array(z.number()).default([]),
});

/** One environment of a release with waves: its own metrics, platform and smoke check. */
export const scenarioEnvironmentSchema = z.strictObject({
  /** As the top-level `metrics`, for this environment. */
  metrics: z.record(z.string(), weightMetricsSchema).default({}),
  deploy: scenarioDeploySchema,
  smoke: scenarioSmokeSchema.optional(),
});

/** What a scenario expects of one environment of a release with waves. */
export const scenarioEnvironmentExpectSchema = z.strictObject({
  state: z
    .enum(["promoted", "breached", "failed", "cancelled", "not_started", "held", "rolled_back"])
    .optional(),
  max_weight_reached: z.number().int().min(0).max(100).optional(),
  rolled_back: z.boolean().optional(),
  rollback_verified: z.boolean().optional(),
});

/**
 * A scenario: plain data (YAML-friendly) describing a repository, CI, metrics per canary
 * weight and the platform's behaviour, plus what the release should end as.
 */
export const scenarioSchema = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
  /** The release input, validated by the orchestrator itself (so invalid input can be a scenario too). */
  release: z.record(z.string(), z.unknown()),
  dry_run: z.boolean().default(false),
  repository: z
    .strictObject({
      release_branch: z.string().default("main"),
      url: z.url().optional(),
      tags: z.record(z.string(), sha40).default({}),
      off_branch_commits: z.array(sha40).default([]),
      missing_commits: z.array(sha40).default([]),
      pull_requests: z
        .array(
          z.strictObject({
            number: z.number().int().positive(),
            title: z.string(),
            author: z.string().default("someone"),
            reviewers: z.array(z.string()).default([]),
            labels: z.array(z.string()).default([]),
            merged_at: z
              .string()
              .refine((s) => !Number.isNaN(Date.parse(s)), "must be an ISO 8601 time"),
            files: z.array(z.string()).default([]),
            merge_sha: sha40.optional(),
          }),
        )
        .default([]),
    })
    .default({
      release_branch: "main",
      tags: {},
      off_branch_commits: [],
      missing_commits: [],
      pull_requests: [],
    }),
  ci: z
    .strictObject({
      checks: z
        .array(
          z.strictObject({
            name: z.string().min(1),
            conclusion: z.enum(CI_CHECK_CONCLUSIONS),
            status: z.enum(CI_CHECK_STATUSES).optional(),
            complete_after_minutes: z.number().min(0).optional(),
            required: z.boolean().optional(),
          }),
        )
        .default([]),
    })
    .default({ checks: [] }),
  /** Keyed by canary weight (`"5"`, `"25"`, `"100"`), `stable` for the baseline, `default` for any other. */
  metrics: z.record(z.string(), weightMetricsSchema).default({}),
  deploy: scenarioDeploySchema,
  /**
   * A release with waves: each environment its `release.waves` names, with its own
   * metrics and platform. Absent: one environment (`metrics`, `deploy`, `smoke`).
   */
  environments: z.record(z.string(), scenarioEnvironmentSchema).optional(),
  approvals: z
    .array(
      z.strictObject({
        approver: z.string(),
        after_minutes: z.number().min(0).optional(),
        where: z.string().optional(),
      }),
    )
    .default([]),
  smoke: scenarioSmokeSchema.optional(),
  expect: z
    .strictObject({
      status: z.enum(["SUCCESS", "ABORTED", "BLOCKED", "FAILED"]).optional(),
      exit_code: z.number().int().optional(),
      max_weight_reached: z.number().int().min(0).max(100).optional(),
      reason: z.string().optional(),
      rolled_back: z.boolean().optional(),
      rollback_verified: z.boolean().optional(),
      incident: z.boolean().optional(),
      tagged: z.boolean().optional(),
      /** A release with waves: what each environment should end as. */
      environments: z.record(z.string(), scenarioEnvironmentExpectSchema).optional(),
      /** A release with waves: the environments rolled back, in the order they were. */
      rollback_order: z.array(z.string()).optional(),
    })
    .optional(),
});

/** A scenario as written. */
export type ScenarioInput = z.input<typeof scenarioSchema>;
/** A parsed scenario. */
export type Scenario = z.output<typeof scenarioSchema>;
