import semver from "semver";
import { z } from "zod";
import { judgePolicySchema } from "../judge/judge-policy.js";

const name = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .min(1, `${what} must not be empty`)
    .max(63, `${what} must be at most 63 characters`)
    .regex(
      /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/i,
      `${what} may only contain letters, digits, ".", "_" and "-"`,
    );

/** A release version: a semver tag such as `v1.4.0` (the `v` is optional). */
export const versionSchema = z
  .string({ error: "version must be a string such as v1.4.0" })
  .refine((v) => semver.valid(v.replace(/^v/, "")) !== null && !/\s/.test(v), {
    message: "version must be a semver tag such as v1.4.0",
  });

/** A full commit sha: 40 hexadecimal characters, normalised to lower case. */
export const shaSchema = z
  .string({ error: "sha must be a 40-character hexadecimal commit sha" })
  .regex(/^[0-9a-fA-F]{40}$/, "sha must be a 40-character hexadecimal commit sha")
  .transform((s) => s.toLowerCase());

/** Canary weights in percent: strictly increasing, each 1–100, ending at 100. */
export const canaryStepsSchema = z
  .array(z.number().int("canary steps must be whole percentages").min(1).max(100))
  .min(1, "canary_steps must list at least one weight")
  .superRefine((steps, ctx) => {
    for (let i = 1; i < steps.length; i++) {
      if (steps[i]! <= steps[i - 1]!) {
        ctx.addIssue({
          code: "custom",
          message: `canary_steps must be strictly increasing (${steps[i - 1]} then ${steps[i]})`,
          path: [i],
        });
      }
    }
    if (steps.length > 0 && steps[steps.length - 1] !== 100) {
      ctx.addIssue({ code: "custom", message: "canary_steps must end at 100" });
    }
  });

/** Service level objectives a canary step must hold. */
export const sloSpecSchema = z.strictObject({
  /** Highest acceptable error rate, as a fraction 0–1 (0.01 = 1%). */
  error_rate_max: z.number().min(0).max(1),
  /** Highest acceptable p95 latency in ms. */
  p95_latency_ms: z.number().positive(),
  /** How long each step is watched, in minutes. */
  window_minutes: z
    .number()
    .positive()
    .max(24 * 60),
});

/** Optional comparison of the canary with the stable version over the same window. */
export const baselineSpecSchema = z.strictObject({
  /** Breach when canary error rate exceeds baseline by more than this (absolute fraction). */
  error_rate_max_delta: z.number().min(0).max(1).optional(),
  /** Breach when canary p95 exceeds baseline p95 × this ratio. */
  p95_max_ratio: z.number().min(1).optional(),
});

/** A smoke check, declared in the release spec. */
export const smokeCheckSpecSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("http"),
    name: z.string().min(1),
    method: z.enum(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]).default("GET"),
    url: z.url(),
    expect_status: z.number().int().min(100).max(599).default(200),
    body_match: z.string().optional(),
    timeout_ms: z.number().int().positive().default(5000),
    retries: z.number().int().min(0).max(10).default(2),
  }),
  z.strictObject({
    type: z.literal("command"),
    name: z.string().min(1),
    /** argv: the program and its arguments (no shell). */
    command: z.array(z.string().min(1)).min(1),
    timeout_ms: z.number().int().positive().default(30_000),
    retries: z.number().int().min(0).max(10).default(0),
  }),
]);

/** A database (or other) migration the release carries. */
export const migrationSpecSchema = z.strictObject({
  name: z.string().min(1),
  /** `forward_only`: cannot be undone; `reversible`: has a down migration. */
  kind: z.enum(["forward_only", "reversible"]),
  /** Drops or rewrites data (drop column/table, lossy type change). */
  destructive: z.boolean().default(false),
  /** A rollback of this migration has been exercised (e.g. in staging). */
  rollback_tested: z.boolean().default(false),
  path: z.string().optional(),
});

/**
 * Release waves: an ordered list of waves, each a list of environment names (configured
 * in the stack's `environments`). Environments of a wave run side by side; waves run in
 * order. An environment appears once in the whole list.
 */
export const wavesSchema = z
  .array(
    z
      .array(name("environment"), { error: "each wave must be a list of environment names" })
      .min(1, "a wave must list at least one environment"),
    { error: "waves must be a list of waves, each a list of environment names" },
  )
  .min(1, "waves must list at least one wave")
  .superRefine((waves, ctx) => {
    const seen = new Map<string, number>();
    for (const [w, wave] of waves.entries()) {
      for (const [i, environment] of wave.entries()) {
        const first = seen.get(environment);
        if (first !== undefined)
          ctx.addIssue({
            code: "custom",
            message: `environment ${environment} is listed twice (waves ${first + 1} and ${w + 1}); an environment is released once`,
            path: [w, i],
          });
        else seen.set(environment, w);
      }
    }
  });

/** What a breach in a wave does to the environments already promoted in the release. */
export const waveFailurePolicySchema = z.enum(["rollback_all", "halt"], {
  error: "on_wave_failure must be rollback_all or halt",
});

/** Preparation checks run before anything changes. */
export const preparationSpecSchema = z.strictObject({
  /** Kubernetes manifests (paths relative to the working directory) that must parse. */
  manifests: z.array(z.string().min(1)).default([]),
  /** Config names that must exist (values are never read into artifacts). */
  required_config: z.array(z.string().min(1)).default([]),
  /** Secret names that must exist (values are never read). */
  required_secrets: z.array(z.string().min(1)).default([]),
  migrations: z.array(migrationSpecSchema).default([]),
});

/** Knobs of the release policy. Defaults are what a careful team would pick. */
export const policySpecSchema = z.strictObject({
  /** Longest wait for CI checks still running. */
  ci_timeout_minutes: z.number().positive().default(30),
  ci_poll_seconds: z.number().positive().default(30),
  /** Treat "no checks at all" as green (off: zero checks blocks). */
  allow_no_checks: z.boolean().default(false),
  /** Optional (non-required) failing checks block too. */
  optional_checks_block: z.boolean().default(false),
  /**
   * Let `shipgate recover --resume` continue a crashed release from its last passed canary
   * step (after checking the deployer's actual state) instead of rolling it back.
   */
  resume_after_crash: z.boolean().default(false),
  /** SLO poll interval within a window. */
  poll_interval_seconds: z.number().positive().default(60),
  /** Consecutive failed SLO queries that fail the step closed. */
  max_query_errors: z.number().int().min(1).default(3),
  /** Consecutive "no data" polls that fail the step closed. */
  max_no_data_polls: z.number().int().min(1).default(3),
  /** Fewer requests than this in a reading count as no data (threshold judge). */
  min_sample_count: z.number().int().min(0).default(1),
  /** How each canary step is judged (see the core README, "How the canary is judged"). */
  judge: judgePolicySchema.default(judgePolicySchema.parse({})),
  /** Longest wait for sign-offs. */
  approval_timeout_minutes: z.number().positive().default(60),
  approval_poll_seconds: z.number().positive().default(60),
});

/** The keys of the release input (see {@link releaseSpecSchema}). */
const releaseSpecObject = z.strictObject({
  environment: name("environment"),
  service: name("service"),
  version: versionSchema,
  sha: shaSchema,
  canary_steps: canaryStepsSchema.default([5, 25, 100]),
  slo: sloSpecSchema,
  previous_release_tag: versionSchema.nullable().default(null),
  approvers: z.array(z.string().min(1)).default([]),
  /** Who runs the release. Default: the CI actor from the environment, else git's user.name. */
  captain: z.string().trim().min(1, "captain must not be empty").max(200).optional(),
  /** Dashboard links: a list of URLs, or a map of name → URL (`{ Grafana: https://… }`). */
  dashboards: z
    .union(
      [
        z.array(z.url({ error: "each dashboard must be a URL" })),
        z.record(
          z.string().min(1, "a dashboard name must not be empty"),
          z.url({ error: "each dashboard must be a URL" }),
        ),
      ],
      { error: "dashboards must be a list of URLs or a map of name → URL" },
    )
    .default([]),
  baseline: baselineSpecSchema.optional(),
  /** Monitoring after 100%; defaults to the SLO window. 0 turns it off. */
  stabilization_minutes: z
    .number()
    .min(0)
    .max(24 * 60)
    .optional(),
  smoke_checks: z.array(smokeCheckSpecSchema).default([]),
  preparation: preparationSpecSchema.optional(),
  policy: policySpecSchema.default(policySpecSchema.parse({})),
  /**
   * Release across several environments: `[[staging], [prod-us, prod-eu]]`. Absent: one
   * environment (`environment`), as always. With waves, `environment` names the release
   * as a whole (e.g. `production`) and each wave's environments come from the stack.
   */
  waves: wavesSchema.optional(),
  /**
   * Wait between two waves, in minutes (default 0), watching every environment promoted
   * so far (a stabilization window each). Only with `waves`.
   */
  bake_minutes: z
    .number()
    .min(0)
    .max(7 * 24 * 60)
    .optional(),
  /**
   * On a breach: `rollback_all` (default) also rolls back every environment already
   * promoted in this release, newest first; `halt` leaves them on the new version. Only
   * with `waves`.
   */
  on_wave_failure: waveFailurePolicySchema.optional(),
});

/**
 * The release input. Keys are snake_case, as in `shipgate.yaml`. `bake_minutes` and
 * `on_wave_failure` need `waves`.
 *
 * @example
 * ```ts
 * const spec = releaseSpecSchema.parse({
 *   environment: "production", service: "checkout", version: "v1.4.0",
 *   sha: "3f2a…", slo: { error_rate_max: 0.01, p95_latency_ms: 300, window_minutes: 10 },
 * });
 * ```
 */
export const releaseSpecSchema = releaseSpecObject.superRefine((spec, ctx) => {
  if (spec.waves) return;
  for (const field of ["bake_minutes", "on_wave_failure"] as const)
    if (spec[field] !== undefined)
      ctx.addIssue({
        code: "custom",
        message: `${field} applies only to a release with waves`,
        path: [field],
      });
});

/** The release input as written (defaults not yet applied). */
export type ReleaseSpecInput = z.input<typeof releaseSpecSchema>;
/** The parsed release input, defaults applied. */
export type ReleaseSpec = z.output<typeof releaseSpecSchema>;
export type SmokeCheckSpec = z.output<typeof smokeCheckSpecSchema>;
export type MigrationSpec = z.output<typeof migrationSpecSchema>;
export type PreparationSpec = z.output<typeof preparationSpecSchema>;
export type ReleasePolicy = z.output<typeof policySpecSchema>;
export type WaveFailurePolicy = z.output<typeof waveFailurePolicySchema>;
