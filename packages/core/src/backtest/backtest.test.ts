import { describe, expect, it } from "vitest";
import type { SloSource } from "../contracts/slo-source.js";
import { createMemoryArtifactStore } from "../testing/fakes/memory-artifact-store.js";
import { runPastReleases } from "../testing/past-releases.js";
import { runScenario } from "../testing/run-scenario.js";
import { releaseBreachingInWave2 } from "../testing/test-scenarios.js";
import { createVirtualClock } from "../testing/virtual-clock.js";
import { backtest } from "./backtest.js";
import { backtestReportSchema } from "./backtest-report.js";
import { type PastRelease, readReleaseHistory } from "./release-history.js";
import { createTrafficSloSource, type VersionTraffic } from "./test-traffic.js";

const signal = new AbortController().signal;
const DAY = 86_400_000;
const T0 = Date.parse("2026-11-02T10:00:00.000Z");
const SLO = { error_rate_max: 0.01, p95_latency_ms: 300, window_minutes: 10 };
const CURRENT = { slo: SLO };
// A stricter candidate: the objective at 0.3% and the first poll over it rolls back.
const STRICT = {
  slo: { ...SLO, error_rate_max: 0.003 },
  policy: { judge: { kind: "threshold" as const } },
};

interface PastRun {
  version: string;
  previous: string;
  canaryErrorRate: number;
  stableErrorRate: number;
}

const RUNS: PastRun[] = [
  { version: "v1.1.0", previous: "v1.0.0", canaryErrorRate: 0.002, stableErrorRate: 0.002 },
  { version: "v1.2.0", previous: "v1.1.0", canaryErrorRate: 0.08, stableErrorRate: 0.002 },
  { version: "v1.2.1", previous: "v1.1.0", canaryErrorRate: 0.002, stableErrorRate: 0.002 },
  // A noisy week: both versions at 0.4%, under the objective and alike.
  { version: "v1.3.0", previous: "v1.2.1", canaryErrorRate: 0.004, stableErrorRate: 0.004 },
];

function trafficOf(runs: PastRun[]): VersionTraffic[] {
  return runs.flatMap((r, i) => {
    const fromMs = T0 + i * DAY - 5 * 60_000;
    const toMs = T0 + i * DAY + 3 * 3_600_000;
    return [
      {
        version: r.version,
        fromMs,
        toMs,
        requestsPerMinute: 400,
        errorRate: r.canaryErrorRate,
        p95LatencyMs: 120,
      },
      {
        version: r.previous,
        fromMs,
        toMs,
        requestsPerMinute: 4000,
        errorRate: r.stableErrorRate,
        p95LatencyMs: 120,
      },
    ];
  });
}

async function runHistory(runs: PastRun[], slo: SloSource) {
  const artifacts = createMemoryArtifactStore();
  const outcomes = await runPastReleases(runs, {
    slo: SLO,
    sloSource: slo,
    artifacts,
    startMs: T0,
  });
  return { artifacts, outcomes };
}

async function historyOf(runs: PastRun[], slo: SloSource): Promise<PastRelease[]> {
  const { artifacts } = await runHistory(runs, slo);
  return (await readReleaseHistory(artifacts, {}, { signal }))._unsafeUnwrap();
}

describe("backtest", () => {
  it("reproduces what the current policy decided on the releases it ran", async () => {
    const source = createTrafficSloSource(trafficOf(RUNS));
    const { artifacts, outcomes } = await runHistory(RUNS, source);
    expect(outcomes.map((o) => o.status)).toEqual(["SUCCESS", "ABORTED", "SUCCESS", "SUCCESS"]);
    const history = (await readReleaseHistory(artifacts, {}, { signal }))._unsafeUnwrap();
    expect(history.map((r) => [r.version, r.stableVersion, r.status])).toEqual([
      ["v1.1.0", "v1.0.0", "SUCCESS"],
      ["v1.2.0", "v1.1.0", "ABORTED"],
      ["v1.2.1", "v1.1.0", "SUCCESS"],
      ["v1.3.0", "v1.2.1", "SUCCESS"],
    ]);

    const report = (await backtest(history, CURRENT, source, { signal }))._unsafeUnwrap();
    expect(backtestReportSchema.parse(report)).toEqual(report);
    expect(
      report.releases.map((r) => [r.version, r.actual.decision, r.candidate.decision]),
    ).toEqual([
      ["v1.1.0", "promoted", "promote"],
      ["v1.2.0", "rolled_back", "rollback"],
      ["v1.2.1", "promoted", "promote"],
      ["v1.3.0", "promoted", "promote"],
    ]);
    for (const r of report.releases) {
      expect(r.data).toBe("slo_source");
      expect(r.changed).toBe(false);
      // Same step, same minute, same reason: the same loop over the same answers.
      expect(r.candidate.step).toEqual(r.actual.step);
      expect(r.candidate.minute).toBe(r.actual.minute);
      expect(r.minutes_delta).toBe(0);
      for (const s of r.steps) expect(s.candidate.minute).toBe(s.actual.minutes);
    }
    const regression = report.releases[1]!;
    expect(regression.candidate.step).toEqual({ index: 0, weight: 5, phase: "canary" });
    expect(regression.candidate.why).toBe(regression.actual.why);
    expect(regression.candidate.why).toMatch(/error rate/);
    expect(report.totals).toMatchObject({
      releases: 4,
      would_roll_back: 1,
      would_promote: 3,
      changed: 0,
      minutes_saved: 0,
      minutes_added: 0,
    });
    expect(report.judge).toBe("statistical");
  });

  it("shows where a stricter candidate flips a decision, and when", async () => {
    const source = createTrafficSloSource(trafficOf(RUNS));
    const history = await historyOf(RUNS, source);
    const report = (await backtest(history, STRICT, source, { signal }))._unsafeUnwrap();
    expect(report.judge).toBe("threshold");
    const byVersion = Object.fromEntries(report.releases.map((r) => [r.version, r]));
    expect(byVersion["v1.3.0"]!.candidate).toMatchObject({
      decision: "rollback",
      step: { index: 0, weight: 5, phase: "canary" },
      minute: 1,
    });
    expect(byVersion["v1.3.0"]!.candidate.why).toMatch(/0\.40%.*0\.30%|error rate/);
    expect(byVersion["v1.3.0"]!.changed).toBe(true);
    expect(byVersion["v1.2.0"]!.candidate.decision).toBe("rollback");
    expect(byVersion["v1.2.0"]!.changed).toBe(false);
    expect(byVersion["v1.1.0"]!.candidate.decision).toBe("promote");
    expect(byVersion["v1.1.0"]!.minutes_delta).toBe(0);
    // v1.3.0 watched 3 steps and stabilization (40 minutes) then; 1 minute now.
    expect(byVersion["v1.3.0"]!.minutes_delta).toBe(-39);
    expect(report.totals).toMatchObject({
      releases: 4,
      would_roll_back: 2,
      would_promote: 2,
      changed: 1,
      promoted_then_rolled_back_now: 1,
      rolled_back_then_not_now: 0,
    });
    expect(report.totals).toMatchObject({ minutes_saved: 39, minutes_added: 0 });
  });

  it("is deterministic: the same history, candidate and answers give the same report", async () => {
    const source = createTrafficSloSource(trafficOf(RUNS));
    const history = await historyOf(RUNS, source);
    const a = (await backtest(history, STRICT, source, { signal }))._unsafeUnwrap();
    const b = (await backtest(history, STRICT, source, { signal }))._unsafeUnwrap();
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it("a looser candidate on a release rolled back early is undecided: no data past the rollback", async () => {
    const source = createTrafficSloSource(trafficOf(RUNS));
    const history = await historyOf(RUNS, source);
    const loose = {
      slo: { ...SLO, error_rate_max: 0.1 },
      policy: { judge: { kind: "threshold" as const } },
    };
    const report = (await backtest(history, loose, source, { signal }))._unsafeUnwrap();
    const regression = report.releases[1]!;
    // Rolled back at minute 1 then; 8% is under a 10% objective, so the candidate would
    // have kept watching, and the metrics past minute 1 are not the canary's at 5%.
    expect(regression.candidate).toMatchObject({
      decision: "undecided",
      step: { index: 0, weight: 5, phase: "canary" },
      minute: 1,
      watched_minutes: null,
    });
    expect(regression.candidate.why).toMatch(
      /still watching when the step ended then, at minute 1/,
    );
    expect(regression.steps[0]!.candidate).toMatchObject({ verdict: "undecided", polls: 1 });
    expect(regression.changed).toBe(false);
    expect(regression.minutes_delta).toBeNull();
    expect(report.totals).toMatchObject({ undecided: 1, would_roll_back: 0, would_promote: 3 });
  });

  it("a release stopped by a smoke check then is 'stopped', and the candidate undecided where it stopped", async () => {
    const source = createTrafficSloSource(trafficOf(RUNS));
    const artifacts = createMemoryArtifactStore();
    const run = await runScenario(
      {
        release: {
          environment: "production",
          service: "shop",
          version: "v1.1.0",
          sha: "1".repeat(40),
          previous_release_tag: "v1.0.0",
          slo: SLO,
        },
        repository: { tags: { "v1.0.0": "f".repeat(40) } },
        ci: { checks: [{ name: "unit", conclusion: "success" }] },
        smoke: { fail_at_weights: [25] },
      },
      { artifacts, clock: createVirtualClock(T0), overrides: { slo: source } },
    );
    expect(run.outcome.reason).toBe("smoke_failed");
    const history = (await readReleaseHistory(artifacts, {}, { signal }))._unsafeUnwrap();
    const report = (await backtest(history, CURRENT, source, { signal }))._unsafeUnwrap();
    const r = report.releases[0]!;
    expect(r.actual).toMatchObject({
      decision: "stopped",
      status: "ABORTED",
      reason: "smoke_failed",
      step: { index: 1, weight: 25 },
      minute: 0,
    });
    expect(r.candidate).toMatchObject({ decision: "undecided", step: { index: 1, weight: 25 } });
    expect(r.steps.map((s) => s.candidate.verdict)).toEqual(["passed", "undecided"]);
    expect(r.changed).toBe(false);
  });

  it("says no data, never a guess, when the source no longer keeps the metrics and nothing was recorded", async () => {
    const live = createTrafficSloSource(trafficOf(RUNS));
    const history = await historyOf(RUNS, live);
    // Retention now starts after the second release.
    const retained = createTrafficSloSource(trafficOf(RUNS), {
      retainedFromMs: T0 + 2 * DAY - 60_000,
    });
    const report = (
      await backtest(history, CURRENT, retained, { signal, useRecorded: false })
    )._unsafeUnwrap();
    expect(report.releases.map((r) => [r.version, r.data, r.candidate.decision])).toEqual([
      ["v1.1.0", "none", "no_data"],
      ["v1.2.0", "none", "no_data"],
      ["v1.2.1", "slo_source", "promote"],
      ["v1.3.0", "slo_source", "promote"],
    ]);
    expect(report.releases[0]!.candidate.why).toMatch(/no data .*no longer retained/);
    expect(report.totals.no_data).toBe(2);
    expect(report.totals.changed).toBe(0);
  });

  it("uses the polls recorded in deploy-result.json when the source has no data for the past", async () => {
    const live = createTrafficSloSource(trafficOf(RUNS));
    const history = await historyOf(RUNS, live);
    expect(history[0]!.steps.every((s) => s.observations.length > 0)).toBe(true);
    const retained = createTrafficSloSource(trafficOf(RUNS), {
      retainedFromMs: T0 + 2 * DAY - 60_000,
    });
    const fromSource = (await backtest(history, CURRENT, live, { signal }))._unsafeUnwrap();
    const report = (await backtest(history, CURRENT, retained, { signal }))._unsafeUnwrap();
    expect(report.releases.map((r) => r.data)).toEqual([
      "recorded",
      "recorded",
      "slo_source",
      "slo_source",
    ]);
    // The recorded series gives the same decisions as the source did while it had the data.
    expect(report.releases.map((r) => r.candidate)).toEqual(
      fromSource.releases.map((r) => r.candidate),
    );
    // A stricter candidate on the recorded series still shows its decision.
    const strict = (await backtest(history, STRICT, retained, { signal }))._unsafeUnwrap();
    expect(strict.releases[1]!.candidate.decision).toBe("rollback");
    expect(strict.releases[1]!.data).toBe("recorded");
  });

  it("replays on the candidate's poll interval over the same wall-clock windows", async () => {
    const live = createTrafficSloSource(trafficOf(RUNS));
    const history = await historyOf(RUNS.slice(0, 1), live);
    const watched = createTrafficSloSource(trafficOf(RUNS));
    const report = (
      await backtest(
        history,
        { slo: { ...SLO, window_minutes: 15 }, policy: { poll_interval_seconds: 30 } },
        watched,
        { signal },
      )
    )._unsafeUnwrap();
    expect(report.poll_interval_seconds).toBe(30);
    const canary = watched.queries.filter((q) => q.track === "canary");
    const first = history[0]!.steps[0]!;
    expect(canary[0]!.windowStart.toISOString()).toBe(first.startedAt);
    expect(canary[0]!.windowEnd.getTime() - canary[0]!.windowStart.getTime()).toBe(30_000);
    // History ran each step for 10 minutes; a 15-minute window cannot be judged past what
    // ran: undecided, not a guess.
    expect(report.releases[0]!.candidate.decision).toBe("undecided");
    expect(report.releases[0]!.candidate).toMatchObject({
      step: { index: 0, weight: 5, phase: "canary" },
      minute: 10,
    });
    expect(report.releases[0]!.candidate.why).toMatch(/still watching when the step ended then/);
    expect(canary).toHaveLength(20);
    expect(canary.every((q) => q.windowEnd.getTime() <= Date.parse(first.endedAt!))).toBe(true);
  });

  it("fails on a source error instead of counting it as a decision, and rejects a bad candidate", async () => {
    const live = createTrafficSloSource(trafficOf(RUNS));
    const history = await historyOf(RUNS.slice(0, 1), live);
    const { ShipgateError } = await import("../errors/shipgate-error.js");
    const { errAsync } = await import("neverthrow");
    const broken: SloSource = {
      name: "broken",
      measure: () => errAsync(new ShipgateError("unavailable", "metrics store down")),
    };
    const failed = await backtest(history, CURRENT, broken, { signal });
    expect(failed._unsafeUnwrapErr().message).toMatch(/metrics store down/);
    const bad = await backtest(history, { slo: { ...SLO, window_minutes: -1 } }, live, { signal });
    expect(bad._unsafeUnwrapErr().field).toBe("slo.window_minutes");
  });

  it("asks each environment of a release with waves its own SLO source", async () => {
    const { artifacts, outcome } = await releaseBreachingInWave2();
    expect(outcome.reason).toBe("slo_breach");
    const history = (await readReleaseHistory(artifacts, {}, { signal }))._unsafeUnwrap();
    // Sources that no longer keep the data: each release falls back to its recorded polls.
    const gone = () => createTrafficSloSource([], { retainedFromMs: Number.POSITIVE_INFINITY });
    const release = gone();
    const own = { staging: gone(), "prod-us": gone(), "prod-eu": gone() };
    const report = (
      await backtest(history, CURRENT, release, { signal, environmentSlo: own })
    )._unsafeUnwrap();
    expect(release.queries).toEqual([]);
    for (const source of Object.values(own)) expect(source.queries.length).toBeGreaterThan(0);
    expect(report.releases.map((r) => [r.environment, r.data, r.candidate.decision])).toEqual([
      // Every step staging ran passed; it was rolled back for prod-eu's breach.
      ["staging", "recorded", "continue"],
      // prod-us was stopped a minute into 25%: nothing past that to judge.
      ["prod-us", "recorded", "undecided"],
      ["prod-eu", "recorded", "rollback"],
    ]);
    expect(report.releases[2]!.candidate.step).toMatchObject({ weight: 25 });
  });
});
