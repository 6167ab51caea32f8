import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { CliIo } from "./cli-io.js";
import { type CliCommand, COMMANDS } from "./command-table.js";
import type { ConfigProblem } from "./config-problem.js";
import { didYouMeanSuffix } from "./did-you-mean.js";

// This module is what `shipgate --help` and `--version` load: node built-ins and plain data
// only. Each command's dependencies (core, zod, yaml, adapters) load when it runs, and the
// colours only when there is something to print with them.

const mainHelp = () =>
  `shipgate — take a service from "merged" to "fully in production", or safely back.

Usage:
${COMMANDS.map((c) => `  shipgate ${c.name.padEnd(9)} ${c.usage}`).join("\n")}

Run \`shipgate <command> --help\` for a command's options.
Output: a live view on a terminal, one line per event otherwise, --json for NDJSON,
--quiet for the outcome only; NO_COLOR turns colours off.`;

function cliVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** Parses a command's arguments, naming an unknown option with a "did you mean". */
function parseCommand(
  args: string[],
  spec: CliCommand,
):
  | { ok: true; values: Record<string, unknown>; positionals: string[] }
  | { ok: false; problems: ConfigProblem[] } {
  const known = Object.keys(spec.options);
  const loose = parseArgs({
    args,
    options: spec.options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const problems: ConfigProblem[] = [];
  for (const token of loose.tokens ?? []) {
    if (
      token.kind === "option" &&
      !known.includes(token.name) &&
      !Object.values(spec.options).some((o) => o.short === token.name)
    ) {
      const suffix = didYouMeanSuffix(token.name, known);
      problems.push({
        key: token.rawName,
        message: `unknown option${suffix.replace(/"(.*)"/, '"--$1"')}`,
        hint: "run with --help to see the options",
      });
    }
  }
  if (problems.length) return { ok: false, problems };
  try {
    const parsed = parseArgs({ args, options: spec.options, strict: true, allowPositionals: true });
    if (!spec.positionals && parsed.positionals.length > 0) {
      return {
        ok: false,
        problems: [
          {
            key: "",
            message: `unexpected argument ${JSON.stringify(parsed.positionals[0])}`,
            hint: "run with --help to see the usage",
          },
        ],
      };
    }
    return {
      ok: true,
      values: parsed.values as Record<string, unknown>,
      positionals: parsed.positionals,
    };
  } catch (error) {
    return {
      ok: false,
      problems: [
        {
          key: "",
          message: String((error as Error).message).replace(/\.$/, ""),
          hint: "run with --help to see the usage",
        },
      ],
    };
  }
}

/**
 * The CLI: `shipgate <command> [options]`. Resolves to the exit code; never throws for a
 * user's mistake (every one is a line on stderr saying what to do, and exit 1).
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const args = [...argv];
  const first = args[0];
  if (first === undefined || first === "help" || first === "--help" || first === "-h") {
    io.stdout.write(`${mainHelp()}\n`);
    return first === undefined ? 1 : 0;
  }
  if (first === "--version" || first === "-V") {
    io.stdout.write(`${cliVersion()}\n`);
    return 0;
  }
  const fail = async (problems: ConfigProblem[]) => {
    const { outputMode, printProblems } = await import("./cli-io.js");
    printProblems(io, outputMode(io, {}), problems);
    return 1;
  };
  let name = first;
  let rest = args.slice(1);
  const subcommands = COMMANDS.filter((c) => c.name.startsWith(`${first} `));
  if (subcommands.length > 0) {
    name = `${first} ${args[1] ?? ""}`;
    rest = args.slice(2);
    if (!subcommands.some((c) => c.name === name)) {
      return fail([
        {
          key: "",
          message: `unknown ${first} command ${JSON.stringify(args[1] ?? "")}`,
          hint: `did you mean ${subcommands.map((c) => `\`shipgate ${c.name}\``).join(" or ")}?`,
        },
      ]);
    }
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const names = [...new Set(COMMANDS.map((c) => c.name.split(" ")[0]!))];
    return fail([
      {
        key: "",
        message: `unknown command ${JSON.stringify(first)}${didYouMeanSuffix(first, names)}`,
        hint: "run `shipgate --help` for the commands",
      },
    ]);
  }
  const parsed = parseCommand(rest, command);
  if (!parsed.ok) return fail(parsed.problems);
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(`${command.help}\n`);
    return 0;
  }
  try {
    const run = await command.load();
    return await run(values, positionals, io);
  } catch (error) {
    // A bug, not a user's mistake: say so, with where to report it.
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(
      `shipgate: internal error: ${text}\nThis is a bug in shipgate; please report it with the command you ran.\n`,
    );
    return 1;
  }
}
