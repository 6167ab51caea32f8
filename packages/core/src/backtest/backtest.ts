import { err, errAsync, ok, okAsync, type Result, ResultAsync } from "neverthrow";
import type { CallOptions } from "../contracts/call-options.js";
import type { Clock } from "../contracts/clock.js";
import { countsOf, type SloMeasurement, type SloSource } from "../contracts/slo-source.js";
import { abortedError, ShipgateError } from "../errors/shipgate-error.js";
import type { Judge, PollObservation } from "../judge/judge.js";
import { type ReleaseSpec, releaseSpecSchema } from "../model/release-spec.js";
import { openStepRecord } from "../model/run-record.js";
import { type WatchContext, watchWindow } from "../release/canary-watch.js";
import { judgeFor } from "../release/choose-judge.js";
import { zodToShipgateError } from "../release/zod-issues.js";
import {
  type BacktestPolicy,
  type BacktestPolicyInput,
  parseBacktestPolicy,
} from "./backtest-policy.js";
import {
  type ActualDecision,
  BACKTEST_REPORT_VERSION,
  type BacktestRelease,
  type BacktestReport,
  type BacktestStep,
  type BacktestStepRef,
  type BacktestTotals,
} from "./backtest-report.js";
import { createRecordedSloSource } from "./recorded-slo-source.js";
import type { PastRelease, PastStep } from "./release-history.js";

/** Options of {@link backtest}. */
export interface BacktestOptions extends CallOptions {
  /**
   * Judge with this instead of the judge the candidate policy names (`policy.judge.kind`),
   * e.g. your own {@link Judge}.
   */
  judge?: Judge;
  /** Use the polls recorded in `deploy-result.json` where the SLO source has no data (default true). */
  useRecorded?: boolean;
  /**
   * The SLO sources of the environments of releases with waves, by environment name: a past
   * release in one of them is asked of its own source; every other release, of `slo`.
   */
  environmentSlo?: Readonly<Record<string, SloSource>>;
}

// A poll ending this long after the step's recorded end still counts as inside it.
const TOLERANCE_MS = 1000;

// `|| 0` keeps -0 out of the JSON.
const minutes = (ms: number): number => Math.round((ms / 60_000) * 100) / 100 || 0;

function replayClock(startMs: number): Clock {
  let now = startMs;
  return {
    now: () => now,
    sleep(ms, signal) {
      if (signal.aborted) return errAsync(abortedError(signal));
      now += Math.max(0, ms);
      return okAsync(undefined);
    },
  };
}

function hasData(m: SloMeasurement): boolean {
  return (
    m.errorRate.kind === "value" ||
    m.p95LatencyMs.kind === "value" ||
    (countsOf(m).requests ?? 0) > 0
  );
}

interface StepReplay {
  step: PastStep;
  verdict: BacktestStep["candidate"]["verdict"];
  minute: number | null;
  polls: number;
  early: boolean;
  reason: string | null;
  /** The source answered every canary query of this step with no data. */
  noData: boolean;
}

interface ReleaseReplay {
  steps: StepReplay[];
  /** A step whose metrics are gone: the source said no data where the release saw traffic. */
  notRetained: StepReplay | null;
}

/** Replays one step of a past release through the orchestrator's own watch loop. */
async function replayStep(
  release: PastRelease,
  step: PastStep,
  spec: ReleaseSpec,
  judge: Judge,
  source: SloSource,
  observations: PollObservation[],
  signal: AbortSignal,
): Promise<Result<StepReplay, ShipgateError>> {
  const first = step.observations[0];
  // The recorded polls say when watching started (after the weight change and smoke checks).
  const startMs = first ? first.atMs - first.intervalMs : Date.parse(step.startedAt);
  const endMs = step.endedAt === null ? Number.NaN : Date.parse(step.endedAt);
  const base = { step, polls: 0, early: false, noData: false };
  if (Number.isNaN(startMs) || Number.isNaN(endMs)) {
    return ok({
      ...base,
      verdict: "undecided",
      minute: null,
      reason: "the step has no recorded end",
    });
  }
  const windowMs =
    step.phase === "canary"
      ? spec.slo.window_minutes * 60_000
      : (spec.stabilization_minutes ?? spec.slo.window_minutes) * 60_000;
  if (windowMs === 0) {
    return ok({
      ...base,
      verdict: "passed",
      minute: 0,
      reason: "the candidate policy has no stabilization window",
    });
  }
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  let ranOut = false;
  let sourceError: ShipgateError | null = null;
  let canaryPolls = 0;
  let canaryWithData = 0;
  const bounded: SloSource = {
    name: source.name,
    ...(source.splitsByTrack !== undefined ? { splitsByTrack: source.splitsByTrack } : {}),
    measure(query) {
      if (query.windowEnd.getTime() > endMs + TOLERANCE_MS) {
        ranOut = true;
        controller.abort();
        return errAsync(abortedError(controller.signal));
      }
      return source
        .measure(query, { signal: controller.signal })
        .map((m) => {
          if (query.track === "canary") {
            canaryPolls += 1;
            if (hasData(m)) canaryWithData += 1;
          }
          return m;
        })
        .mapErr((e) => {
          if (e.kind !== "aborted") sourceError ??= e;
          controller.abort();
          return e;
        });
    },
  };
  const clock = replayClock(startMs);
  const record = openStepRecord(step.weight, step.phase, new Date(startMs).toISOString());

  const ctx: WatchContext = {
    spec,
    judge,
    observations,
    emit: () => {},
    signal: controller.signal,
    now: () => new Date(clock.now()).toISOString(),
    stack: { clock, slo: bounded },
    record: {
      preflight: release.stableVersion
        ? { ok: true, problems: [], stableVersion: release.stableVersion, facts: {} }
        : null,
      evidence: [],
    },
  };
  try {
    const watched = await watchWindow(ctx, record, windowMs, step.index);
    if (signal.aborted) return err(abortedError(signal));
    if (sourceError) return err(sourceError);
    const polls = canaryPolls;
    const noData = canaryPolls > 0 && canaryWithData === 0;
    const minute = minutes(clock.now() - startMs);
    switch (watched.result) {
      case "passed":
        return ok({
          step,
          verdict: "passed",
          minute,
          polls,
          early: watched.early,
          reason: watched.reason,
          noData,
        });
      case "breached":
      case "inconclusive":
        return ok({
          step,
          verdict: watched.result,
          minute,
          polls,
          early: false,
          reason: watched.reason,
          noData,
        });
      case "error":
        return ok({
          step,
          verdict: "error",
          minute,
          polls,
          early: false,
          reason: watched.reason,
          noData,
        });
      case "cancelled":
        return ok({
          step,
          verdict: "undecided",
          minute: minutes(endMs - startMs),
          polls,
          early: false,
          reason: ranOut
            ? `still watching when the step ended then, at minute ${minutes(endMs - startMs)}: no data beyond`
            : "cancelled",
          noData,
        });
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

async function replayRelease(
  release: PastRelease,
  spec: ReleaseSpec,
  judge: Judge,
  source: SloSource,
  signal: AbortSignal,
): Promise<Result<ReleaseReplay, ShipgateError>> {
  const observations: PollObservation[] = [];
  const steps: StepReplay[] = [];
  let notRetained: StepReplay | null = null;
  for (const step of release.steps) {
    const replayed = await replayStep(release, step, spec, judge, source, observations, signal);
    if (replayed.isErr()) return err(replayed.error);
    const r = replayed.value;
    steps.push(r);
    // The release saw traffic here (or cannot say), the source now says nothing: the data is gone.
    if (r.noData && (step.sampleCount === null || step.sampleCount > 0)) notRetained ??= r;
    if (r.verdict !== "passed") break;
  }
  return ok({ steps, notRetained });
}

function thenOf(release: PastRelease): BacktestRelease["actual"] {
  const last = release.steps[release.steps.length - 1]!;
  const watchedMs = release.steps.reduce((total, s) => {
    const ms = s.endedAt === null ? 0 : Date.parse(s.endedAt) - Date.parse(s.startedAt);
    return total + (Number.isNaN(ms) ? 0 : ms);
  }, 0);
  let decision: ActualDecision;
  if (release.status === "SUCCESS") decision = "promoted";
  else if (release.status !== null)
    decision =
      release.reason === "slo_breach" || release.reason === "slo_inconclusive"
        ? "rolled_back"
        : "stopped";
  else if (last.verdict === "passed" && (last.phase === "stabilization" || last.weight === 100))
    decision = "promoted";
  else if (["breached", "inconclusive", "error"].includes(last.verdict))
    decision = last.reason?.startsWith("smoke check") ? "stopped" : "rolled_back";
  else if (last.verdict === "cancelled") decision = "stopped";
  else decision = "unknown";
  const ms =
    last.endedAt === null ? Number.NaN : Date.parse(last.endedAt) - Date.parse(last.startedAt);
  return {
    decision,
    status: release.status,
    reason: release.reason,
    step: refOf(last),
    minute: Number.isNaN(ms) ? null : minutes(ms),
    why: decision === "promoted" ? (last.reason ?? "every step passed") : last.reason,
    watched_minutes: minutes(watchedMs),
  };
}

function refOf(step: PastStep): BacktestStepRef {
  return { index: step.index, weight: step.weight, phase: step.phase };
}

function label(step: PastStep): string {
  return step.phase === "stabilization" ? "stabilization" : `${step.weight}%`;
}

function candidateOf(
  release: PastRelease,
  then: BacktestRelease["actual"],
  replay: ReleaseReplay | null,
  noDataWhy: string,
): BacktestRelease["candidate"] {
  if (!replay)
    return { decision: "no_data", step: null, minute: null, why: noDataWhy, watched_minutes: null };
  const last = replay.steps[replay.steps.length - 1]!;
  const watched = minutes(replay.steps.reduce((t, s) => t + (s.minute ?? 0) * 60_000, 0));
  if (last.verdict === "undecided") {
    return {
      decision: "undecided",
      step: refOf(last.step),
      minute: last.minute,
      why: last.reason ?? "undecided",
      watched_minutes: null,
    };
  }
  if (last.verdict !== "passed") {
    return {
      decision: "rollback",
      step: refOf(last.step),
      minute: last.minute,
      why: last.reason ?? last.verdict,
      watched_minutes: watched,
    };
  }
  if (then.decision === "promoted" && replay.steps.length === release.steps.length) {
    const early = replay.steps.filter((s) => s.early).map((s) => label(s.step));
    return {
      decision: "promote",
      step: refOf(last.step),
      minute: last.minute,
      why:
        early.length > 0
          ? `every step passed (early at ${early.join(", ")})`
          : "every step passed its window",
      watched_minutes: watched,
    };
  }
  return {
    decision: "continue",
    step: refOf(last.step),
    minute: last.minute,
    why: `every step it ran passed; the release stopped after ${label(last.step)} then (${then.decision.replace("_", " ")}), so nothing beyond can be judged`,
    watched_minutes: watched,
  };
}

function stepsOf(
  release: PastRelease,
  replay: ReleaseReplay | null,
  noDataWhy: string,
): BacktestStep[] {
  return release.steps.map((s, i) => {
    const r = replay?.steps[i];
    const ms = s.endedAt === null ? Number.NaN : Date.parse(s.endedAt) - Date.parse(s.startedAt);
    return {
      ...refOf(s),
      actual: {
        verdict: s.verdict,
        minutes: Number.isNaN(ms) ? null : minutes(ms),
        reason: s.reason,
      },
      candidate: r
        ? { verdict: r.verdict, minute: r.minute, polls: r.polls, early: r.early, reason: r.reason }
        : {
            verdict: replay ? "not_reached" : "undecided",
            minute: null,
            polls: 0,
            early: false,
            reason: replay ? null : noDataWhy,
          },
    };
  });
}

async function backtestRelease(
  release: PastRelease,
  policy: BacktestPolicy,
  judge: Judge,
  source: SloSource,
  options: BacktestOptions,
): Promise<Result<BacktestRelease, ShipgateError>> {
  const parsed = releaseSpecSchema.safeParse({
    service: release.service,
    environment: release.environment,
    version: release.version,
    sha: release.sha,
    slo: policy.slo,
    policy: policy.policy,
    ...(policy.baseline ? { baseline: policy.baseline } : {}),
    ...(policy.stabilization_minutes !== undefined
      ? { stabilization_minutes: policy.stabilization_minutes }
      : {}),
  });
  if (!parsed.success) {
    return err(zodToShipgateError(parsed.error, "", `release ${release.version} in the history`));
  }
  const spec = parsed.data;
  const then = thenOf(release);
  let data: BacktestRelease["data"] = "slo_source";
  const replayed = await replayRelease(release, spec, judge, source, options.signal);
  if (replayed.isErr()) return err(replayed.error);
  let replay: ReleaseReplay | null = replayed.value;
  let noDataWhy = "";
  if (replay.notRetained) {
    const gone = replay.notRetained.step;
    noDataWhy = `${source.name} has no data for ${label(gone)} (${gone.startedAt}); the metrics are no longer retained`;
    const recorded = release.steps.flatMap((s) => s.observations);
    const everyStepRecorded = release.steps.every((s) => s.observations.length > 0);
    replay = null;
    if ((options.useRecorded ?? true) && everyStepRecorded) {
      // Recorded polls answer only the windows they cover: poll when they were taken
      // unless the candidate's interval is a whole number of them.
      const recordedMs = recorded[0]!.intervalMs;
      const pollMs = spec.policy.poll_interval_seconds * 1000;
      const replaySpec =
        pollMs % recordedMs === 0
          ? spec
          : { ...spec, policy: { ...spec.policy, poll_interval_seconds: recordedMs / 1000 } };
      const fromRecord = await replayRelease(
        release,
        replaySpec,
        judge,
        createRecordedSloSource(recorded),
        options.signal,
      );
      if (fromRecord.isErr()) return err(fromRecord.error);
      if (!fromRecord.value.notRetained) {
        replay = fromRecord.value;
        data = "recorded";
      } else noDataWhy += ", and the recorded polls do not cover the candidate's poll interval";
    } else noDataWhy += ", and no polls were recorded";
    if (!replay) data = "none";
  }
  const candidate = candidateOf(release, then, replay, noDataWhy);
  const changed =
    (then.decision === "promoted" && candidate.decision === "rollback") ||
    (then.decision === "rolled_back" &&
      (candidate.decision === "promote" || candidate.decision === "continue"));
  const comparable =
    (then.decision === "promoted" || then.decision === "rolled_back") &&
    (candidate.decision === "promote" || candidate.decision === "rollback") &&
    candidate.watched_minutes !== null;
  return ok({
    service: release.service,
    environment: release.environment,
    version: release.version,
    started: release.startedAt,
    report: release.reportPath,
    stable_version: release.stableVersion,
    data,
    actual: then,
    candidate,
    changed,
    minutes_delta: comparable
      ? minutes((candidate.watched_minutes! - then.watched_minutes) * 60_000)
      : null,
    steps: stepsOf(release, replay, noDataWhy),
  });
}

/** Totals over backtested releases. */
export function backtestTotals(releases: readonly BacktestRelease[]): BacktestTotals {
  const count = (f: (r: BacktestRelease) => boolean) => releases.filter(f).length;
  const deltas = releases.map((r) => r.minutes_delta ?? 0);
  return {
    releases: releases.length,
    would_roll_back: count((r) => r.candidate.decision === "rollback"),
    would_promote: count((r) => r.candidate.decision === "promote"),
    would_continue: count((r) => r.candidate.decision === "continue"),
    undecided: count((r) => r.candidate.decision === "undecided"),
    no_data: count((r) => r.candidate.decision === "no_data"),
    changed: count((r) => r.changed),
    promoted_then_rolled_back_now: count(
      (r) => r.actual.decision === "promoted" && r.candidate.decision === "rollback",
    ),
    rolled_back_then_not_now: count(
      (r) =>
        r.actual.decision === "rolled_back" &&
        (r.candidate.decision === "promote" || r.candidate.decision === "continue"),
    ),
    minutes_saved: minutes(-deltas.filter((d) => d < 0).reduce((a, d) => a + d, 0) * 60_000),
    minutes_added: minutes(deltas.filter((d) => d > 0).reduce((a, d) => a + d, 0) * 60_000),
  };
}

/**
 * What a candidate release policy would have decided on past releases. For each release,
 * each step it ran is replayed over the same wall-clock window through the orchestrator's
 * own watch loop (`watchWindow`) on a virtual clock: the SLO source is asked for the canary
 * and stable tracks at the candidate's poll interval, and the candidate's judge decides.
 * Where the source no longer has the data, the polls recorded in `deploy-result.json` are
 * used; without them the release is `no_data`, never guessed. Nothing is deployed, tagged
 * or written; the result depends only on the history, the policy and the source's answers.
 * A source error (other than no data) fails the backtest rather than count as a decision.
 *
 * @example
 * ```ts
 * const history = await readReleaseHistory(store, { last: 50 }, { signal });
 * const report = await backtest(history._unsafeUnwrap(), candidate, slo, { signal });
 * // "no past healthy release may flip to rollback"
 * if (report.isOk() && report.value.totals.promoted_then_rolled_back_now > 0) process.exitCode = 1;
 * ```
 */
export function backtest(
  history: readonly PastRelease[],
  policy: BacktestPolicyInput | BacktestPolicy,
  slo: SloSource,
  options: BacktestOptions,
): ResultAsync<BacktestReport, ShipgateError> {
  const parsed = parseBacktestPolicy(policy);
  if (parsed.isErr()) return errAsync(parsed.error);
  const candidate = parsed.value;
  const judge = options.judge ?? judgeFor(candidate);
  const run = async (): Promise<Result<BacktestReport, ShipgateError>> => {
    const releases: BacktestRelease[] = [];
    for (const release of history) {
      if (options.signal.aborted) return err(abortedError(options.signal));
      if (release.steps.length === 0) continue;
      const source = options.environmentSlo?.[release.environment] ?? slo;
      const one = await backtestRelease(release, candidate, judge, source, options);
      if (one.isErr()) return err(one.error);
      releases.push(one.value);
    }
    return ok({
      version: BACKTEST_REPORT_VERSION,
      slo_source: slo.name,
      judge: judge.name,
      poll_interval_seconds: candidate.policy.poll_interval_seconds,
      releases,
      totals: backtestTotals(releases),
    });
  };
  return new ResultAsync(
    run().catch((cause: unknown) =>
      err(
        new ShipgateError("internal", `Unexpected failure in the backtest: ${String(cause)}`, {
          cause,
        }),
      ),
    ),
  );
}
