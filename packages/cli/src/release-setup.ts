import type { ReleaseSpec } from "@shipgate/core";
import { type LoadedConfig, loadConfigFile } from "./config-file.js";
import type { ConfigProblem } from "./config-problem.js";
import {
  mergeRelease,
  overridesFromFlags,
  type ReleaseOverrides,
  validateReleaseInput,
} from "./release-input.js";

/** The config file, the merged release input and its validation. */
export interface PreparedRelease {
  loaded: LoadedConfig;
  overrides: ReleaseOverrides;
  /** The release block with the flags applied (what the orchestrator is given). */
  input: Record<string, unknown>;
  /** Null when only allowed keys were missing (`config validate`). */
  spec: ReleaseSpec | null;
}

/** Default config file name, looked up in the working directory. */
export const DEFAULT_CONFIG = "shipgate.yaml";

/**
 * Reads the flags and the config, merges the release block with the flags and validates
 * it. Every problem is returned (with the file it belongs to), nothing is written.
 */
export async function prepareRelease(
  flags: Record<string, unknown>,
  cwd: string,
  options: { allowMissing?: readonly string[] } = {},
): Promise<
  { ok: true; prepared: PreparedRelease } | { ok: false; where?: string; problems: ConfigProblem[] }
> {
  const overrides = overridesFromFlags(flags);
  if (!overrides.ok) return { ok: false, problems: overrides.problems };
  const configPath = typeof flags.config === "string" ? flags.config : DEFAULT_CONFIG;
  const loaded = await loadConfigFile(configPath, { cwd });
  if (!loaded.ok) return { ok: false, where: configPath, problems: loaded.problems };
  const input = mergeRelease(loaded.loaded.config.release, overrides.overrides);
  const validated = validateReleaseInput(input, overrides.overrides, options);
  if (!validated.ok && validated.problems.length > 0) {
    return { ok: false, where: configPath, problems: validated.problems };
  }
  return {
    ok: true,
    prepared: {
      loaded: loaded.loaded,
      overrides: overrides.overrides,
      input,
      spec: validated.ok ? validated.spec : null,
    },
  };
}
