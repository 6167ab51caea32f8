import { dirname } from "node:path";
import { createSystemClock } from "@shipgate/core";
import { type CliIo, outputMode, printProblems } from "./cli-io.js";
import { checkConfigText, readConfigText } from "./config-file.js";
import type { ConfigProblem } from "./config-problem.js";
import { mergeRelease, overridesFromFlags, validateReleaseInput } from "./release-input.js";
import { DEFAULT_CONFIG } from "./release-setup.js";
import { buildReleaseStack } from "./stack-builder.js";

/**
 * `shipgate config validate`: checks the whole config — YAML, inline secrets, unknown keys
 * and types, the release block (version and sha may be left to flags), and every provider
 * (package found, `with:` valid against its own schema, secrets' environment variables
 * set) — and prints every problem at once, one per line. Exit 0 when valid, 1 otherwise.
 * Nothing is written and no provider is called.
 */
export async function runConfigValidateCommand(
  flags: Record<string, unknown>,
  io: CliIo,
): Promise<number> {
  const mode = outputMode(io, flags);
  const path = typeof flags.config === "string" ? flags.config : DEFAULT_CONFIG;
  const read = await readConfigText(path, io.cwd);
  if (!read.ok) {
    printProblems(io, mode, [read.problem], path);
    return 1;
  }
  const problems: ConfigProblem[] = [];
  const checked = checkConfigText(read.text);
  problems.push(...checked.problems);
  const overrides = overridesFromFlags(flags);
  if (!overrides.ok) problems.push(...overrides.problems);

  const raw = checked.raw as Record<string, unknown> | null;
  const releaseBlock = raw?.release;
  let spec = null;
  if (
    overrides.ok &&
    raw &&
    (releaseBlock === undefined ||
      releaseBlock === null ||
      (typeof releaseBlock === "object" && !Array.isArray(releaseBlock)))
  ) {
    const input = mergeRelease(
      (releaseBlock ?? {}) as Record<string, unknown>,
      overrides.overrides,
    );
    const validated = validateReleaseInput(input, overrides.overrides, {
      allowMissing: ["version", "sha"],
    });
    if (validated.ok) spec = validated.spec;
    else problems.push(...validated.problems);
  }

  let providers: { key: string; provider: string; from: string }[] = [];
  if (checked.config) {
    const built = await buildReleaseStack({
      loaded: { path: read.absolute, dir: dirname(read.absolute), config: checked.config },
      spec,
      clock: createSystemClock(),
      env: io.env,
    });
    if (built.ok) providers = built.built.providers;
    else problems.push(...built.problems);
  }

  if (problems.length > 0) {
    printProblems(io, mode, problems, path);
    if (!mode.json) {
      io.stderr.write(
        `${problems.length} problem${problems.length === 1 ? "" : "s"} in ${path}: fix them and run \`shipgate config validate\` again\n`,
      );
    }
    return 1;
  }
  if (mode.json) {
    io.stdout.write(
      `${JSON.stringify({ type: "config.valid", file: read.absolute, providers })}\n`,
    );
  } else {
    const c = mode.colors;
    io.stdout.write(`${c.green("✔")} ${path} is valid\n`);
    for (const p of providers)
      io.stdout.write(
        `  ${p.key.padEnd(14)} ${p.provider}${p.from === "built-in" ? " (built-in)" : ""}\n`,
      );
    if (!spec)
      io.stdout.write(
        `  ${c.dim("release.version and release.sha are left to --version and --sha")}\n`,
      );
  }
  return 0;
}
