import { createReleaseOrchestrator, createSystemClock } from "@shipgate/core";
import { chooseReporter } from "./choose-reporter.js";
import { type CliIo, outputMode, printProblems } from "./cli-io.js";
import { loadConfigFile } from "./config-file.js";
import { handleInterrupts } from "./interrupt.js";
import { DEFAULT_CONFIG } from "./release-setup.js";
import { buildReleaseStack } from "./stack-builder.js";

/** The service a command is about: `--service`, else the config's `release.service`. */
export function serviceOf(flags: Record<string, unknown>, release: unknown): string | null {
  if (typeof flags.service === "string" && flags.service) return flags.service;
  const configured = (release as { service?: unknown } | undefined)?.service;
  return typeof configured === "string" && configured ? configured : null;
}

/**
 * `shipgate recover`: finishes a release whose runner died (`kill -9`, a pre-empted CI
 * job). Takes the lock over from the dead holder, reads the journal and, if the release
 * did not finish, rolls a started canary back, verifies, writes the crashed attempt's
 * report (`recovered_after_crash`), files the incident and releases the lock. Exit 3 after
 * a rollback, 1 when nothing had been deployed, 0 when there was nothing to recover, 4
 * when a live release holds the lock. `--resume` continues the release from its last
 * passed canary step instead, when its policy allows it (`resume_after_crash`).
 */
export async function runRecoverCommand(
  flags: Record<string, unknown>,
  io: CliIo,
): Promise<number> {
  const mode = outputMode(io, flags);
  const configPath = typeof flags.config === "string" ? flags.config : DEFAULT_CONFIG;
  const loaded = await loadConfigFile(configPath, { cwd: io.cwd });
  if (!loaded.ok) {
    printProblems(io, mode, loaded.problems, configPath);
    return 1;
  }
  const service = serviceOf(flags, loaded.loaded.config.release);
  if (!service) {
    printProblems(io, mode, [
      {
        key: "--service",
        message: "no service to recover",
        hint: "pass --service <name> or set release.service in the config",
      },
    ]);
    return 1;
  }
  const built = await buildReleaseStack({
    loaded: loaded.loaded,
    spec: null,
    clock: createSystemClock(),
    env: io.env,
  });
  if (!built.ok) {
    printProblems(io, mode, built.problems, loaded.loaded.path ?? undefined);
    return 1;
  }
  const reporter = chooseReporter(io, mode, null);
  const controller = new AbortController();
  const removeHandlers = handleInterrupts(controller, reporter);
  try {
    const outcome = await createReleaseOrchestrator(built.built.stack).recover(
      { service, resume: flags.resume === true },
      { signal: controller.signal, onEvent: (event) => reporter.onEvent(event) },
    );
    if (!outcome) {
      if (mode.json) io.stdout.write(`${JSON.stringify({ type: "recover.nothing", service })}\n`);
      else
        io.stdout.write(
          `nothing to recover: the last release of ${service} finished (or there was none)\n`,
        );
      return 0;
    }
    reporter.finish(outcome, { artifactsRoot: built.built.artifactsRoot });
    return outcome.exitCode;
  } finally {
    reporter.dispose();
    removeHandlers();
  }
}
