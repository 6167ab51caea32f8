import { stat, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import {
  type ChangeRecord,
  type CiCheck,
  createFsArtifactStore,
  createReleaseOrchestrator,
  createSystemClock,
  type PreflightReport,
  type PreparationReport,
  type ReleaseEvent,
  type ReleaseStack,
  type SignOff,
} from "@shipgate/core";
import { type CliIo, outputMode, printProblems } from "./cli-io.js";
import { outcomeLine } from "./event-format.js";
import { handleInterrupts } from "./interrupt.js";
import { type PlanFacts, renderPlanMarkdown } from "./plan-document.js";
import { prepareRelease } from "./release-setup.js";
import { createScratchArtifactStore, createScratchLock } from "./scratch-stack.js";
import { buildReleaseStack } from "./stack-builder.js";

/** Records what the dry run learns from the providers, without changing what they answer. */
function observe(stack: ReleaseStack) {
  const seen = {
    preparation: null as PreparationReport | null,
    ciChecks: null as CiCheck[] | null,
    preflight: null as PreflightReport | null,
    signOffs: null as SignOff[] | null,
    releaseBranch: null as string | null,
  };
  const { sourceControl, ci, deployer, approvals, prepare } = stack;
  const observed: ReleaseStack = {
    ...stack,
    sourceControl: {
      ...sourceControl,
      name: sourceControl.name,
      getCommit: (sha, o) =>
        sourceControl.getCommit(sha, o).map((c) => {
          seen.releaseBranch = c.releaseBranch;
          return c;
        }),
      getTag: (n, o) => sourceControl.getTag(n, o),
      createAnnotatedTag: (r, o) => sourceControl.createAnnotatedTag(r, o),
      listChanges: (r, o) => sourceControl.listChanges(r, o),
    },
    ci: {
      name: ci.name,
      listChecks: (sha, o) =>
        ci.listChecks(sha, o).map((checks) => {
          seen.ciChecks = checks;
          return checks;
        }),
    },
    deployer: {
      ...deployer,
      name: deployer.name,
      preflight: (t, o) =>
        deployer.preflight(t, o).map((p) => {
          seen.preflight = p;
          return p;
        }),
      start: (t, o) => deployer.start(t, o),
      setWeight: (t, w, o) => deployer.setWeight(t, w, o),
      status: (t, o) => deployer.status(t, o),
      promote: (t, o) => deployer.promote(t, o),
      abort: (t, o) => deployer.abort(t, o),
      rollback: (t, o) => deployer.rollback(t, o),
      verifyStable: (t, o) => deployer.verifyStable(t, o),
    },
    approvals: approvals
      ? {
          name: approvals.name,
          listSignOffs: (r, o) =>
            approvals.listSignOffs(r, o).map((s) => {
              seen.signOffs = s;
              return s;
            }),
        }
      : undefined,
    prepare: prepare
      ? (spec, signal) =>
          prepare(spec, signal).map((report) => {
            seen.preparation = report;
            return report;
          })
      : undefined,
  };
  return { observed, seen };
}

/**
 * `shipgate plan`: the dry run as a document. Runs the real dry run (validation,
 * preparation, CI gate, sign-off, preflight — read-only calls) with a lock and an artifact
 * store that keep nothing, lists the pull requests that would ship, and prints the plan
 * as markdown (or writes it to `--out`, which must not exist). Exit code: the dry run's.
 */
export async function runPlanCommand(flags: Record<string, unknown>, io: CliIo): Promise<number> {
  const mode = outputMode(io, flags);
  const prepared = await prepareRelease(flags, io.cwd);
  if (!prepared.ok) {
    printProblems(io, mode, prepared.problems, prepared.where);
    return 1;
  }
  const outPath = typeof flags.out === "string" ? resolve(io.cwd, flags.out) : null;
  const outProblem = (code: string | undefined, message: string) => {
    printProblems(io, mode, [
      {
        key: "--out",
        message:
          code === "EEXIST"
            ? `${flags.out} already exists`
            : `cannot create ${flags.out}: ${message}`,
        hint:
          code === "EEXIST"
            ? "choose another file name or delete the old plan"
            : "check the directory exists and is writable",
      },
    ]);
    return 1;
  };
  // Fail before the dry run when the plan could not be written; the write itself is
  // exclusive too, so a plan never overwrites anything.
  if (outPath && (await exists(outPath))) return outProblem("EEXIST", "");
  {
    const { loaded, input, spec } = prepared.prepared;
    const clock = createSystemClock();
    const artifactsRoot = resolve(loaded.dir, loaded.config.artifacts_dir);
    const built = await buildReleaseStack({
      loaded,
      spec,
      clock,
      env: io.env,
      artifacts: createScratchArtifactStore(createFsArtifactStore({ rootDir: artifactsRoot })),
    });
    if (!built.ok) {
      printProblems(io, mode, built.problems, loaded.path ?? undefined);
      return 1;
    }
    const realLock = built.built.stack.lock;
    const realLockName = realLock.name;
    // Read-only: would the real release be refused by a live holder right now?
    const lockState: PlanFacts["lockState"] = !spec
      ? null
      : realLock.inspect
        ? await realLock.inspect(spec.service, { signal: new AbortController().signal }).match(
            (state) => state,
            (error) => ({ error: error.describe() }),
          )
        : "unknown";
    const planned = built.built.stack;
    const { observed, seen } = observe({
      ...planned,
      lock: createScratchLock(),
      // Nor any environment's own lock (a Lease in its cluster).
      ...(planned.environments
        ? {
            environments: Object.fromEntries(
              Object.entries(planned.environments).map(([name, env]) => [
                name,
                env.lock ? { ...env, lock: createScratchLock() } : env,
              ]),
            ),
          }
        : {}),
    });
    const events: ReleaseEvent[] = [];
    const controller = new AbortController();
    const removeHandlers = handleInterrupts(controller, {
      notice: (m) => io.stderr.write(`${m}\n`),
    });
    let outcome: Awaited<ReturnType<ReturnType<typeof createReleaseOrchestrator>["release"]>>;
    let changes: PlanFacts["changes"] = null;
    try {
      outcome = await createReleaseOrchestrator(observed).release(input, {
        dryRun: true,
        signal: controller.signal,
        onEvent: (e) => {
          events.push(e);
          if (mode.json) io.stdout.write(`${JSON.stringify(e)}\n`);
        },
      });
      if (spec && events.some((e) => e.type === "validate.passed")) {
        const listed = await observed.sourceControl.listChanges(
          { fromTag: spec.previous_release_tag, toSha: spec.sha },
          { signal: controller.signal },
        );
        changes = listed.isOk()
          ? (listed.value as ChangeRecord[])
          : { error: listed.error.describe() };
      }
    } finally {
      removeHandlers();
    }
    if (!spec) return outcome.exitCode;
    const stack = built.built.stack;
    const markdown = renderPlanMarkdown({
      spec,
      outcome,
      events,
      ...seen,
      changes,
      lockState,
      providers: {
        sourceControl: stack.sourceControl.name,
        ci: stack.ci.name,
        deployer: stack.deployer.name,
        slo: stack.slo.name,
        approvals: stack.approvals?.name ?? null,
        incidents: (stack.incidents ?? []).map((s) => s.name),
        notifiers: (stack.notifiers ?? []).map((n) => n.name),
        smokeChecks: (stack.smokeChecks ?? []).map((s) => s.name),
        lock: realLockName,
        ...(stack.environments
          ? {
              environments: Object.fromEntries(
                Object.entries(stack.environments).map(([name, env]) => [
                  name,
                  { deployer: env.deployer.name, slo: env.slo.name, lock: env.lock?.name ?? null },
                ]),
              ),
            }
          : {}),
      },
      generatedAt: new Date(clock.now()).toISOString(),
    });
    if (outPath) {
      try {
        await writeFile(outPath, markdown, { encoding: "utf8", flag: "wx" });
      } catch (error) {
        return outProblem((error as NodeJS.ErrnoException).code, (error as Error).message);
      }
      if (mode.json) {
        io.stdout.write(
          `${JSON.stringify({ type: "plan.written", path: outPath, exitCode: outcome.exitCode })}\n`,
        );
      } else {
        io.stdout.write(`plan written to ${flags.out}\n${outcomeLine(outcome, mode.colors)}\n`);
      }
    } else if (!mode.json) {
      io.stdout.write(markdown);
    } else {
      io.stdout.write(
        `${JSON.stringify({ type: "plan", markdown, exitCode: outcome.exitCode })}\n`,
      );
    }
    return outcome.exitCode;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
