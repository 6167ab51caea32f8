/**
 * One release, end to end, through every adapter shipgate ships — each pointed at its own
 * local emulator on 127.0.0.1 with fake credentials:
 *
 * - GitHub (source control, CI checks, incident issues) ← `@shipgate/ci-github/testing`
 * - Kubernetes + Argo Rollouts controller (deployer, Lease lock) ← deploy-kubernetes' test cluster
 * - Slack incoming webhook (notifier) ← notify-slack's emulator
 * - PagerDuty Events API v2 (incident sink) ← incident-pagerduty's emulator
 *
 * Only the SLO source is written here: it reads the canary weight from the real deployer
 * (so from the emulated cluster) and reports a breach at the weight the test picks.
 * The orchestrator runs on a virtual clock; the Kubernetes waits are real (and short).
 */

import { createGitHubProvider } from "@shipgate/ci-github";
import { type GitHubEmulator, startGitHubEmulator } from "@shipgate/ci-github/testing";
import {
  createMarkdownChangelogRenderer,
  createReleaseOrchestrator,
  type Deployer,
  type DeployTarget,
  type ReleaseEvent,
  type ReleaseOutcome,
  type ReleaseSpecInput,
  readingOf,
  type SloSource,
} from "@shipgate/core";
import { createMemoryArtifactStore, createVirtualClock } from "@shipgate/core/testing";
import {
  createArgoRolloutDeployer,
  createKubernetesLeaseLock,
  leaseNameFor,
} from "@shipgate/deploy-kubernetes";
// The Kubernetes, Slack and PagerDuty emulators are not part of their packages' public
// exports; this example imports them from source, as those packages' own tests do.
import {
  eventually,
  rolloutFixture,
  startTestCluster,
  TEST_NAMESPACE,
  type TestCluster,
} from "@shipgate/deploy-kubernetes/testing";
import { createPagerDutyIncidentSink } from "@shipgate/incident-pagerduty";
import { createSlackWebhookNotifier } from "@shipgate/notify-slack";
import { afterEach, describe, expect, it } from "vitest";
import {
  type PagerDutyEmulator,
  startPagerDutyEmulator,
} from "../../../packages/incident-pagerduty/src/testing/pagerduty-emulator.js";
import {
  type SlackEmulator,
  startSlackEmulator,
} from "../../../packages/notify-slack/src/testing/slack-emulator.js";

const TOKEN = "test-token-not-real";
const REPO = "registry.example.com/acme/shop";
const SERVICE = "shop";
const ENVIRONMENT = "production";
const OLD_IMAGE = `${REPO}:v1.3.0`;
const NEW_IMAGE = `${REPO}:v1.4.0`;
const fastRetry = { maxRetries: 2, minBackoffMs: 1, maxBackoffMs: 5, maxRetryAfterMs: 1_000 };

interface SeededPr {
  number: number;
  title: string;
}

/** Everything one release talks to, freshly started. */
interface World {
  gh: GitHubEmulator;
  cluster: TestCluster;
  slack: SlackEmulator;
  pd: PagerDutyEmulator;
  prs: SeededPr[];
  /** The PR the suspect ranking must name (breaking feat touching code and a migration). */
  culprit: SeededPr;
  releaseSha: string;
  close(): Promise<void>;
}

async function startWorld(): Promise<World> {
  const [gh, cluster, slack, pd] = await Promise.all([
    startGitHubEmulator({ acceptToken: TOKEN, validateResponses: true }),
    startTestCluster(),
    startSlackEmulator(),
    startPagerDutyEmulator(),
  ]);

  // GitHub: main with the previous release tagged v1.3.0, then five merged PRs.
  const r = gh.repository;
  r.push("main", { message: "initial commit", files: ["README.md"] });
  const previous = r.push("main", { message: "release prep", files: ["src/app.ts"] });
  r.tag("v1.3.0", previous, { annotated: true, message: "Release v1.3.0\n" });
  const merge = (input: Parameters<typeof r.mergePullRequest>[0]): SeededPr => ({
    number: r.mergePullRequest(input).number,
    title: input.title,
  });
  const prs = [
    merge({
      title: "feat(search): add fuzzy product search",
      author: "alice",
      reviews: [{ user: "bob" }],
      files: ["src/search/fuzzy.ts"],
    }),
    merge({
      title: "fix(cart): round totals half-even",
      author: "bob",
      reviews: [{ user: "alice" }],
      files: ["src/cart/total.ts"],
      method: "merge",
      commits: 2,
    }),
    merge({
      title: "feat(payments)!: switch to the new payment gateway",
      author: "dave",
      labels: ["enhancement"],
      reviews: [{ user: "carol" }],
      files: ["src/payments/gateway.ts", "src/db/migrations/0042_gateway.sql"],
    }),
    merge({
      title: "docs: describe the checkout flow",
      author: "carol",
      labels: ["documentation"],
      files: ["docs/checkout.md"],
    }),
    merge({
      title: "chore(ci): cache the pnpm store",
      author: "erin",
      files: [".github/workflows/ci.yml"],
    }),
  ];
  const releaseSha = r.branchHead("main")!;
  r.addCheckRun(releaseSha, { name: "build" });
  r.addCheckRun(releaseSha, { name: "test" });
  r.protect("main", ["build", "test"]);

  // Kubernetes: the Rollout serving v1.3.0, healthy.
  cluster.emulator.apply(
    "rollouts",
    rolloutFixture({ name: SERVICE, image: OLD_IMAGE, trafficRouting: true }),
  );
  await eventually(
    () => cluster.emulator.get("rollouts", TEST_NAMESPACE, SERVICE)?.status?.phase === "Healthy",
  );

  return {
    gh,
    cluster,
    slack,
    pd,
    prs,
    culprit: prs[2]!,
    releaseSha,
    close: async () => {
      await Promise.all([gh.close(), cluster.close(), slack.close(), pd.close()]);
    },
  };
}

/**
 * A user's SloSource: asks the real deployer for the canary's weight and reports a bad
 * error rate and latency while it equals `breachAt` (healthy otherwise).
 */
function weightDrivenSlo(
  deployer: Deployer,
  sha: string,
  breachAt: number | null,
): SloSource & { seenWeights: number[] } {
  const seenWeights: number[] = [];
  return {
    name: "weight-driven",
    // It answers by weight, not by track: there is no separate stable reading to compare with.
    splitsByTrack: false,
    seenWeights,
    measure(query, options) {
      const target: DeployTarget = {
        service: query.service,
        environment: query.environment,
        version: query.version,
        sha,
      };
      return deployer.status(target, options).map((status) => {
        seenWeights.push(status.canaryWeight);
        const breach = status.canaryWeight === breachAt;
        return {
          errorRate: readingOf(breach ? 0.083 : 0.002),
          p95LatencyMs: readingOf(breach ? 410 : 120),
          sampleCount: 1_200,
          queries: [`deployer.status(${query.service}) weight=${status.canaryWeight}`],
        };
      });
    },
  };
}

interface Run {
  outcome: ReleaseOutcome;
  events: ReleaseEvent[];
  files: Map<string, string>;
  deployer: Deployer;
  slo: ReturnType<typeof weightDrivenSlo>;
  /** The Lease as stored in the cluster when the orchestrator reported the lock taken. */
  leaseWhileHeld: Record<string, unknown> | undefined;
}

async function release(world: World, breachAt: number | null): Promise<Run> {
  const github = createGitHubProvider({
    owner: "acme",
    repo: "shop",
    token: TOKEN,
    tokenEnv: "GITHUB_TOKEN",
    baseUrl: world.gh.url,
    releaseBranch: "main",
    requestTimeoutMs: 2_000,
    timing: { rateLimitSecondMs: 1, retryBaseMs: 1, writeIntervalMs: 0, notificationIntervalMs: 0 },
  });
  const deployer = createArgoRolloutDeployer({
    clients: world.cluster.clients,
    nameTemplate: "{{service}}",
    image: { repository: REPO },
    canarySteps: [5, 25, 100],
    stepTimeoutMs: 5_000,
  });
  const lock = createKubernetesLeaseLock({
    clients: world.cluster.clients,
    leaseDurationSeconds: 60,
  });
  const artifacts = createMemoryArtifactStore();
  const slo = weightDrivenSlo(deployer, world.releaseSha, breachAt);
  const events: ReleaseEvent[] = [];
  let leaseWhileHeld: Record<string, unknown> | undefined;

  const spec: ReleaseSpecInput = {
    environment: ENVIRONMENT,
    service: SERVICE,
    version: "v1.4.0",
    sha: world.releaseSha,
    previous_release_tag: "v1.3.0",
    canary_steps: [5, 25, 100],
    slo: { error_rate_max: 0.01, p95_latency_ms: 300, window_minutes: 2 },
    policy: { poll_interval_seconds: 60 },
  };
  try {
    const outcome = await createReleaseOrchestrator({
      sourceControl: github.sourceControl,
      ci: github.ci,
      deployer,
      slo,
      changelog: createMarkdownChangelogRenderer(),
      lock,
      clock: createVirtualClock(),
      artifacts,
      incidents: [
        github.incidents,
        createPagerDutyIncidentSink({
          routingKey: world.pd.routingKey,
          baseUrl: world.pd.url,
          stateFile: null,
          retry: fastRetry,
        }),
      ],
      notifiers: [createSlackWebhookNotifier({ url: world.slack.webhookUrl, retry: fastRetry })],
      holder: { host: "e2e-runner", pid: 4242 },
    }).release(spec, {
      onEvent: (event) => {
        events.push(event);
        if (event.type === "lock.acquired") {
          leaseWhileHeld = world.cluster.emulator.get(
            "leases",
            TEST_NAMESPACE,
            leaseNameFor(SERVICE),
          );
        }
      },
    });
    return { outcome, events, files: artifacts.files, deployer, slo, leaseWhileHeld };
  } finally {
    lock.close();
  }
}

const KIND_BY_EMOJI: Record<string, string> = {
  ":rocket:": "release_started",
  ":large_green_circle:": "step_passed",
  ":white_check_mark:": "release_succeeded",
  ":rotating_light:": "release_aborted",
  ":no_entry:": "release_blocked",
  ":x:": "release_failed",
};

/** What Slack received, as `kind` (and `kind@weight` for canary steps), from each header. */
function slackKinds(slack: SlackEmulator): string[] {
  return slack.messages.map((m) => {
    const header = (m.blocks?.[0] as { type: string; text: { text: string } } | undefined)?.text
      .text;
    const [emoji = ""] = (header ?? "").split(" ");
    const kind = KIND_BY_EMOJI[emoji] ?? `unknown(${header})`;
    const weight = /Canary (\d+)% passed/.exec(header ?? "")?.[1];
    return weight ? `${kind}@${weight}` : kind;
  });
}

function rolloutOf(world: World) {
  const ro = world.cluster.emulator.get("rollouts", TEST_NAMESPACE, SERVICE);
  if (!ro) throw new Error("the Rollout vanished from the emulator");
  const spec = ro.spec as { template: { spec: { containers: { image: string }[] } } };
  const status = ro.status as {
    phase?: string;
    abort?: boolean;
    stableRS?: string;
    currentPodHash?: string;
    canary?: { weights?: { canary: { weight: number } } };
  };
  return { image: spec.template.spec.containers[0]!.image, status };
}

/** The `## Changelog` section of a release report. */
function changelogSection(report: string): string {
  const start = report.indexOf("## Changelog");
  expect(start).toBeGreaterThanOrEqual(0);
  const rest = report.slice(start + "## Changelog".length);
  const end = rest.search(/\n## (?!v\d)/);
  return end === -1 ? rest : rest.slice(0, end);
}

/** What the deployer itself reports for the release's target now. */
async function deploymentStatus(deployer: Deployer, world: World) {
  const target = {
    service: SERVICE,
    environment: ENVIRONMENT,
    version: "v1.4.0",
    sha: world.releaseSha,
  };
  return (await deployer.status(target, { signal: AbortSignal.timeout(5_000) }))._unsafeUnwrap();
}

describe("a release through GitHub, Kubernetes (Argo Rollouts), Slack and PagerDuty emulators", () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it("goes live: v1.4.0 tagged, promoted to stable, announced, lock released, changelog reported", async () => {
    world = await startWorld();
    const w = world;
    const { outcome, events, files, deployer, slo, leaseWhileHeld } = await release(w, null);

    expect(outcome, outcome.summary).toMatchObject({
      status: "SUCCESS",
      reason: "released",
      exitCode: 0,
      maxWeightReached: 100,
      rolledBack: false,
      rollbackVerified: null,
      version: "v1.4.0",
      service: SERVICE,
    });
    expect(outcome.warnings).toEqual([]);
    expect(events.filter((e) => e.type === "canary.step.passed").map((e) => e.weight)).toEqual([
      5, 25, 100,
    ]);
    // The SLO source saw the weights the cluster really had: each canary step, then 0 once promoted.
    expect(new Set(slo.seenWeights)).toEqual(new Set([5, 25, 100, 0]));

    // Kubernetes: the new image is the Rollout's stable version, nothing in flight.
    const ro = rolloutOf(w);
    expect(ro.image).toBe(NEW_IMAGE);
    expect(ro.status.phase).toBe("Healthy");
    expect(ro.status.abort).not.toBe(true);
    expect(ro.status.stableRS).toBe(ro.status.currentPodHash);
    expect(await deploymentStatus(deployer, w)).toMatchObject({
      phase: "healthy",
      canaryWeight: 0,
      stableVersion: "v1.4.0",
      canaryVersion: null,
    });

    // GitHub: an annotated tag — a tag object and its ref — on the release sha.
    const repo = w.gh.repository;
    const tagRef = repo.refs.get("refs/tags/v1.4.0");
    expect(tagRef).toBeDefined();
    expect(tagRef).not.toBe(w.releaseSha); // a tag object, not a lightweight tag
    expect(repo.tagObjects.get(tagRef!)).toMatchObject({
      tag: "v1.4.0",
      objectSha: w.releaseSha,
      objectType: "commit",
      message: expect.stringContaining("Release v1.4.0 of shop to production"),
    });
    expect(repo.resolveCommit("v1.4.0")).toBe(w.releaseSha);
    expect([...repo.issues.values()]).toEqual([]); // no incident

    // Slack: started, each step, succeeded — in that order, nothing else.
    expect(slackKinds(w.slack)).toEqual([
      "release_started",
      "step_passed@5",
      "step_passed@25",
      "step_passed@100",
      "release_succeeded",
    ]);
    expect(w.slack.requests.every((r) => r.status === 200)).toBe(true);
    const succeeded = JSON.stringify(w.slack.messages[4]!.blocks);
    expect(succeeded).toContain(`#${w.culprit.number}`); // the changelog lines in the message

    // The Lease: held by this run during the release, gone afterwards.
    expect(leaseWhileHeld?.spec).toMatchObject({
      holderIdentity: expect.stringMatching(/^e2e-runner-4242-/),
      leaseDurationSeconds: 60,
    });
    expect(w.cluster.emulator.get("leases", TEST_NAMESPACE, leaseNameFor(SERVICE))).toBeUndefined();

    // PagerDuty: nothing paged (only the resolve of a possibly open alert, which it drops).
    expect(w.pd.events.filter((e) => e.event_action === "trigger")).toEqual([]);
    expect(w.pd.openAlerts()).toEqual([]);

    // The report lists every PR GitHub returned, by number, in its changelog section.
    expect(outcome.paths.report).toBe("devops/reports/release-v1.4.0.md");
    const report = files.get(outcome.paths.report!)!;
    expect(report).toBeDefined();
    const changelog = changelogSection(report);
    for (const pr of w.prs) expect(changelog).toContain(`#${pr.number}`);
    const prsInRelease = JSON.parse(files.get("devops/status/prs-in-release.json")!) as {
      total: number;
      groups: Record<string, { number: number }[]>;
    };
    expect(prsInRelease.total).toBe(w.prs.length);
    expect(
      Object.values(prsInRelease.groups)
        .flat()
        .map((c) => c.number)
        .sort((a, b) => a - b),
    ).toEqual(w.prs.map((p) => p.number).sort((a, b) => a - b));
    expect(outcome.paths.incident).toBeNull();
    expect(w.cluster.emulator.violations).toEqual([]);
    expect(w.gh.specViolations).toEqual([]);
  });

  it("breaches at 25%: rolled back to v1.3.0, GitHub issue names the culprit, PagerDuty paged", async () => {
    world = await startWorld();
    const w = world;
    const { outcome, events, files, deployer, slo } = await release(w, 25);

    expect(outcome, outcome.summary).toMatchObject({
      status: "ABORTED",
      reason: "slo_breach",
      exitCode: 3,
      maxWeightReached: 25,
      rolledBack: true,
      rollbackVerified: true,
    });
    // The default (statistical) judge: with no stable track to compare with, the objective
    // is the ceiling, and 100 errors in 1,200 requests is over it beyond chance.
    expect(outcome.summary).toMatch(
      /error rate 8\.33% over 1,200 canary requests \(this step\): over the 1\.00% objective beyond chance \(evidence ×[\d.e+]+ ≥ ×1000\)/,
    );
    expect(events.filter((e) => e.type === "canary.breach").map((e) => e.weight)).toEqual([25]);
    expect(slo.seenWeights).toEqual([5, 5, 25]); // two polls at 5%, the first at 25% breached

    // Kubernetes: back on the old image as stable, no canary traffic, not left aborted.
    const ro = rolloutOf(w);
    expect(ro.image).toBe(OLD_IMAGE);
    expect(ro.status.phase).toBe("Healthy");
    expect(ro.status.abort).not.toBe(true);
    expect(ro.status.stableRS).toBe(ro.status.currentPodHash);
    expect(ro.status.canary?.weights?.canary.weight ?? 0).toBe(0);
    expect(await deploymentStatus(deployer, w)).toMatchObject({
      phase: "healthy",
      canaryWeight: 0,
      stableVersion: "v1.3.0",
      canaryVersion: null,
    });

    // GitHub: one labelled incident issue, naming the breaking payments PR as likely culprit.
    const issues = [...w.gh.repository.issues.values()];
    expect(issues).toHaveLength(1);
    const issue = issues[0]!;
    expect(issue.labels).toEqual(["incident", "shipgate"]);
    expect(issue.state).toBe("open");
    expect(issue.title).toContain("shop v1.4.0 rolled back in production");
    const culpritLine = issue.body!.split("\n").find((line) => line.includes("**likely culprit**"));
    expect(culpritLine).toContain(`#${w.culprit.number}`);
    expect(culpritLine).toContain("switch to the new payment gateway");
    for (const pr of w.prs.filter((p) => p !== w.culprit)) {
      expect(culpritLine).not.toContain(`#${pr.number}]`);
    }

    // PagerDuty: one trigger, deduplicated per service and environment.
    const triggers = w.pd.events.filter((e) => e.event_action === "trigger");
    expect(triggers).toHaveLength(1);
    expect(triggers[0]).toMatchObject({
      dedup_key: `shipgate/${SERVICE}/${ENVIRONMENT}`,
      routing_key: w.pd.routingKey,
    });
    expect(w.pd.alert(`shipgate/${SERVICE}/${ENVIRONMENT}`)?.status).toBe("triggered");

    // The file incident, in the artifact store, naming the same culprit.
    expect(outcome.paths.incident).toMatch(/^incidents\//);
    const incidentFile = files.get(outcome.paths.incident!);
    expect(incidentFile).toBeDefined();
    expect(incidentFile).toContain(`#${w.culprit.number}`);
    expect(outcome.paths.all).toContain(outcome.paths.incident);
    expect(
      events
        .filter((e) => e.type === "incident.opened")
        .map((e) => e.sink)
        .sort(),
    ).toEqual(["file", "github-issues", "pagerduty"].sort());

    // Slack: started, the 5% step, then the rollback with the incident.
    expect(slackKinds(w.slack)).toEqual(["release_started", "step_passed@5", "release_aborted"]);

    // The tag was made before the canary (it names what was tried); the lock is released.
    expect(w.gh.repository.resolveCommit("v1.4.0")).toBe(w.releaseSha);
    expect(w.cluster.emulator.get("leases", TEST_NAMESPACE, leaseNameFor(SERVICE))).toBeUndefined();
    expect(outcome.paths.report).toBe("devops/reports/release-v1.4.0.md");
    expect(files.get(outcome.paths.report!)).toContain("ABORTED");
    expect(w.slack.requests.every((r) => r.status === 200)).toBe(true);
    expect(w.cluster.emulator.violations).toEqual([]);
    expect(w.gh.specViolations).toEqual([]);
  });
});
