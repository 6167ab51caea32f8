import type { StepRecord } from "../model/run-record.js";
import { boundsLine } from "./bounds-line.js";
import { prettyJson } from "./pretty-json.js";
import {
  MAX_RELEASES_WITH_SERIES,
  type RecordedStepSeries,
  recordStepSeries,
} from "./recorded-observations.js";
import type { RunContext } from "./run-context.js";

const PATH = "devops/status/deploy-result.json";

interface DeployResultFile {
  releases: {
    service: string;
    environment: string;
    version: string;
    sha: string;
    started: string;
    /** The version the canary was compared with (absent in files written before it was kept). */
    stable_version?: string | null;
    steps: ({
      weight: number;
      phase: string;
      started: string;
      ended: string | null;
      error_rate: number | null;
      p95_latency_ms: number | null;
      sample_count: number | null;
      polls: number;
      verdict: string;
      reason: string | null;
    } & Partial<RecordedStepSeries>)[];
    /** A release with waves: one entry per environment, its steps inside (`steps` stays empty). */
    environments?: {
      environment: string;
      wave: number;
      stable_version: string | null;
      steps: DeployResultFile["releases"][number]["steps"];
    }[];
  }[];
}

type ReleaseEntry = DeployResultFile["releases"][number];

/** A release's steps, its environments' included. */
function stepsOf(release: ReleaseEntry): ReleaseEntry["steps"] {
  return [...release.steps, ...(release.environments ?? []).flatMap((e) => e.steps)];
}

/** Each step's text in the file: a step never changes once appended (but for its series being dropped). */
const stepTexts = new WeakMap<object, { depth: number; text: string }>();
/**
 * A step as it reads in the file: indented JSON, but for its series, which would run to
 * hundreds of lines each: the histogram bounds (~130 numbers) go on one line, as the
 * counts do (run-length encoded), and each recorded poll on a line of its own.
 */
function stepText(step: ReleaseEntry["steps"][number], depth: number): string {
  const known = stepTexts.get(step);
  if (known?.depth === depth) return known.text;
  const text = prettyJson(
    step,
    (o, at) => {
      if (o === step.latency_bounds_ms) return boundsLine(step.latency_bounds_ms);
      if (o === step.observations) return linePerItem(step.observations, at);
      return undefined;
    },
    depth,
  );
  stepTexts.set(step, { depth, text });
  return text;
}

function linePerItem(items: readonly unknown[], depth: number): string {
  if (items.length === 0) return "[]";
  const inner = `\n${"  ".repeat(depth + 1)}`;
  let text = "[";
  for (let i = 0; i < items.length; i++)
    text += `${i === 0 ? "" : ","}${inner}${JSON.stringify(items[i])}`;
  return `${text}\n${"  ".repeat(depth)}]`;
}

/** The file as this run last wrote it: parsed again only when someone else changed it. */
const lastWritten = new WeakMap<RunContext["record"], { text: string; file: DeployResultFile }>();

/**
 * Appends a finished step to `devops/status/deploy-result.json`. The file keeps every
 * release's steps (newest last), so a later release does not erase an earlier one, and
 * the polls each step saw (bounded), so a policy can be backtested where the SLO source no
 * longer keeps the data.
 */
export function appendDeployResult(ctx: RunContext, step: StepRecord): Promise<void> {
  // Environments of a wave finish steps side by side: one read-modify-write at a time.
  const previous = pending.get(ctx.stack.artifacts) ?? Promise.resolve();
  const next = previous.then(() => append(ctx, step));
  pending.set(
    ctx.stack.artifacts,
    next.catch(() => undefined),
  );
  return next;
}

const pending = new WeakMap<object, Promise<void>>();

async function append(ctx: RunContext, step: StepRecord): Promise<void> {
  const { stack } = ctx;
  // An environment of a release with waves files its steps under the release's entry.
  const spec = ctx.environment?.parent.spec ?? ctx.spec;
  const read = await stack.artifacts.read(PATH);
  let file: DeployResultFile = { releases: [] };
  const mine = lastWritten.get(ctx.record);
  lastWritten.delete(ctx.record);
  if (read.isOk() && read.value && mine && mine.text === read.value) {
    file = mine.file;
  } else if (read.isOk() && read.value) {
    try {
      const parsed = JSON.parse(read.value) as DeployResultFile;
      if (Array.isArray(parsed.releases)) file = parsed;
    } catch {
      ctx.record.warnings.push(`${PATH} was not valid JSON; started a new one`);
    }
  }
  let release = file.releases.find(
    (r) =>
      r.service === spec.service &&
      r.version === spec.version &&
      r.started === ctx.record.startedAt,
  );
  if (!release) {
    release = {
      service: spec.service,
      environment: spec.environment,
      version: spec.version,
      sha: spec.sha,
      started: ctx.record.startedAt,
      stable_version: ctx.record.preflight?.stableVersion ?? null,
      steps: [],
    };
    file.releases.push(release);
  }
  let steps = release.steps;
  if (ctx.environment) {
    const name = ctx.environment.name;
    release.environments ??= [];
    let entry = release.environments.find((e) => e.environment === name);
    if (!entry) {
      entry = {
        environment: name,
        wave: ctx.spec.waves?.findIndex((w) => w.includes(name)) ?? -1,
        stable_version: ctx.record.preflight?.stableVersion ?? null,
        steps: [],
      };
      // In the plan's order, whichever environment of a wave finishes a step first.
      const order = (environment: string) => ctx.spec.waves?.flat().indexOf(environment) ?? -1;
      const after = release.environments.findIndex((e) => order(e.environment) > order(name));
      release.environments.splice(after === -1 ? release.environments.length : after, 0, entry);
    }
    steps = entry.steps;
  }
  steps.push({
    weight: step.weight,
    phase: step.phase,
    started: step.startedAt,
    ended: step.endedAt,
    error_rate: step.errorRate,
    p95_latency_ms: step.p95LatencyMs,
    sample_count: step.sampleCount,
    polls: step.polls,
    verdict: step.result,
    reason: step.reason,
    // What each poll saw, bounded (see recorded-observations.ts), for backtests.
    ...recordStepSeries(
      ctx.observations.filter((o) => o.phase === step.phase && o.weight === step.weight),
    ),
  });
  for (const old of file.releases.slice(0, -MAX_RELEASES_WITH_SERIES)) {
    for (const s of stepsOf(old)) {
      if (!s.observations && !s.latency_bounds_ms) continue;
      delete s.observations;
      delete s.latency_bounds_ms;
      stepTexts.delete(s);
    }
  }
  const allSteps = new Set<object>(file.releases.flatMap(stepsOf));
  const text = `${prettyJson(file, (o, depth) =>
    allSteps.has(o) ? stepText(o as ReleaseEntry["steps"][number], depth) : undefined,
  )}\n`;
  const written = await stack.artifacts.writeStatus(PATH, text);
  if (written.isOk()) lastWritten.set(ctx.record, { text, file });
  if (written.isErr())
    ctx.record.warnings.push(`could not write ${PATH}: ${written.error.describe()}`);
  else if (!ctx.record.paths.includes(written.value.path))
    ctx.record.paths.push(written.value.path);
}
