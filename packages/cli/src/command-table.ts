import type { CliIo } from "./cli-io.js";

/** One option of a command, as `node:util` `parseArgs` takes it. */
export type OptionSpec = { type: "string" | "boolean"; short?: string; multiple?: boolean };

/** Runs a parsed command; resolves to the exit code. */
export type CommandRun = (
  values: Record<string, unknown>,
  positionals: string[],
  io: CliIo,
) => Promise<number>;

/**
 * A `shipgate` command. Its options and help are plain data, so `--help`, `--version` and
 * argument errors never load a command's dependencies; `load` imports the command's module
 * only when it runs. To add a command, add an entry with its own `*-command.ts` module.
 */
export interface CliCommand {
  /** `release`, or two words for a sub-command (`config validate`). */
  name: string;
  /** Its line in `shipgate --help`. */
  usage: string;
  options: Record<string, OptionSpec>;
  /** Whether it takes positional arguments. */
  positionals?: boolean;
  /** `shipgate <command> --help`. */
  help: string;
  /** Imports the command's module and returns its runner. */
  load: () => Promise<CommandRun>;
}

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

/** The commands, in the order `shipgate --help` lists them. */
export const COMMANDS: readonly CliCommand[] = [
  {
    name: "release",
    usage: "[--config shipgate.yaml] [--version v1.4.0 --sha <sha>] [--dry-run]",
    load: async () => {
      const { runReleaseCommand } = await import("./release-command.js");
      return (values, _positionals, io) => runReleaseCommand(values, io);
    },
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
  {
    name: "plan",
    usage: "[--config shipgate.yaml] [--out plan.md]",
    load: async () => {
      const { runPlanCommand } = await import("./plan-command.js");
      return (values, _positionals, io) => runPlanCommand(values, io);
    },
    options: { ...OUTPUT, ...RELEASE_INPUT, out: { type: "string", short: "o" } },
    help: `shipgate plan [--config shipgate.yaml] [--version v1.4.0 --sha <sha>] [--out plan.md]

The dry run as a document: what would be tagged, the rollout plan (steps, windows,
objectives, rollback trigger and method), the release checklist and the rollback steps.
Nothing is changed. Markdown on stdout, or written to --out (never overwritten).
Takes the same release flags as \`shipgate release\`. Exit code: the dry run's.`,
  },
  {
    name: "simulate",
    usage: "<scenario.yaml…> [--out dir]",
    load: async () => {
      const { runSimulateCommand } = await import("./simulate-command.js");
      return (values, positionals, io) => runSimulateCommand(values, positionals, io);
    },
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
  {
    name: "demo",
    usage: "[--scenario success|breach|ci-red] [--dir path]",
    load: async () => {
      const { runDemoCommand } = await import("./demo-command.js");
      return (values, _positionals, io) => runDemoCommand(values, io);
    },
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
  {
    name: "config validate",
    usage: "[--config shipgate.yaml]",
    load: async () => {
      const { runConfigValidateCommand } = await import("./config-validate-command.js");
      return (values, _positionals, io) => runConfigValidateCommand(values, io);
    },
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
];
