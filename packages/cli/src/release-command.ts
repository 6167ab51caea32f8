import { createReleaseOrchestrator, createSystemClock } from "@shipgate/core";
import { chooseReporter } from "./choose-reporter.js";
import { type CliIo, outputMode, printProblems } from "./cli-io.js";
import { handleInterrupts } from "./interrupt.js";
import { prepareRelease } from "./release-setup.js";
import { buildReleaseStack } from "./stack-builder.js";

/**
 * `shipgate release`: validates the config and flags (exit 1, nothing written, on any
 * problem), builds the stack from the configured providers, runs the release on the wall
 * clock with Ctrl-C wired to a clean rollback, and exits with the outcome's code.
 */
export async function runReleaseCommand(
  flags: Record<string, unknown>,
  io: CliIo,
  options: { dryRun?: boolean } = {},
): Promise<number> {
  const mode = outputMode(io, flags);
  const prepared = await prepareRelease(flags, io.cwd);
  if (!prepared.ok) {
    printProblems(io, mode, prepared.problems, prepared.where);
    return 1;
  }
  const { loaded, input, spec } = prepared.prepared;
  const clock = createSystemClock();
  const built = await buildReleaseStack({ loaded, spec, clock, env: io.env });
  if (!built.ok) {
    printProblems(io, mode, built.problems, loaded.path ?? undefined);
    return 1;
  }
  const reporter = chooseReporter(io, mode, spec);
  const controller = new AbortController();
  const removeHandlers = handleInterrupts(controller, reporter);
  try {
    const outcome = await createReleaseOrchestrator(built.built.stack).release(input, {
      dryRun: options.dryRun ?? flags["dry-run"] === true,
      signal: controller.signal,
      onEvent: (event) => reporter.onEvent(event),
    });
    reporter.finish(outcome, { artifactsRoot: built.built.artifactsRoot });
    return outcome.exitCode;
  } finally {
    reporter.dispose();
    removeHandlers();
  }
}
