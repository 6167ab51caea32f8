import pc from "picocolors";
import type { Colors } from "picocolors/types";
import type { ConfigProblem } from "./config-problem.js";
import { formatProblem } from "./config-problem.js";

/** A stream the CLI writes to. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Everything the CLI touches of its process, injectable for tests. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** Output switches shared by every command. */
export interface OutputMode {
  json: boolean;
  quiet: boolean;
  /** stdout is a terminal (and not `--json`): the live view may redraw. */
  tty: boolean;
  colors: Colors;
  /** Colours for stderr. */
  errColors: Colors;
}

/**
 * Colours only on a terminal, never with `NO_COLOR` (any value), `--no-color`,
 * `TERM=dumb` or `--json`; `FORCE_COLOR` (not "0") forces them on. picocolors' own
 * detection also turns colours on for any `CI` variable even when piped, which is not
 * what a log file wants.
 */
export function colorsEnabled(
  stream: OutputStream,
  env: Readonly<Record<string, string | undefined>>,
  flags: { noColor?: boolean; json?: boolean },
): boolean {
  if (flags.noColor || flags.json) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  if (env.TERM === "dumb") return false;
  return stream.isTTY === true;
}

/** Builds the output mode from the common flags. */
export function outputMode(
  io: CliIo,
  flags: { json?: boolean; quiet?: boolean; "no-color"?: boolean },
): OutputMode {
  const json = flags.json === true;
  return {
    json,
    quiet: flags.quiet === true,
    tty: !json && io.stdout.isTTY === true && io.env.TERM !== "dumb",
    colors: pc.createColors(colorsEnabled(io.stdout, io.env, { noColor: flags["no-color"], json })),
    errColors: pc.createColors(colorsEnabled(io.stderr, io.env, { noColor: flags["no-color"] })),
  };
}

/**
 * Prints problems, one line each, to stderr (`shipgate: <file>: <key>: <message> — <hint>`),
 * and as one NDJSON line on stdout with `--json`.
 */
export function printProblems(
  io: CliIo,
  mode: Pick<OutputMode, "json" | "errColors">,
  problems: readonly ConfigProblem[],
  where?: string,
): void {
  const c = mode.errColors;
  for (const problem of problems) {
    io.stderr.write(
      `${c.red("shipgate: error:")} ${where ? `${where}: ` : ""}${formatProblem(problem)}\n`,
    );
  }
  if (mode.json) {
    io.stdout.write(
      `${JSON.stringify({ type: "cli.error", file: where ?? null, problems, exitCode: 1 })}\n`,
    );
  }
}
