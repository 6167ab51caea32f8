import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { readFrontMatter } from "../artifacts/front-matter.js";
import type { Notifier } from "../contracts/notifier.js";
import { ShipgateError } from "../errors/shipgate-error.js";
import {
  createMemoryArtifactStore,
  type MemoryArtifactStore,
} from "../testing/fakes/memory-artifact-store.js";
import { createMemoryIncidentSink } from "../testing/fakes/memory-incident-sink.js";
import { createMemoryNotifier } from "../testing/fakes/memory-notifier.js";
import { createMemoryLockBackend } from "../testing/fakes/memory-release-lock.js";
import { runScenario } from "../testing/run-scenario.js";
import type { weightMetricsSchema } from "../testing/scenario.js";
import { baseScenario, RELEASED_ALL_THE_WAY, SHA } from "../testing/test-scenarios.js";

const files = (store: unknown) => (store as MemoryArtifactStore).files;

/** The base scenario with `metrics` at one canary weight; every other weight is clean. */
const metricsAt = (
  weight: string,
  metrics: z.input<typeof weightMetricsSchema>,
  p95LatencyMs = 100,
) =>
  baseScenario({
    metrics: { [weight]: metrics, default: { error_rate: 0, p95_latency_ms: p95LatencyMs } },
  });

describe("release orchestrator: success", () => {
  it("gates, tags, walks 5 → 25 → 100, stabilizes, writes changelog, report and status files", async () => {
    const lockBackend = createMemoryLockBackend();
    const r = await runScenario(baseScenario(), { lockBackend });
    expect(r.outcome).toMatchObject(RELEASED_ALL_THE_WAY);
    expect(r.deployer.state.history).toEqual([5, 25, 100]);
    expect(r.deployer.state.stableVersion).toBe("v1.4.0");
    expect(
      r.events.filter((e) => e.type === "canary.poll" && e.phase === "stabilization"),
    ).toHaveLength(10);
    expect(r.events.some((e) => e.type === "stabilization.passed")).toBe(true);
    expect(r.events.map((e) => e.type)).toContain("tag.created");
    const f = files(r.artifacts);
    expect(JSON.parse(f.get("devops/status/ci-green.json")!)).toMatchObject({
      version: "v1.4.0",
      sha: SHA,
    });
    const deploy = JSON.parse(f.get("devops/status/deploy-result.json")!);
    expect(
      deploy.releases[0].steps.map(
        (s: { weight: number; phase: string; verdict: string }) =>
          `${s.phase}:${s.weight}:${s.verdict}`,
      ),
    ).toEqual([
      "canary:5:passed",
      "canary:25:passed",
      "canary:100:passed",
      "stabilization:100:passed",
    ]);
    expect(deploy.releases[0].steps[0].error_rate).toBe(0.002);
    const prs = JSON.parse(f.get("devops/status/prs-in-release.json")!);
    expect(prs.groups.feat.map((p: { number: number }) => p.number)).toEqual([11]);
    expect(prs.groups.fix[0]).toMatchObject({
      number: 12,
      breaking: true,
      author: "carol",
      reviewers: ["alice"],
    });
    expect(r.outcome.paths.report).toBe("devops/reports/release-v1.4.0.md");
    const report = f.get("devops/reports/release-v1.4.0.md")!;
    expect(readFrontMatter(report)).toMatchObject({
      version: "v1.4.0",
      sha: SHA,
      environment: "production",
      service: "shop",
      status: "SUCCESS",
    });
    for (const line of [
      "## CI gate",
      "## Deploy",
      "## Rollback",
      "## Changelog",
      "## Dashboards",
      "## Sign-off",
      "## Duration",
      "## Deploy note",
      "## Verification evidence",
      "| step | started | ended | error_rate | p95 | result |",
      "| 25% |",
      "https://git.example.com/acme/shop/pull/11",
    ])
      expect(report).toContain(line);
    expect(lockBackend.holders.size).toBe(0);
  });

  it("waits the whole window at each step on the clock (10 polls of 1 minute)", async () => {
    const r = await runScenario(baseScenario());
    const polls = r.events.filter((e) => e.type === "canary.poll" && e.weight === 5);
    expect(polls).toHaveLength(10);
    const started = Date.parse(r.outcome.startedAt);
    const ended = Date.parse(r.outcome.endedAt);
    expect(ended - started).toBe(4 * 10 * 60_000);
  });

  it("reuses the tag of an earlier attempt on the same sha, and writes the next -retryN report", async () => {
    const artifacts = createMemoryArtifactStore();
    const first = await runScenario(metricsAt("25", { error_rate: 0.2, p95_latency_ms: 100 }), {
      artifacts,
    });
    expect(first.outcome.status).toBe("ABORTED");
    const retry = await runScenario(
      baseScenario({
        repository: {
          ...baseScenario().repository,
          tags: { "v1.3.0": "1".repeat(40), "v1.4.0": SHA },
        },
      }),
      { artifacts },
    );
    expect(retry.outcome.status).toBe("SUCCESS");
    expect(retry.events.some((e) => e.type === "tag.reused")).toBe(true);
    expect(retry.outcome.paths.report).toBe("devops/reports/release-v1.4.0-retry1.md");
    expect(files(artifacts).get("devops/reports/release-v1.4.0.md")).toContain("status: ABORTED");
  });

  it("a rerun of a release that went live deploys nothing: exit 0, already_live, report written", async () => {
    const artifacts = createMemoryArtifactStore();
    const first = await runScenario(baseScenario(), { artifacts });
    expect(first.outcome.status).toBe("SUCCESS");
    const rerun = await runScenario(
      baseScenario({
        repository: {
          ...baseScenario().repository,
          tags: { "v1.3.0": "1".repeat(40), "v1.4.0": SHA },
        },
        deploy: { stable_version: "v1.4.0" },
      }),
      { artifacts },
    );
    expect(rerun.outcome).toMatchObject({
      status: "SUCCESS",
      reason: "already_live",
      exitCode: 0,
      maxWeightReached: 0,
      rolledBack: false,
    });
    expect(rerun.outcome.summary).toBe(
      "shop v1.4.0 is already live in production: nothing to deploy",
    );
    expect(rerun.deployer.state.history).toEqual([]);
    expect(rerun.events.some((e) => e.type === "tag.reused" || e.type === "tag.created")).toBe(
      false,
    );
    expect(rerun.outcome.paths.report).toBe("devops/reports/release-v1.4.0-retry1.md");
    expect(readFrontMatter(files(artifacts).get(rerun.outcome.paths.report!)!)?.reason).toBe(
      "already_live",
    );
  });

  it("reports the drift against the previous release's report", async () => {
    const artifacts = createMemoryArtifactStore({
      "devops/reports/release-v1.3.0.md":
        "---\nversion: v1.3.0\nstatus: SUCCESS\nstarted: 2026-01-01T10:00:00.000Z\nended: 2026-01-01T10:30:00.000Z\n---\n# old\n",
    });
    const r = await runScenario(baseScenario(), { artifacts });
    const report = files(artifacts).get(r.outcome.paths.report!)!;
    expect(report).toContain(
      "Drift against v1.3.0 (devops/reports/release-v1.3.0.md, SUCCESS, 30m 00s): +10m 00s.",
    );
  });
});

/** A scenario whose one check, e2e, is still running and passes after `minutes`. */
const e2eStillRunning = (minutes: number, release?: Record<string, unknown>) =>
  baseScenario({
    ci: {
      checks: [
        {
          name: "e2e",
          conclusion: "success",
          status: "in_progress",
          complete_after_minutes: minutes,
        },
      ],
    },
    ...(release ? { release } : {}),
  });

describe("release orchestrator: CI gate", () => {
  it("blocks on a red check: exit 2, nothing tagged or deployed, report says Blocked", async () => {
    const r = await runScenario(
      baseScenario({
        ci: {
          checks: [
            { name: "unit", conclusion: "failure" },
            { name: "lint", conclusion: "success" },
          ],
        },
      }),
    );
    expect(r.outcome).toMatchObject({ status: "BLOCKED", exitCode: 2, reason: "ci_red" });
    expect(r.outcome.summary).toContain("unit (failure)");
    expect(r.events.some((e) => e.type === "tag.created")).toBe(false);
    expect(r.deployer.state.history).toEqual([]);
    const f = files(r.artifacts);
    expect(f.has("devops/status/ci-green.json")).toBe(false);
    expect(f.get("devops/reports/release-v1.4.0.md")).toContain("**Blocked**");
  });

  it("blocks when there are no checks at all, unless the policy allows it", async () => {
    const none = await runScenario(baseScenario({ ci: { checks: [] } }));
    expect(none.outcome).toMatchObject({ status: "BLOCKED", exitCode: 2 });
    const allowed = await runScenario(
      baseScenario({ ci: { checks: [] }, release: { policy: { allow_no_checks: true } } }),
    );
    expect(allowed.outcome.status).toBe("SUCCESS");
  });

  it("waits for checks still running and goes on when they pass", async () => {
    const r = await runScenario(e2eStillRunning(7));
    expect(r.outcome.status).toBe("SUCCESS");
    expect(r.events.filter((e) => e.type === "ci.waiting").length).toBeGreaterThanOrEqual(14);
  });

  it("blocks when checks are still running after the CI timeout", async () => {
    const r = await runScenario(e2eStillRunning(90, { policy: { ci_timeout_minutes: 20 } }));
    expect(r.outcome).toMatchObject({ status: "BLOCKED", reason: "ci_timeout", exitCode: 2 });
    expect(r.deployer.state.history).toEqual([]);
  });

  it("does not let an optional failing check block, but records it", async () => {
    const r = await runScenario(
      baseScenario({
        ci: {
          checks: [
            { name: "unit", conclusion: "success" },
            { name: "flaky-perf", conclusion: "failure", required: false },
          ],
        },
      }),
    );
    expect(r.outcome.status).toBe("SUCCESS");
    expect(r.outcome.warnings.join("\n")).toContain("flaky-perf");
  });
});

describe("release orchestrator: canary and rollback", () => {
  const breachAt25 = {
    "25": { error_rate: 0.041, p95_latency_ms: 120 },
    default: { error_rate: 0.001, p95_latency_ms: 110 },
  };

  it("rolls back on a breach at 25%: exit 3, never reaches 100, incident with the likely culprit, no changelog", async () => {
    const r = await runScenario(baseScenario({ metrics: breachAt25 }));
    expect(r.outcome).toMatchObject({
      status: "ABORTED",
      exitCode: 3,
      reason: "slo_breach",
      maxWeightReached: 25,
      rolledBack: true,
      rollbackVerified: true,
    });
    expect(r.outcome.summary).toBe("error rate 4.10% > 1.00% at 25%");
    expect(r.deployer.state.history).toEqual([5, 25]);
    expect(r.deployer.state.stableVersion).toBe("v1.3.0");
    const f = files(r.artifacts);
    expect(r.outcome.paths.incident).toBe("incidents/INC-2026-01-05-01.md");
    const incident = f.get("incidents/INC-2026-01-05-01.md")!;
    expect(incident).toContain("#12");
    expect(incident).toContain("error rate 4.10% > 1.00% at 25%");
    expect(f.has("devops/status/prs-in-release.json")).toBe(false);
    const report = f.get(r.outcome.paths.report!)!;
    expect(report).toContain("Skipped: the release did not complete.");
    expect(report).toMatch(/#12 \*\*likely culprit\*\*/);
  });

  it("fails fast: a breach at the first poll does not wait out the window", async () => {
    const r = await runScenario(metricsAt("5", { error_rate: [0.5], p95_latency_ms: 100 }));
    const polls = r.events.filter((e) => e.type === "canary.poll");
    expect(polls).toHaveLength(1);
    expect(r.outcome.maxWeightReached).toBe(5);
  });

  it("breaches on p95 latency too", async () => {
    const r = await runScenario(
      metricsAt("100", { error_rate: 0, p95_latency_ms: [100, 100, 450] }),
    );
    expect(r.outcome.status).toBe("ABORTED");
    expect(r.outcome.summary).toBe("p95 latency 450 ms > 300 ms at 100%");
    expect(r.deployer.state.stableVersion).toBe("v1.3.0");
  });

  it("fails closed on repeated no data", async () => {
    const r = await runScenario(metricsAt("5", { error_rate: null, p95_latency_ms: null }));
    expect(r.outcome).toMatchObject({ status: "ABORTED", maxWeightReached: 5 });
    expect(r.outcome.summary).toContain("failing closed");
    expect(r.events.filter((e) => e.type === "canary.poll")).toHaveLength(3);
  });

  it("fails closed when the window ends on no data, but tolerates a gap", async () => {
    const gap = await runScenario(
      metricsAt("5", { error_rate: [0, null, 0], p95_latency_ms: 100 }),
    );
    expect(gap.outcome.status).toBe("SUCCESS");
    const endsEmpty = await runScenario(
      metricsAt("5", { error_rate: [0, 0, 0, 0, 0, 0, 0, 0, 0, null], p95_latency_ms: 100 }),
    );
    expect(endsEmpty.outcome.status).toBe("ABORTED");
    expect(endsEmpty.outcome.summary).toContain("end of the window");
  });

  it("treats too few requests as no data", async () => {
    const r = await runScenario(
      baseScenario({ metrics: { default: { error_rate: 0, p95_latency_ms: 100, requests: 0 } } }),
    );
    expect(r.outcome.status).toBe("ABORTED");
    expect(r.outcome.summary).toContain("only 0 request(s)");
  });

  it("fails closed on repeated query errors and survives a single one", async () => {
    const one = await runScenario(
      metricsAt("5", { error_rate: 0, p95_latency_ms: 100, query_errors_at: [2] }),
    );
    expect(one.outcome.status).toBe("SUCCESS");
    const many = await runScenario(
      metricsAt("5", { error_rate: 0, p95_latency_ms: 100, query_errors_at: [1, 2, 3] }),
    );
    expect(many.outcome).toMatchObject({ status: "ABORTED", maxWeightReached: 5 });
    expect(many.outcome.summary).toContain("failed 3 times in a row");
  });

  it("compares the canary with the stable baseline when asked", async () => {
    const r = await runScenario(
      baseScenario({
        release: { baseline: { error_rate_max_delta: 0.002 } },
        metrics: {
          stable: { error_rate: 0.001, p95_latency_ms: 100 },
          default: { error_rate: 0.006, p95_latency_ms: 100 },
        },
      }),
    );
    expect(r.outcome.status).toBe("ABORTED");
    expect(r.outcome.summary).toContain("exceeds stable 0.10%");
  });

  it("rolls back after promotion when the stabilization window breaches", async () => {
    let polls100 = 0;
    const r = await runScenario(
      metricsAt("100", { error_rate: [...Array(10).fill(0), 0.3], p95_latency_ms: 100 }),
      {
        onEvent: (e) => {
          if (e.type === "canary.poll" && e.weight === 100) polls100++;
        },
      },
    );
    expect(r.events.some((e) => e.type === "promote.done")).toBe(true);
    expect(r.outcome).toMatchObject({
      status: "ABORTED",
      rolledBack: true,
      rollbackVerified: true,
    });
    expect(polls100).toBe(11);
    expect(r.deployer.state.stableVersion).toBe("v1.3.0");
  });

  it("reports a rollback that fails as not verified, loudly, with a critical incident", async () => {
    const incidents = createMemoryIncidentSink();
    const r = await runScenario(
      baseScenario({ metrics: breachAt25, deploy: { rollback_fails: true } }),
      { overrides: { incidents: [incidents] } },
    );
    expect(r.outcome).toMatchObject({ status: "ABORTED", exitCode: 3, rollbackVerified: false });
    expect(incidents.opened[0]).toMatchObject({ severity: "critical", rollbackVerified: false });
    const f = files(r.artifacts);
    expect(f.get(r.outcome.paths.report!)).toContain("ROLLBACK NOT VERIFIED");
    expect(f.get(r.outcome.paths.incident!)).toContain("ROLLBACK NOT VERIFIED");
  });

  it("treats a failing smoke check as a breach with its own reason", async () => {
    const r = await runScenario(baseScenario({ smoke: { fail_in: [], fail_at_weights: [25] } }));
    expect(r.outcome).toMatchObject({
      status: "ABORTED",
      reason: "smoke_failed",
      maxWeightReached: 25,
    });
    expect(r.outcome.summary).toContain("smoke check healthz failed at 25%");
    expect(r.events.filter((e) => e.type === "canary.poll" && e.weight === 25)).toHaveLength(0);
  });

  it("verifies a rollback with smoke checks: one failing only after rollback makes it unverified, and the incident says so", async () => {
    const r = await runScenario(
      baseScenario({
        metrics: breachAt25,
        smoke: { fail_in: ["after_rollback"], fail_at_weights: [] },
      }),
    );
    expect(r.outcome).toMatchObject({ status: "ABORTED", rollbackVerified: false });
    const incident = files(r.artifacts).get(r.outcome.paths.incident!)!;
    expect(incident).toContain("ROLLBACK NOT VERIFIED");
    expect(incident).toContain("smoke check healthz failed after rollback");
    expect(files(r.artifacts).get(r.outcome.paths.report!)).toContain(
      "smoke `healthz` after rollback: FAIL",
    );
  });

  it("rolls back when the deployer fails mid-canary and carries its error", async () => {
    const r = await runScenario(baseScenario({ deploy: { fail_at_weight: 25 } }));
    expect(r.outcome).toMatchObject({
      status: "ABORTED",
      reason: "deploy_error",
      rolledBack: true,
    });
    expect(r.outcome.error?.message).toContain("failed to set weight 25%");
    expect(files(r.artifacts).get(r.outcome.paths.report!)).toContain("failed to set weight 25%");
  });

  it("blocks on a failed deployer preflight before tagging", async () => {
    const r = await runScenario(
      baseScenario({ deploy: { preflight_problems: ["Rollout shop is paused"] } }),
    );
    expect(r.outcome).toMatchObject({ status: "BLOCKED", reason: "preflight_failed" });
    expect(r.events.some((e) => e.type === "tag.created")).toBe(false);
  });
});

describe("release orchestrator: validation", () => {
  it.each([
    [{ sha: "abc123" }, "sha"],
    [{ version: "1.4" }, "version"],
    [{ canary_steps: [5, 5, 100] }, "canary_steps.1"],
    [{ canary_steps: [5, 50] }, "canary_steps"],
    [
      { slo: { error_rate_max: "1%", p95_latency_ms: 300, window_minutes: 10 } },
      "slo.error_rate_max",
    ],
    [{ surprise: true }, ""],
  ])("rejects %j before any side effect, naming %s", async (release, field) => {
    const r = await runScenario(baseScenario({ release }));
    expect(r.outcome).toMatchObject({ status: "FAILED", exitCode: 1, reason: "invalid_input" });
    if (field) expect(r.outcome.error?.field).toBe(field);
    expect(files(r.artifacts).size).toBe(0);
  });

  it("fails on a sha that is not on the release branch, and one that does not exist", async () => {
    const off = await runScenario(
      baseScenario({ repository: { ...baseScenario().repository, off_branch_commits: [SHA] } }),
    );
    expect(off.outcome).toMatchObject({
      status: "FAILED",
      reason: "validation_failed",
      exitCode: 1,
    });
    expect(off.outcome.summary).toContain("not on the release branch main");
    const missing = await runScenario(
      baseScenario({ repository: { ...baseScenario().repository, missing_commits: [SHA] } }),
    );
    expect(missing.outcome.summary).toContain("does not exist");
    expect(files(missing.artifacts).get(missing.outcome.paths.report!)).toContain("status: FAILED");
  });

  it("refuses a tag that already points at another sha", async () => {
    const r = await runScenario(
      baseScenario({
        repository: {
          ...baseScenario().repository,
          tags: { "v1.3.0": "1".repeat(40), "v1.4.0": "2".repeat(40) },
        },
      }),
    );
    expect(r.outcome).toMatchObject({ status: "FAILED", reason: "validation_failed" });
    expect(r.outcome.summary).toContain(`already exists on ${"2".repeat(40)}`);
    expect(r.deployer.state.history).toEqual([]);
  });
});

/** A holder of the shop's lock: v1.3.9 released from pid 42 on ci-7. */
const ci7Holder = (id: string) => ({
  id,
  host: "ci-7",
  pid: 42,
  startedAt: "2026-01-05T09:00:00Z",
  version: "v1.3.9",
});

describe("release orchestrator: rules in every path", () => {
  it("refuses a second release of the same service while the first holds the lock (exit 4), writing no report", async () => {
    const lockBackend = createMemoryLockBackend();
    lockBackend.holders.set("shop", ci7Holder("other"));
    const r = await runScenario(baseScenario(), { lockBackend });
    expect(r.outcome).toMatchObject({ status: "FAILED", reason: "lock_held", exitCode: 4 });
    expect(r.outcome.summary).toContain("ci-7:42");
    expect(files(r.artifacts).size).toBe(0);
    expect(lockBackend.holders.get("shop")?.id).toBe("other");
  });

  it("never rejects, even when the lock adapter throws", async () => {
    const r = await runScenario(baseScenario(), {
      overrides: {
        lock: {
          name: "broken",
          acquire: () => {
            throw new Error("lock backend exploded");
          },
          release: () => {
            throw new Error("unreachable");
          },
        },
      },
    });
    expect(r.outcome).toMatchObject({ status: "FAILED", exitCode: 1, reason: "tool_error" });
    expect(r.outcome.summary).toContain("lock backend exploded");
  });

  it("takes over a stale lock and says so in the report", async () => {
    const lockBackend = createMemoryLockBackend();
    lockBackend.holders.set("shop", { ...ci7Holder("dead"), stale: true });
    const r = await runScenario(baseScenario(), { lockBackend });
    expect(r.outcome.status).toBe("SUCCESS");
    expect(files(r.artifacts).get(r.outcome.paths.report!)).toContain(
      "stale lock held by ci-7:42 (v1.3.9) was taken over",
    );
    expect(lockBackend.holders.size).toBe(0);
  });

  it("writes the report, rolls back and releases the lock when an adapter throws", async () => {
    const lockBackend = createMemoryLockBackend();
    const r = await runScenario(baseScenario(), {
      lockBackend,
      overrides: {
        slo: {
          name: "exploding",
          measure: () => {
            throw new Error("kaboom");
          },
        },
      },
    });
    expect(r.outcome.status).toBe("ABORTED");
    expect(r.outcome.reason).toBe("internal_error");
    expect(r.outcome.rolledBack).toBe(true);
    expect(files(r.artifacts).get(r.outcome.paths.report!)).toContain("kaboom");
    expect(lockBackend.holders.size).toBe(0);
  });

  it("on cancellation mid-canary: rolls back, writes the report, releases the lock, exit 130", async () => {
    const controller = new AbortController();
    const lockBackend = createMemoryLockBackend();
    const r = await runScenario(baseScenario(), {
      lockBackend,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "canary.poll" && e.weight === 25 && e.poll === 3) controller.abort();
      },
    });
    expect(r.outcome).toMatchObject({
      exitCode: 130,
      reason: "cancelled",
      rolledBack: true,
      rollbackVerified: true,
      maxWeightReached: 25,
    });
    expect(r.deployer.state.weight).toBe(0);
    expect(files(r.artifacts).get(r.outcome.paths.report!)).toContain("cancelled");
    expect(r.outcome.paths.incident).toBeNull();
    expect(lockBackend.holders.size).toBe(0);
  });

  it("keeps notifications best effort: a failing notifier changes nothing but is recorded", async () => {
    const broken = createMemoryNotifier({ fail: true });
    const working = createMemoryNotifier();
    const r = await runScenario(baseScenario(), {
      overrides: { notifiers: [broken, working as Notifier] },
    });
    expect(r.outcome.status).toBe("SUCCESS");
    expect(working.sent.map((n) => n.kind)).toEqual([
      "release_started",
      "step_passed",
      "step_passed",
      "step_passed",
      "release_succeeded",
    ]);
    expect(working.sent.at(-1)?.changelog?.[0]).toContain("(#12)");
    expect(r.outcome.warnings.some((w) => w.includes("memory-notifier failed"))).toBe(true);
  });

  it("always files the incident as a file first, even when every other sink fails", async () => {
    const down = createMemoryIncidentSink({ fail: true });
    const r = await runScenario(metricsAt("5", { error_rate: 0.5, p95_latency_ms: 1 }, 1), {
      overrides: { incidents: [down] },
    });
    expect(r.outcome.paths.incident).toMatch(/^incidents\/INC-\d{4}-\d{2}-\d{2}-01\.md$/);
    expect(r.events.some((e) => e.type === "incident.failed")).toBe(true);
  });

  it("resolves an earlier release's open incident when a later release succeeds", async () => {
    const sink = createMemoryIncidentSink();
    const artifacts = createMemoryArtifactStore();
    await runScenario(metricsAt("5", { error_rate: 0.5, p95_latency_ms: 1 }, 1), {
      artifacts,
      overrides: { incidents: [sink] },
    });
    expect(sink.opened).toHaveLength(1);
    const ok = await runScenario(baseScenario({ release: { version: "v1.4.1" } }), {
      artifacts,
      overrides: { incidents: [sink] },
    });
    expect(ok.outcome.status).toBe("SUCCESS");
    expect(sink.resolved).toEqual(["shipgate/shop/production"]);
    expect(files(artifacts).get(ok.outcome.paths.report!)).toContain("## Resolved incidents");
  });

  it("numbers incidents of the same day with the next free NN", async () => {
    const artifacts = createMemoryArtifactStore({ "incidents/INC-2026-01-05-01.md": "earlier" });
    const r = await runScenario(metricsAt("5", { error_rate: 0.5, p95_latency_ms: 1 }, 1), {
      artifacts,
    });
    expect(r.outcome.paths.incident).toBe("incidents/INC-2026-01-05-02.md");
    expect(files(artifacts).get("incidents/INC-2026-01-05-01.md")).toBe("earlier");
  });

  it("puts no absolute path in any artifact", async () => {
    for (const scenario of [
      baseScenario(),
      metricsAt("25", { error_rate: 0.5, p95_latency_ms: 1 }, 1),
    ]) {
      const r = await runScenario(scenario);
      for (const [path, content] of files(r.artifacts)) {
        expect(path.startsWith("/")).toBe(false);
        expect(content, path).not.toMatch(/(^|[\s("'`])\/(tmp|home|root|Users|var|private)\//m);
      }
    }
  });
});

describe("release orchestrator: sign-off and preparation", () => {
  it("waits for every approver before tagging and lists the sign-offs in the report", async () => {
    const r = await runScenario(
      baseScenario({
        release: { approvers: ["dana", "lee"] },
        approvals: [
          { approver: "dana" },
          { approver: "lee", after_minutes: 5, where: "https://chat.example.com/p/1" },
        ],
      }),
    );
    expect(r.outcome.status).toBe("SUCCESS");
    const waiting = r.events.findIndex((e) => e.type === "signoff.waiting");
    const tagged = r.events.findIndex((e) => e.type === "tag.created");
    expect(waiting).toBeGreaterThan(-1);
    expect(tagged).toBeGreaterThan(waiting);
    expect(files(r.artifacts).get(r.outcome.paths.report!)).toContain(
      "| lee | 2026-01-05T10:05:00.000Z | https://chat.example.com/p/1 |",
    );
  });

  it("blocks with the names still missing when a sign-off never comes", async () => {
    const r = await runScenario(
      baseScenario({
        release: { approvers: ["dana", "lee"], policy: { approval_timeout_minutes: 30 } },
        approvals: [{ approver: "dana" }],
      }),
    );
    expect(r.outcome).toMatchObject({ status: "BLOCKED", reason: "sign_off_missing", exitCode: 2 });
    expect(r.outcome.summary).toBe("sign-off missing from lee after 30 min");
    expect(r.events.some((e) => e.type === "tag.created")).toBe(false);
  });

  it("blocks when the preparation checks fail, and fails when there is no runner for them", async () => {
    const noRunner = await runScenario(
      baseScenario({ release: { preparation: { migrations: [] } } }),
    );
    expect(noRunner.outcome).toMatchObject({ status: "FAILED", reason: "preparation_failed" });
    const { okAsync } = await import("neverthrow");
    const blocked = await runScenario(
      baseScenario({
        release: {
          preparation: {
            migrations: [{ name: "0042_drop", kind: "forward_only", destructive: true }],
          },
        },
      }),
      {
        overrides: {
          prepare: () =>
            okAsync({
              ok: false,
              findings: [
                {
                  check: "migration",
                  subject: "0042_drop",
                  passed: false,
                  blocking: true,
                  message: "0042_drop is destructive and has no tested rollback",
                },
              ],
            }),
        },
      },
    );
    expect(blocked.outcome).toMatchObject({ status: "BLOCKED", reason: "preparation_failed" });
    expect(files(blocked.artifacts).get(blocked.outcome.paths.report!)).toContain(
      "FAIL (blocking)",
    );
  });
});

describe("release orchestrator: smoke checks declared in the spec", () => {
  it("probes a real HTTP endpoint after each weight change and after a rollback, and breaches when it fails", async () => {
    const { createServer } = await import("node:http");
    const hits: string[] = [];
    let failing = false;
    const server = createServer((req, res) => {
      hits.push(req.url ?? "");
      res.writeHead(failing ? 503 : 200).end(failing ? "down" : "ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const smoke = [
        { type: "http", name: "healthz", url: `http://127.0.0.1:${port}/healthz`, retries: 0 },
      ];
      const ok = await runScenario(baseScenario({ release: { smoke_checks: smoke } }));
      expect(ok.outcome.status).toBe("SUCCESS");
      expect(hits).toHaveLength(4); // 5%, 25%, 100%, after the last step
      expect(files(ok.artifacts).get(ok.outcome.paths.report!)).toMatch(
        /\| smoke \| pass \| healthz: GET http:\/\/127\.0\.0\.1:\d+\/healthz → 200/,
      );
      hits.length = 0;
      let weightChanges = 0;
      const bad = await runScenario(baseScenario({ release: { smoke_checks: smoke } }), {
        onEvent: (e) => {
          if (e.type === "canary.step.started" && ++weightChanges === 2) failing = true;
        },
      });
      expect(bad.outcome).toMatchObject({
        status: "ABORTED",
        reason: "smoke_failed",
        maxWeightReached: 25,
        rollbackVerified: false,
      });
      expect(bad.outcome.summary).toContain("expected 200, got 503");
      expect(hits).toHaveLength(3); // 5% ok, 25% failing, after rollback still failing
    } finally {
      server.close();
    }
  });
});

describe("release orchestrator: dry run", () => {
  it("validates, gates and plans but tags and deploys nothing", async () => {
    const r = await runScenario({ ...baseScenario(), dry_run: true });
    expect(r.outcome).toMatchObject({
      status: "SUCCESS",
      reason: "dry_run",
      dryRun: true,
      maxWeightReached: 0,
    });
    expect(r.deployer.state.history).toEqual([]);
    expect(r.events.some((e) => e.type === "tag.created")).toBe(false);
    expect(r.outcome.paths.report).toBe("devops/reports/release-v1.4.0-dryrun.md");
  });
});

describe("ShipgateError", () => {
  it("is recognised across copies by its marker", () => {
    const e = new ShipgateError("auth", "nope", { status: 401 });
    expect(ShipgateError.isInstance(e)).toBe(true);
    expect(ShipgateError.isInstance({ ...e })).toBe(true);
    expect(ShipgateError.isInstance(new Error("x"))).toBe(false);
  });
});
