import type { CiCheck } from "../contracts/ci-provider.js";
import type { SmokeCheckResult } from "../contracts/smoke-check.js";
import type { JudgeCheck, JudgeVerdict } from "../judge/judge.js";
import type { ReleaseOutcome } from "./release-outcome.js";

/** A reading of one poll, as shown live. Numbers are null when there was no data. */
export interface PollReading {
  /** `canary` while stepping, `stabilization` after promotion. */
  phase: "canary" | "stabilization";
  weight: number;
  poll: number;
  /** Virtual/real ms since the step's watch began, and the window length. */
  elapsedMs: number;
  windowMs: number;
  errorRate: number | null;
  p95LatencyMs: number | null;
  sampleCount: number | null;
  errorRateMax: number;
  p95LatencyMsMax: number;
  /** `hold`: stable is degraded too; `inconclusive`: too little evidence at the window's end. */
  verdict: "ok" | "breach" | "no_data" | "query_error" | "hold" | "inconclusive";
  /** The judge's reason for this poll's verdict. */
  detail: string;
  /** The judge's name and its verdict (null when the query failed). */
  judge?: string;
  judgeVerdict?: JudgeVerdict | null;
  /** Stable's reading over the same interval, when measured. */
  stableErrorRate?: number | null;
  stableP95LatencyMs?: number | null;
  stableSampleCount?: number | null;
  /** What the judge weighs for the step so far: canary requests, error rate, p95. */
  stepRequests?: number | null;
  stepErrorRate?: number | null;
  stepP95LatencyMs?: number | null;
  /** Canary ÷ stable over the step. */
  errorRateRatio?: number | null;
  p95Ratio?: number | null;
  /** Each comparison the judge made, with its limit, estimate and bounds. */
  checks?: JudgeCheck[];
}

/** Progress of a release, for live views and logs. `at` is ISO time on the release's clock. */
export type ReleaseEvent = {
  at: string;
  /** The environment the event happened in (releases with waves; absent otherwise). */
  environment?: string;
} & (
  | {
      type: "release.started";
      service: string;
      version: string;
      environment: string;
      sha: string;
      dryRun: boolean;
    }
  | { type: "lock.acquired"; ref: string; tookOverFrom?: string }
  | { type: "validate.passed"; tag: "new" | "reuse" }
  | { type: "preparation.finished"; ok: boolean; findings: number; failed: number }
  | { type: "ci.waiting"; pending: string[]; waitedMs: number }
  | { type: "ci.passed"; checks: number; ignored: string[] }
  | { type: "ci.blocked"; reason: string; failing: CiCheck[] }
  | { type: "signoff.waiting"; missing: string[] }
  | { type: "signoff.passed"; approvers: string[] }
  | { type: "preflight.passed"; facts: Record<string, string> }
  | {
      type: "tag.created" | "tag.reused";
      tag: string;
      sha: string;
      /** The remote the new tag was pushed to, when it was. */
      pushedTo?: string;
    }
  | { type: "canary.step.started"; weight: number; index: number; of: number; windowMs: number }
  | { type: "smoke.result"; result: SmokeCheckResult; phase: string }
  | ({ type: "canary.poll" } & PollReading)
  | {
      type: "canary.step.passed";
      weight: number;
      /** True when the step ended before its window on strong evidence. */
      early?: boolean;
      reason?: string;
      errorRate: number | null;
      p95LatencyMs: number | null;
    }
  | {
      type: "canary.step.extended";
      weight: number;
      phase: "canary" | "stabilization";
      windowMs: number;
      reason: string;
    }
  | { type: "canary.breach"; weight: number; reason: string }
  | { type: "promote.done" }
  | { type: "stabilization.started"; windowMs: number }
  | { type: "stabilization.passed"; errorRate: number | null; p95LatencyMs: number | null }
  | { type: "rollback.started"; reason: string }
  | { type: "rollback.finished"; verified: boolean; message: string }
  | {
      type: "incident.opened";
      sink: string;
      id: string;
      path?: string;
      url?: string;
      /** A recovery found this incident, filed before a crash, and did not file it again. */
      found?: true;
    }
  | { type: "incident.failed"; sink: string; error: string }
  | { type: "changelog.written"; changes: number; path: string }
  | { type: "notify.failed"; notifier: string; error: string }
  | { type: "report.written"; path: string }
  | { type: "warning"; message: string }
  | { type: "wave.started"; wave: number; of: number; environments: string[] }
  | {
      type: "wave.finished";
      wave: number;
      of: number;
      result: "promoted" | "stopped";
      environments: string[];
    }
  | { type: "wave.baking"; wave: number; bakeMs: number }
  | { type: "environment.started"; environment: string; wave: number }
  | {
      type: "environment.finished";
      environment: string;
      wave: number;
      state: "promoted" | "breached" | "failed" | "cancelled";
      summary?: string;
    }
  | { type: "environment.held"; environment: string; reason: string }
  | { type: "release.finished"; outcome: ReleaseOutcome }
);

/** The event types, for filtering. */
export type ReleaseEventType = ReleaseEvent["type"];
