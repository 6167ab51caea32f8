import { createSystemClock } from "@shipgate/core";
import { type CliIo, type OutputMode, printProblems } from "./cli-io.js";
import { loadConfigFile } from "./config-file.js";
import { DEFAULT_CONFIG } from "./release-setup.js";
import { buildReleaseStack } from "./stack-builder.js";

type BuiltStack = Extract<Awaited<ReturnType<typeof buildReleaseStack>>, { ok: true }>["built"];

/** The service a command is about: `--service`, else the config's `release.service`. */
export function serviceOf(flags: Record<string, unknown>, release: unknown): string | null {
  if (typeof flags.service === "string" && flags.service) return flags.service;
  const configured = (release as { service?: unknown } | undefined)?.service;
  return typeof configured === "string" && configured ? configured : null;
}

/**
 * For commands about one service's release state (`recover`, `status`): loads the config,
 * finds the service and builds its stack on the system clock. Prints the problems and
 * returns null when any step fails (the command then exits 1).
 */
export async function loadServiceStack(
  flags: Record<string, unknown>,
  io: CliIo,
  mode: OutputMode,
  noService: string,
): Promise<{ service: string; built: BuiltStack } | null> {
  const configPath = typeof flags.config === "string" ? flags.config : DEFAULT_CONFIG;
  const loaded = await loadConfigFile(configPath, { cwd: io.cwd });
  if (!loaded.ok) {
    printProblems(io, mode, loaded.problems, configPath);
    return null;
  }
  const service = serviceOf(flags, loaded.loaded.config.release);
  if (!service) {
    printProblems(io, mode, [
      {
        key: "--service",
        message: noService,
        hint: "pass --service <name> or set release.service in the config",
      },
    ]);
    return null;
  }
  const built = await buildReleaseStack({
    loaded: loaded.loaded,
    spec: null,
    clock: createSystemClock(),
    env: io.env,
  });
  if (!built.ok) {
    printProblems(io, mode, built.problems, loaded.loaded.path ?? undefined);
    return null;
  }
  return { service, built: built.built };
}
