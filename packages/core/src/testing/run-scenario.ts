import type { ArtifactStore } from "../contracts/artifact-store.js";
import type { ReleaseLock } from "../contracts/release-lock.js";
import type { ChangeRecord } from "../contracts/source-control.js";
import { createMarkdownChangelogRenderer } from "../defaults/markdown-changelog-renderer.js";
import type { ReleaseEvent } from "../model/release-events.js";
import type { ReleaseOutcome } from "../model/release-outcome.js";
import type { EnvironmentStack, ReleaseStack } from "../model/release-stack.js";
import { createReleaseOrchestrator } from "../release/orchestrator.js";
import { zodToShipgateError } from "../release/zod-issues.js";
import { createFakeApprovalGate } from "./fakes/fake-approval-gate.js";
import { createFakeCiProvider } from "./fakes/fake-ci-provider.js";
import { createFakeSmokeCheck } from "./fakes/fake-smoke-check.js";
import { createFakeSourceControl } from "./fakes/fake-source-control.js";
import { createMemoryArtifactStore } from "./fakes/memory-artifact-store.js";
import {
  createMemoryLockBackend,
  createMemoryReleaseLock,
  type MemoryLockBackend,
} from "./fakes/memory-release-lock.js";
import { createSimulatedDeployer, type SimulatedDeployer } from "./fakes/simulated-deployer.js";
import { createSimulatedSloSource } from "./fakes/simulated-slo-source.js";
import { type Scenario, type ScenarioInput, scenarioSchema } from "./scenario.js";
import { createVirtualClock, type VirtualClock } from "./virtual-clock.js";

/** Options of {@link runScenario}. */
export interface RunScenarioOptions {
  /** Where artifacts go (default: in memory). */
  artifacts?: ArtifactStore;
  clock?: VirtualClock;
  lockBackend?: MemoryLockBackend;
  signal?: AbortSignal;
  onEvent?: (event: ReleaseEvent) => void;
  /** A release with waves: the environments' own locks, by name. */
  environmentLocks?: Record<string, ReleaseLock>;
  /** Replace or add parts of the stack (a real SloSource under test, say). */
  overrides?: Partial<ReleaseStack>;
}

/** What a scenario run produced. */
export interface ScenarioResult {
  name: string;
  outcome: ReleaseOutcome;
  events: ReleaseEvent[];
  artifacts: ArtifactStore;
  deployer: SimulatedDeployer;
  /** A release with waves: each environment's simulated deployer, by name. */
  environments: Record<string, SimulatedDeployer>;
  stack: ReleaseStack;
  /** Whether `expect` held; `failures` says what did not. Passed when there is no `expect`. */
  expectation: { passed: boolean; failures: string[] };
}

function fakeSha(n: number): string {
  return n.toString(16).padStart(8, "0").repeat(5);
}

/** Builds the simulated stack a scenario describes. */
export function buildScenarioStack(
  scenario: Scenario,
  options: RunScenarioOptions = {},
): {
  stack: ReleaseStack;
  deployer: SimulatedDeployer;
  environments: Record<string, SimulatedDeployer>;
  clock: VirtualClock;
} {
  const clock = options.clock ?? createVirtualClock();
  const release = scenario.release as { previous_release_tag?: unknown; service?: unknown };
  const repoUrl =
    scenario.repository.url ??
    `https://git.example.com/acme/${typeof release.service === "string" ? release.service : "service"}`;
  const changes: ChangeRecord[] = scenario.repository.pull_requests.map((pr) => ({
    number: pr.number,
    title: pr.title,
    url: `${repoUrl}/pull/${pr.number}`,
    author: pr.author,
    reviewers: pr.reviewers,
    labels: pr.labels,
    mergedAt: new Date(Date.parse(pr.merged_at)).toISOString(),
    mergeSha: pr.merge_sha ?? fakeSha(pr.number),
    files: pr.files,
  }));
  const deployer = createSimulatedDeployer({
    stableVersion:
      scenario.deploy.stable_version ??
      (typeof release.previous_release_tag === "string" ? release.previous_release_tag : "v0.0.0"),
    rollbackFails: scenario.deploy.rollback_fails,
    preflightProblems: scenario.deploy.preflight_problems,
    failAtWeight: scenario.deploy.fail_at_weight,
  });
  const environmentDeployers: Record<string, SimulatedDeployer> = {};
  const environments: Record<string, EnvironmentStack> = {};
  for (const [name, env] of Object.entries(scenario.environments ?? {})) {
    const envDeployer = createSimulatedDeployer({
      stableVersion:
        env.deploy.stable_version ??
        (typeof release.previous_release_tag === "string"
          ? release.previous_release_tag
          : "v0.0.0"),
      rollbackFails: env.deploy.rollback_fails,
      preflightProblems: env.deploy.preflight_problems,
      failAtWeight: env.deploy.fail_at_weight,
    });
    environmentDeployers[name] = envDeployer;
    environments[name] = {
      deployer: envDeployer,
      slo: createSimulatedSloSource(envDeployer, env.metrics),
      ...(options.environmentLocks?.[name] ? { lock: options.environmentLocks[name] } : {}),
      ...(env.smoke
        ? {
            smokeChecks: [
              createFakeSmokeCheck({
                name: `healthz-${name}`,
                failIn: env.smoke.fail_in,
                failAtWeights: env.smoke.fail_at_weights,
              }),
            ],
          }
        : {}),
    };
  }
  const artifacts = options.artifacts ?? createMemoryArtifactStore();
  const stack: ReleaseStack = {
    sourceControl: createFakeSourceControl({
      releaseBranch: scenario.repository.release_branch,
      tags: scenario.repository.tags,
      offBranchCommits: scenario.repository.off_branch_commits,
      missingCommits: scenario.repository.missing_commits,
      changes,
    }),
    ci: createFakeCiProvider({
      clock,
      checks: scenario.ci.checks.map((c) => ({
        name: c.name,
        conclusion: c.conclusion,
        status: c.status,
        completeAfterMinutes: c.complete_after_minutes,
        required: c.required,
      })),
    }),
    deployer,
    slo: createSimulatedSloSource(deployer, scenario.metrics),
    changelog: createMarkdownChangelogRenderer(),
    lock: createMemoryReleaseLock(options.lockBackend ?? createMemoryLockBackend()),
    clock,
    artifacts,
    approvals: scenario.approvals.length
      ? createFakeApprovalGate(scenario.approvals, clock)
      : undefined,
    smokeChecks: scenario.smoke
      ? [
          createFakeSmokeCheck({
            name: "healthz",
            failIn: scenario.smoke.fail_in,
            failAtWeights: scenario.smoke.fail_at_weights,
          }),
        ]
      : undefined,
    holder: { host: "simulator", pid: 1 },
    ...(scenario.environments ? { environments } : {}),
    ...options.overrides,
  };
  return { stack, deployer, environments: environmentDeployers, clock };
}

/** Compares an outcome with a scenario's `expect`. */
export function checkExpectation(
  scenario: Scenario,
  outcome: ReleaseOutcome,
  tagged: boolean,
  events: readonly ReleaseEvent[] = [],
): { passed: boolean; failures: string[] } {
  const e = scenario.expect;
  const failures: string[] = [];
  if (!e) return { passed: true, failures };
  const compare = (what: string, want: unknown, got: unknown) => {
    if (want !== undefined && want !== got)
      failures.push(`${what}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  };
  compare("status", e.status, outcome.status);
  compare("exit_code", e.exit_code, outcome.exitCode);
  compare("max_weight_reached", e.max_weight_reached, outcome.maxWeightReached);
  compare("reason", e.reason, outcome.reason);
  compare("rolled_back", e.rolled_back, outcome.rolledBack);
  compare("rollback_verified", e.rollback_verified, outcome.rollbackVerified);
  compare("incident", e.incident, outcome.paths.incident !== null);
  compare("tagged", e.tagged, tagged);
  for (const [name, want] of Object.entries(e.environments ?? {})) {
    const got = outcome.environments?.find((x) => x.name === name);
    if (!got) {
      failures.push(`environments.${name}: not in the outcome`);
      continue;
    }
    compare(`environments.${name}.state`, want.state, got.state);
    compare(
      `environments.${name}.max_weight_reached`,
      want.max_weight_reached,
      got.maxWeightReached,
    );
    compare(`environments.${name}.rolled_back`, want.rolled_back, got.rolledBack);
    compare(`environments.${name}.rollback_verified`, want.rollback_verified, got.rollbackVerified);
  }
  if (e.rollback_order) {
    const order = events.flatMap((x) =>
      x.type === "rollback.started" && x.environment ? [x.environment] : [],
    );
    compare("rollback_order", JSON.stringify(e.rollback_order), JSON.stringify(order));
  }
  return { passed: failures.length === 0, failures };
}

/**
 * Runs a scenario on the virtual clock and checks its `expect`. Fails (rejects) only for
 * a scenario that is not valid; every release failure is an outcome.
 *
 * @example
 * ```ts
 * const result = await runScenario({ release: {...}, ci: { checks: [{ name: "unit", conclusion: "success" }] },
 *   metrics: { "25": { error_rate: 0.05, p95_latency_ms: 120 }, default: { error_rate: 0, p95_latency_ms: 100 } },
 *   expect: { status: "ABORTED", max_weight_reached: 25 } });
 * expect(result.expectation.passed).toBe(true);
 * ```
 */
export async function runScenario(
  input: ScenarioInput | Scenario,
  options: RunScenarioOptions = {},
): Promise<ScenarioResult> {
  const parsed = scenarioSchema.safeParse(input);
  if (!parsed.success) throw zodToShipgateError(parsed.error, "", "scenario");
  const scenario = parsed.data;
  const { stack, deployer, environments } = buildScenarioStack(scenario, options);
  const events: ReleaseEvent[] = [];
  const orchestrator = createReleaseOrchestrator(stack);
  const version = (scenario.release as { version?: unknown }).version;
  const tagsBefore = typeof version === "string" && scenario.repository.tags[version] !== undefined;
  const outcome = await orchestrator.release(scenario.release, {
    dryRun: scenario.dry_run,
    signal: options.signal,
    onEvent: (event) => {
      events.push(event);
      options.onEvent?.(event);
    },
  });
  const tagged = !tagsBefore && events.some((e) => e.type === "tag.created");
  return {
    name: scenario.name ?? "scenario",
    outcome,
    events,
    artifacts: stack.artifacts,
    deployer,
    environments,
    stack,
    expectation: checkExpectation(scenario, outcome, tagged, events),
  };
}
