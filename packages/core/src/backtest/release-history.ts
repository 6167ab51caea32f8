import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { z } from "zod";
import { readFrontMatter } from "../artifacts/front-matter.js";
import type { ArtifactStore } from "../contracts/artifact-store.js";
import type { CallOptions } from "../contracts/call-options.js";
import { abortedError, ShipgateError } from "../errors/shipgate-error.js";
import type { PollObservation } from "../judge/judge.js";
import {
  recordedBoundsSchema,
  recordedObservations,
  recordedPollSchema,
} from "../release/recorded-observations.js";
import { zodToShipgateError } from "../release/zod-issues.js";

/** Where the orchestrator appends every step of every release. */
export const DEPLOY_RESULT_PATH = "devops/status/deploy-result.json";
/** Where release reports are written. */
export const REPORTS_DIR = "devops/reports";

const stepSchema = z.object({
  weight: z.number(),
  phase: z.enum(["canary", "stabilization"]),
  started: z.string(),
  ended: z.string().nullable(),
  sample_count: z.number().nullable().optional(),
  polls: z.number().optional(),
  verdict: z.string(),
  reason: z.string().nullable().optional(),
  latency_bounds_ms: recordedBoundsSchema.optional(),
  observations: z.array(recordedPollSchema).optional(),
});

/** The part of `devops/status/deploy-result.json` a backtest reads. */
export const deployResultFileSchema = z.object({
  releases: z.array(
    z.object({
      service: z.string(),
      environment: z.string(),
      version: z.string(),
      sha: z.string(),
      started: z.string(),
      stable_version: z.string().nullable().optional(),
      steps: z.array(stepSchema),
      /** A release with waves: each environment's steps (the release's `steps` stay empty). */
      environments: z
        .array(
          z.object({
            environment: z.string(),
            stable_version: z.string().nullable().optional(),
            steps: z.array(stepSchema),
          }),
        )
        .optional(),
    }),
  ),
});

/** One step of a past release, as recorded. */
export interface PastStep {
  /** The step's index in the release: canary steps in order, then stabilization. */
  index: number;
  weight: number;
  phase: "canary" | "stabilization";
  startedAt: string;
  endedAt: string | null;
  /** `passed`, `breached`, `inconclusive`, `error`, `cancelled` (as recorded). */
  verdict: string;
  reason: string | null;
  /** Requests the step saw (the judge's summary), where recorded. */
  sampleCount: number | null;
  /** The polls the orchestrator recorded for this step (empty for older files). */
  observations: PollObservation[];
}

/**
 * A past release that ran a canary, from `deploy-result.json` and its report. A release
 * with waves counts once per environment (each ran its own canary): `environment` names
 * it, `steps` are its own, and status and reason are the release's as a whole.
 */
export interface PastRelease {
  service: string;
  environment: string;
  version: string;
  sha: string;
  startedAt: string;
  /** The version the canary was compared with: recorded, else the report's `previous_release_tag`. */
  stableVersion: string | null;
  steps: PastStep[];
  /** From the report's front matter (`SUCCESS`, `ABORTED`, …); null when there is no report. */
  status: string | null;
  /** The outcome's reason (`slo_breach`, `smoke_failed`, …); null when there is no report. */
  reason: string | null;
  /** The report, relative to the artifacts root, where there is one. */
  reportPath: string | null;
}

/** Which past releases to read. */
export interface ReleaseHistoryOptions {
  service?: string;
  /** Only releases in this environment, or in any of these (the environments of waves). */
  environment?: string | readonly string[];
  /** Only releases started at or after this instant. */
  since?: Date;
  /** Only the newest `last` releases (after the other filters). */
  last?: number;
}

interface ReportFacts {
  path: string;
  status: string | null;
  reason: string | null;
  previousReleaseTag: string | null;
}

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

function key(service: string, version: string, started: string): string {
  const ms = Date.parse(started);
  return `${service}\u0000${version}\u0000${Number.isNaN(ms) ? started : ms}`;
}

function readReports(
  store: ArtifactStore,
  signal: AbortSignal,
): ResultAsync<Map<string, ReportFacts>, ShipgateError> {
  return store.list(REPORTS_DIR).andThen((names) => {
    const reports = names.filter((n) => /^release-.*\.md$/.test(n) && !n.endsWith("-dryrun.md"));
    return ResultAsync.combine(
      reports.map((n) => {
        if (signal.aborted) return errAsync(abortedError(signal));
        const path = `${REPORTS_DIR}/${n}`;
        return store.read(path).map((text) => ({ path, text }));
      }),
    ).map((read) => {
      const facts = new Map<string, ReportFacts>();
      for (const { path, text } of read) {
        const fm = text ? readFrontMatter(text) : null;
        if (!fm || fm.dry_run === true) continue;
        const service = str(fm.service);
        const version = str(fm.version);
        const started = str(fm.started);
        if (!service || !version || !started) continue;
        facts.set(key(service, version, started), {
          path,
          status: str(fm.status),
          reason: str(fm.reason),
          previousReleaseTag: str(fm.previous_release_tag),
        });
      }
      return facts;
    });
  });
}

/**
 * The releases that ran a canary, oldest first, from the artifacts: the steps (and, where
 * kept, each poll's readings) from `devops/status/deploy-result.json`, the outcome and
 * `previous_release_tag` from each report's front matter. Dry runs and releases stopped
 * before the canary have no steps and are not listed. Reads only.
 *
 * @example
 * ```ts
 * const history = await readReleaseHistory(createFsArtifactStore({ root }), { last: 50 }, { signal });
 * ```
 */
export function readReleaseHistory(
  store: ArtifactStore,
  options: ReleaseHistoryOptions,
  { signal }: CallOptions,
): ResultAsync<PastRelease[], ShipgateError> {
  if (signal.aborted) return errAsync(abortedError(signal));
  return store.read(DEPLOY_RESULT_PATH).andThen((text) => {
    if (text === null) return okAsync<PastRelease[], ShipgateError>([]);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      return errAsync(
        new ShipgateError("invalid_input", `${DEPLOY_RESULT_PATH} is not valid JSON`, {
          field: DEPLOY_RESULT_PATH,
          cause,
        }),
      );
    }
    const parsed = deployResultFileSchema.safeParse(json);
    if (!parsed.success) {
      return errAsync(zodToShipgateError(parsed.error, "", DEPLOY_RESULT_PATH));
    }
    return readReports(store, signal).map((reports) =>
      select(
        parsed.data.releases.flatMap((r) => {
          const report = reports.get(key(r.service, r.version, r.started)) ?? null;
          const release = (environment: string, stableVersion: string | null | undefined) => ({
            service: r.service,
            environment,
            version: r.version,
            sha: r.sha,
            startedAt: r.started,
            stableVersion: stableVersion ?? report?.previousReleaseTag ?? null,
            status: report?.status ?? null,
            reason: report?.reason ?? null,
            reportPath: report?.path ?? null,
          });
          if (r.environments?.length)
            return r.environments.map((e) => ({
              ...release(e.environment, e.stable_version ?? r.stable_version),
              steps: pastSteps(e.steps),
            }));
          return [{ ...release(r.environment, r.stable_version), steps: pastSteps(r.steps) }];
        }),
        options,
      ),
    );
  });
}

/** The recorded steps, indexed as the release ran them: canary steps in order, then stabilization. */
function pastSteps(steps: z.output<typeof stepSchema>[]): PastStep[] {
  const canarySteps = steps.filter((x) => x.phase === "canary").length;
  let canaryIndex = 0;
  return steps.map((s) => {
    const index = s.phase === "canary" ? canaryIndex++ : canarySteps;
    return {
      index,
      weight: s.weight,
      phase: s.phase,
      startedAt: s.started,
      endedAt: s.ended,
      verdict: s.verdict,
      reason: s.reason ?? null,
      sampleCount: s.sample_count ?? null,
      observations: recordedObservations(s, { stepIndex: index, weight: s.weight, phase: s.phase }),
    };
  });
}

function select(releases: PastRelease[], options: ReleaseHistoryOptions): PastRelease[] {
  const since = options.since?.getTime();
  const environments =
    options.environment === undefined ? null : new Set([options.environment].flat());
  const picked = releases
    .filter((r) => r.steps.length > 0)
    .filter((r) => !options.service || r.service === options.service)
    .filter((r) => !environments || environments.has(r.environment))
    .filter((r) => since === undefined || Date.parse(r.startedAt) >= since)
    .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  return options.last !== undefined
    ? picked.slice(Math.max(0, picked.length - options.last))
    : picked;
}
