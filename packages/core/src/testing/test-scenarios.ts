import {
  createMemoryArtifactStore,
  type MemoryArtifactStore,
} from "./fakes/memory-artifact-store.js";
import { runScenario, type ScenarioResult } from "./run-scenario.js";
import type { ScenarioInput } from "./scenario.js";

/** A release sha used across tests. */
export const SHA = "3f2a9c1d4b5e6f708192a3b4c5d6e7f809a1b2c3";
export const PREVIOUS_SHA = "1111111111111111111111111111111111111111";

/**
 * A healthy release scenario; tests override what they exercise. It uses the threshold
 * judge (the rule these tests were written for); `judge: "statistical"` picks the default.
 */
export function baseScenario(
  overrides: Partial<ScenarioInput> & {
    release?: Record<string, unknown>;
    judge?: "threshold" | "statistical";
  } = {},
): ScenarioInput {
  const { release, judge = "threshold", ...rest } = overrides;
  const policy = (release?.policy ?? {}) as Record<string, unknown>;
  return {
    name: "base",
    release: {
      environment: "production",
      service: "shop",
      version: "v1.4.0",
      sha: SHA,
      previous_release_tag: "v1.3.0",
      slo: { error_rate_max: 0.01, p95_latency_ms: 300, window_minutes: 10 },
      dashboards: ["https://grafana.example.com/d/shop"],
      ...release,
      policy: { ...policy, judge: { kind: judge, ...(policy.judge as object | undefined) } },
    },
    repository: {
      release_branch: "main",
      tags: { "v1.3.0": PREVIOUS_SHA },
      pull_requests: [
        {
          number: 11,
          title: "feat(api): add bulk export",
          author: "alice",
          reviewers: ["bob"],
          merged_at: "2026-01-02T09:00:00Z",
          files: ["src/api/export.ts"],
        },
        {
          number: 12,
          title: "fix(cart)!: change rounding",
          author: "carol",
          reviewers: ["alice"],
          merged_at: "2026-01-03T09:00:00Z",
          files: ["src/cart/total.ts"],
        },
        {
          number: 13,
          title: "docs: update README",
          author: "erin",
          merged_at: "2026-01-04T09:00:00Z",
          files: ["README.md"],
        },
      ],
    },
    ci: {
      checks: [
        { name: "unit", conclusion: "success" },
        { name: "lint", conclusion: "success" },
      ],
    },
    metrics: { default: { error_rate: 0.002, p95_latency_ms: 120 } },
    ...rest,
  };
}

/**
 * The release input of shop `version` at `sha` to production after v1.3.0, judged within
 * 1% errors and a p95 of 300 ms over 5-minute windows.
 */
export function shopReleaseInput(version: string, sha: string) {
  return {
    environment: "production",
    service: "shop",
    version,
    sha,
    previous_release_tag: "v1.3.0",
    slo: { error_rate_max: 0.01, p95_latency_ms: 300, window_minutes: 5 },
  };
}

/** The outcome of a release that went all the way to 100% and stayed there. */
export const RELEASED_ALL_THE_WAY = {
  status: "SUCCESS",
  exitCode: 0,
  reason: "released",
  maxWeightReached: 100,
  rolledBack: false,
} as const;

/** SLO metrics of a healthy simulated track. */
export const HEALTHY_METRICS = { default: { error_rate: 0.002, p95_latency_ms: 120 } };

/** SLO metrics of a canary that breaches (5% errors) once it carries 25%. */
export const BREACH_AT_25_METRICS = {
  ...HEALTHY_METRICS,
  "25": { error_rate: 0.05, p95_latency_ms: 120 },
};

/**
 * A release with waves over the named environments: each healthy unless `metrics` names
 * it; `release` adds release keys (`bake_minutes`, `on_wave_failure`, …).
 */
export function wavesScenario(
  waves: string[][],
  release: Record<string, unknown> = {},
  metrics: Record<string, typeof HEALTHY_METRICS | typeof BREACH_AT_25_METRICS> = {},
): ScenarioInput {
  return baseScenario({
    release: { waves, ...release },
    environments: Object.fromEntries(
      waves.flat().map((name) => [name, { metrics: metrics[name] ?? HEALTHY_METRICS }]),
    ),
  });
}

/**
 * Runs a release with waves — staging, then prod-us and prod-eu side by side — in which
 * prod-eu breaches at 25%: every environment is rolled back. Its artifacts (report,
 * `deploy-result.json` with each environment's steps and polls) are what history and
 * backtest tests read.
 */
export async function releaseBreachingInWave2(): Promise<
  ScenarioResult & { artifacts: MemoryArtifactStore }
> {
  const artifacts = createMemoryArtifactStore();
  const run = await runScenario(
    wavesScenario([["staging"], ["prod-us", "prod-eu"]], {}, { "prod-eu": BREACH_AT_25_METRICS }),
    { artifacts },
  );
  return { ...run, artifacts };
}
