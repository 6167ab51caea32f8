import { backtest, backtestReportSchema, type PastRelease, type SloSource } from "@shipgate/core";
import { expectDecisionsReproduced, recordPastReleases } from "@shipgate/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrometheusSloSource } from "./prometheus-provider.js";
import {
  type PrometheusTestServer,
  prometheusBinariesForTests,
  startPrometheusTestServer,
} from "./testing/prometheus-test-server.js";

// The backtest acceptance test: a real Prometheus holding two weeks of backfilled series
// (promtool tsdb create-blocks-from openmetrics) for ten past releases, two of them
// regressions. The releases are first run for real by the orchestrator against that
// Prometheus on a virtual clock set to their past times, which writes the history
// (deploy-result.json and reports); then the history is backtested.

const binaries = prometheusBinariesForTests("skipping the backtest test against a real Prometheus");

const SCRAPE_SECONDS = 15;
const T0 = Date.parse("2026-10-05T09:00:00.000Z");
const SPACING_MS = 33.6 * 3_600_000; // ten releases over two weeks
const SLO = { error_rate_max: 0.01, p95_latency_ms: 300, window_minutes: 6 };
const CURRENT = { slo: SLO };
/** Stricter: an objective of 0.3% errors, and the first poll over it rolls back. */
const STRICT = {
  slo: { ...SLO, error_rate_max: 0.003 },
  policy: { judge: { kind: "threshold" as const } },
};

interface PastRun {
  version: string;
  /** Errors per 1000 requests of the canary and of the stable version during the release. */
  canaryErrorsPerMille: number;
  stableErrorsPerMille: number;
}

// Two regressions (v1.3.0 and v1.7.0); v1.5.0 shipped in a noisy week where both versions
// ran at 0.4% errors: fine for the current policy, not for the stricter one.
const RUNS: PastRun[] = [
  { version: "v1.1.0", canaryErrorsPerMille: 2, stableErrorsPerMille: 2 },
  { version: "v1.2.0", canaryErrorsPerMille: 2, stableErrorsPerMille: 2 },
  { version: "v1.3.0", canaryErrorsPerMille: 60, stableErrorsPerMille: 2 },
  { version: "v1.3.1", canaryErrorsPerMille: 2, stableErrorsPerMille: 2 },
  { version: "v1.5.0", canaryErrorsPerMille: 4, stableErrorsPerMille: 4 },
  { version: "v1.6.0", canaryErrorsPerMille: 1, stableErrorsPerMille: 1 },
  { version: "v1.7.0", canaryErrorsPerMille: 80, stableErrorsPerMille: 1 },
  { version: "v1.7.1", canaryErrorsPerMille: 1, stableErrorsPerMille: 1 },
  { version: "v1.8.0", canaryErrorsPerMille: 2, stableErrorsPerMille: 2 },
  { version: "v1.9.0", canaryErrorsPerMille: 2, stableErrorsPerMille: 2 },
];
const REGRESSIONS = new Set(["v1.3.0", "v1.7.0"]);

/** The version serving before each release: the last one that was not a regression. */
function stableBefore(index: number): string {
  for (let i = index - 1; i >= 0; i--) {
    if (!REGRESSIONS.has(RUNS[i]!.version)) return RUNS[i]!.version;
  }
  return "v1.0.0";
}

const startOf = (index: number) => T0 + index * SPACING_MS;

interface Segment {
  labels: Record<string, string>;
  fromSeconds: number;
  toSeconds: number;
  requestsPerScrape: number;
  errorsPerScrape: number;
  /** Cumulative share of requests at or under each bound (seconds). */
  latency: [le: number, share: number][];
}

const LATENCY: [number, number][] = [
  [0.05, 0.4],
  [0.1, 0.8],
  [0.2, 0.97],
  [0.4, 1],
];

function segments(fromRelease = 0): Segment[] {
  return RUNS.flatMap((run, i) => {
    if (i < fromRelease) return [];
    // Pods of each version live from 10 minutes before the release to 100 minutes after.
    const fromSeconds = Math.floor(startOf(i) / 1000) - 600;
    const toSeconds = fromSeconds + 110 * 60;
    const base = { fromSeconds, toSeconds, latency: LATENCY };
    return [
      {
        ...base,
        labels: { service: "shop", version: run.version, instance: `canary-${i}` },
        requestsPerScrape: 100,
        errorsPerScrape: run.canaryErrorsPerMille / 10,
      },
      {
        ...base,
        labels: { service: "shop", version: stableBefore(i), instance: `stable-${i}` },
        requestsPerScrape: 1000,
        errorsPerScrape: run.stableErrorsPerMille,
      },
    ];
  });
}

function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",");
}

/** Counters from 0, growing by the same amount every scrape over each segment's life. */
function openMetrics(all: Segment[]): string {
  const lines: string[] = [];
  const emit = (name: string, labels: string, s: Segment, perScrape: number) => {
    for (let t = s.fromSeconds, n = 0; t <= s.toSeconds; t += SCRAPE_SECONDS, n += 1) {
      lines.push(`${name}{${labels}} ${n * perScrape} ${t}`);
    }
  };
  lines.push("# TYPE http_requests counter");
  for (const s of all) {
    emit(
      "http_requests_total",
      labelText({ ...s.labels, code: "200" }),
      s,
      s.requestsPerScrape - s.errorsPerScrape,
    );
    emit("http_requests_total", labelText({ ...s.labels, code: "500" }), s, s.errorsPerScrape);
  }
  lines.push("# TYPE http_request_duration_seconds histogram");
  for (const s of all) {
    for (const [le, share] of s.latency) {
      emit(
        "http_request_duration_seconds_bucket",
        labelText({ ...s.labels, le: String(le) }),
        s,
        s.requestsPerScrape * share,
      );
    }
    emit(
      "http_request_duration_seconds_bucket",
      labelText({ ...s.labels, le: "+Inf" }),
      s,
      s.requestsPerScrape,
    );
    emit("http_request_duration_seconds_count", labelText(s.labels), s, s.requestsPerScrape);
  }
  lines.push("# EOF");
  return `${lines.join("\n")}\n`;
}

const signal = new AbortController().signal;

describe.skipIf(!binaries)("backtest against a real Prometheus", () => {
  let server: PrometheusTestServer;
  let slo: SloSource;
  let history: PastRelease[];

  beforeAll(async () => {
    server = await startPrometheusTestServer({ openMetrics: openMetrics(segments()) });
    slo = createPrometheusSloSource({ url: server.url });
    // The past: each release run by the orchestrator, at its own time, against Prometheus.
    history = await recordPastReleases(
      RUNS.map((run, i) => ({ version: run.version, stable: stableBefore(i) })),
      { slo, objectives: SLO, startOf },
    );
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("has the ten releases, over two weeks, with what happened then", () => {
    expect(history.map((r) => r.version)).toEqual(RUNS.map((r) => r.version));
    const first = Date.parse(history[0]!.startedAt);
    const last = Date.parse(history[9]!.startedAt);
    expect(last - first).toBeGreaterThan(12 * 86_400_000);
    expect(history.map((r) => r.status)).toEqual(
      RUNS.map((r) => (REGRESSIONS.has(r.version) ? "ABORTED" : "SUCCESS")),
    );
    expect(history.map((r) => r.stableVersion)).toEqual(RUNS.map((_, i) => stableBefore(i)));
  });

  it("backtesting the current policy reproduces the recorded decisions", async () => {
    const report = (await backtest(history, CURRENT, slo, { signal }))._unsafeUnwrap();
    expect(backtestReportSchema.parse(report)).toEqual(report);
    expect(report.slo_source).toBe("prometheus");
    expectDecisionsReproduced(report);
    for (const r of report.releases) {
      const expected = REGRESSIONS.has(r.version)
        ? ["rolled_back", "rollback"]
        : ["promoted", "promote"];
      expect([r.actual.decision, r.candidate.decision]).toEqual(expected);
    }
    for (const version of REGRESSIONS) {
      const r = report.releases.find((x) => x.version === version)!;
      expect(r.candidate.step).toMatchObject({ weight: 5, phase: "canary" });
      expect(r.candidate.why).toBe(r.actual.why);
    }
    expect(report.totals).toMatchObject({
      releases: 10,
      would_roll_back: 2,
      would_promote: 8,
      changed: 0,
      no_data: 0,
      minutes_saved: 0,
      minutes_added: 0,
    });
  });

  it("a stricter candidate shows the flips", async () => {
    const report = (await backtest(history, STRICT, slo, { signal }))._unsafeUnwrap();
    const flipped = report.releases.filter((r) => r.changed);
    expect(flipped.map((r) => r.version)).toEqual(["v1.5.0"]);
    expect(flipped[0]).toMatchObject({
      actual: { decision: "promoted" },
      candidate: { decision: "rollback", step: { weight: 5, phase: "canary" }, minute: 1 },
    });
    expect(flipped[0]!.candidate.why).toMatch(/error rate 0\.40% > 0\.30% at 5%/);
    for (const version of REGRESSIONS) {
      expect(report.releases.find((x) => x.version === version)!.candidate.decision).toBe(
        "rollback",
      );
    }
    // The default judge promoted v1.6.0 and v1.7.1 early (its step ended at minute 4, with
    // the counts and histograms the source gives); the threshold candidate waits out the
    // window, and there is no data past where the step ended: undecided, never guessed.
    const undecided = report.releases.filter((r) => r.candidate.decision === "undecided");
    expect(undecided.map((r) => r.version)).toEqual(["v1.6.0", "v1.7.1"]);
    for (const r of undecided)
      expect(r.candidate.why).toMatch(/still watching when the step ended then/);
    expect(report.totals).toMatchObject({
      releases: 10,
      would_roll_back: 3,
      would_promote: 5,
      changed: 1,
      promoted_then_rolled_back_now: 1,
      rolled_back_then_not_now: 0,
    });
    // v1.5.0 ran 3 steps and stabilization then (24 minutes); the candidate stops at minute 1.
    expect(flipped[0]!.minutes_delta).toBe(-23);
  });

  it("releases past retention are no data, or judged on the polls recorded then", async () => {
    // A second Prometheus that kept only the last week: releases 6 to 10.
    const week = await startPrometheusTestServer({ openMetrics: openMetrics(segments(5)) });
    try {
      const retained = createPrometheusSloSource({ url: week.url });
      const bare = (
        await backtest(history, CURRENT, retained, { signal, useRecorded: false })
      )._unsafeUnwrap();
      expect(bare.releases.map((r) => r.candidate.decision)).toEqual([
        ...Array(5).fill("no_data"),
        "promote",
        "rollback",
        "promote",
        "promote",
        "promote",
      ]);
      expect(bare.releases[0]!.candidate.why).toMatch(
        /prometheus has no data for 5% .*no longer retained.*no polls were recorded/,
      );
      expect(bare.totals).toMatchObject({ no_data: 5, changed: 0 });

      const full = (await backtest(history, CURRENT, slo, { signal }))._unsafeUnwrap();
      const recorded = (await backtest(history, CURRENT, retained, { signal }))._unsafeUnwrap();
      expect(recorded.releases.map((r) => r.data)).toEqual([
        ...Array(5).fill("recorded"),
        ...Array(5).fill("slo_source"),
      ]);
      expect(recorded.releases.map((r) => r.candidate)).toEqual(
        full.releases.map((r) => r.candidate),
      );
      // The stricter candidate still flips v1.5.0, from the polls recorded then.
      const strict = (await backtest(history, STRICT, retained, { signal }))._unsafeUnwrap();
      expect(strict.releases.filter((r) => r.changed).map((r) => [r.version, r.data])).toEqual([
        ["v1.5.0", "recorded"],
      ]);
    } finally {
      await week.stop();
    }
  });
});
