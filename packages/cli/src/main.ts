import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { BACKTEST_COMMAND, runBacktestCommand } from "./backtest-command.js";
import { type CliIo, outputMode, printProblems } from "./cli-io.js";
import type { ConfigProblem } from "./config-problem.js";
import { runConfigValidateCommand } from "./config-validate-command.js";
import { runDemoCommand } from "./demo-command.js";
import { didYouMeanSuffix } from "./did-you-mean.js";
import { runPlanCommand } from "./plan-command.js";
import { runReleaseCommand } from "./release-command.js";
import { runSimulateCommand } from "./simulate-command.js";

type OptionSpec = { type: "string" | "boolean"; short?: string; multiple?: boolean };

const OUTPUT: Record<string, OptionSpec> = {
  json: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  "no-color": { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

const RELEASE_INPUT: Record<string, OptionSpec> = {
  config: { type: "string", short: "c" },
  version: { type: "string" },
  sha: { type: "string" },
  service: { type: "string" },
  environment: { type: "string" },
  "previous-release-tag": { type: "string" },
  "canary-steps": { type: "string" },
  set: { type: "string", multiple: true },
};

/** Each command: its options, whether it takes positionals, and its help. */
const COMMANDS: Record<
  string,
  { options: Record<string, OptionSpec>; positionals?: boolean; help: string }
> = {
  release: {
    options: { ...OUTPUT, ...RELEASE_INPUT, "dry-run": { type: "boolean" } },
    help: `shipgate release [--config shipgate.yaml] [--version v1.4.0 --sha <sha>] [--dry-run]

Runs a release with the providers named in the config: CI gate → tag → canary steps with
SLO checks → promote, or roll back and open an incident. Flags override config keys.

  -c, --config <file>            config file (default shipgate.yaml)
      --version <tag>            release.version, e.g. v1.4.0
      --sha <sha>                release.sha (40 hex characters)
      --service <name>           release.service
      --environment <name>       release.environment
      --previous-release-tag <t> release.previous_release_tag
      --canary-steps 5,25,100    release.canary_steps
      --set key=value            any release key, e.g. --set slo.window_minutes=5 (repeatable)
      --dry-run                  validate, gate and preflight only; tag and deploy nothing
      --json                     NDJSON events on stdout
  -q, --quiet                    print the outcome only
      --no-color                 no colours (also NO_COLOR=1)

Exit codes: 0 success, 1 invalid input/config/tool error, 2 blocked by CI or sign-off,
3 rolled back, 4 another release holds the lock, 130 cancelled (Ctrl-C).`,
  },
  plan: {
    options: { ...OUTPUT, ...RELEASE_INPUT, out: { type: "string", short: "o" } },
    help: `shipgate plan [--config shipgate.yaml] [--version v1.4.0 --sha <sha>] [--out plan.md]

The dry run as a document: what would be tagged, the rollout plan (steps, windows,
objectives, rollback trigger and method), the release checklist and the rollback steps.
Nothing is changed. Markdown on stdout, or written to --out (never overwritten).
Takes the same release flags as \`shipgate release\`. Exit code: the dry run's.`,
  },
  simulate: {
    options: {
      ...OUTPUT,
      out: { type: "string", short: "o" },
      verbose: { type: "boolean", short: "v" },
    },
    positionals: true,
    help: `shipgate simulate <scenario.yaml…> [--out dir] [--verbose]

Runs scenarios (core's scenario format) on a virtual clock and checks their \`expect\`.
Artifacts go under --out (default: a new temp dir, printed), one subdirectory per scenario.
Exit code: the release's for one scenario; 0 if every expectation held, else 1, for several.`,
  },
  demo: {
    options: {
      ...OUTPUT,
      scenario: { type: "string", short: "s" },
      dir: { type: "string" },
      "real-time": { type: "boolean" },
      "window-seconds": { type: "string" },
      "poll-seconds": { type: "string" },
    },
    help: `shipgate demo [--scenario success|breach|ci-red] [--dir path]

Makes a throwaway git repository with a realistic history and releases it end to end on
the embedded stack (git, file lock, file incidents, markdown changelog) with a simulated
deployer, metrics and CI, on a virtual clock. Prints where the report, incident and
changelog are. --dir chooses the directory (default: a new temp dir).`,
  },
  backtest: BACKTEST_COMMAND,
  "config validate": {
    options: {
      ...OUTPUT,
      config: { type: "string", short: "c" },
      version: { type: "string" },
      sha: { type: "string" },
      set: { type: "string", multiple: true },
    },
    help: `shipgate config validate [--config shipgate.yaml]

Checks the config — YAML, unknown keys, types, inline secrets, the release block, and
every provider's options and environment variables — and prints every problem at once.`,
  },
};

const MAIN_HELP = `shipgate — take a service from "merged" to "fully in production", or safely back.

Usage:
  shipgate release   [--config shipgate.yaml] [--version v1.4.0 --sha <sha>] [--dry-run]
  shipgate plan      [--config shipgate.yaml] [--out plan.md]
  shipgate simulate  <scenario.yaml…> [--out dir]
  shipgate demo      [--scenario success|breach|ci-red] [--dir path]
  shipgate config validate [--config shipgate.yaml]
  shipgate backtest  [--config shipgate.yaml] [--policy candidate.yaml] [--last 50 | --since date]

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
  spec: (typeof COMMANDS)[string],
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
    io.stdout.write(`${MAIN_HELP}\n`);
    return first === undefined ? 1 : 0;
  }
  if (first === "--version" || first === "-V") {
    io.stdout.write(`${cliVersion()}\n`);
    return 0;
  }
  let name = first;
  let rest = args.slice(1);
  if (first === "config") {
    if (args[1] !== "validate") {
      printProblems(io, outputMode(io, {}), [
        {
          key: "",
          message: `unknown config command ${JSON.stringify(args[1] ?? "")}`,
          hint: "did you mean `shipgate config validate`?",
        },
      ]);
      return 1;
    }
    name = "config validate";
    rest = args.slice(2);
  }
  const command = COMMANDS[name];
  if (!command) {
    printProblems(io, outputMode(io, {}), [
      {
        key: "",
        message: `unknown command ${JSON.stringify(first)}${didYouMeanSuffix(first, [...Object.keys(COMMANDS), "config"])}`,
        hint: "run `shipgate --help` for the commands",
      },
    ]);
    return 1;
  }
  const parsed = parseCommand(rest, command);
  if (!parsed.ok) {
    printProblems(io, outputMode(io, {}), parsed.problems);
    return 1;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(`${command.help}\n`);
    return 0;
  }
  try {
    switch (name) {
      case "release":
        return await runReleaseCommand(values, io);
      case "plan":
        return await runPlanCommand(values, io);
      case "simulate":
        return await runSimulateCommand(values, positionals, io);
      case "demo":
        return await runDemoCommand(values, io);
      case "backtest":
        return await runBacktestCommand(values, io);
      default:
        return await runConfigValidateCommand(values, io);
    }
  } catch (error) {
    // A bug, not a user's mistake: say so, with where to report it.
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(
      `shipgate: internal error: ${text}\nThis is a bug in shipgate; please report it with the command you ran.\n`,
    );
    return 1;
  }
}
