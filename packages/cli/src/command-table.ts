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

/** A command's runner when it takes flags only, no positional arguments. */
function flagsOnly(
  run: (values: Record<string, unknown>, io: CliIo) => Promise<number>,
): CommandRun {
  return (values, _positionals, io) => run(values, io);
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
    load: async () => flagsOnly((await import("./release-command.js")).runReleaseCommand),
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
    load: async () => flagsOnly((await import("./plan-command.js")).runPlanCommand),
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
    load: async () => (await import("./simulate-command.js")).runSimulateCommand,
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
    load: async () => flagsOnly((await import("./demo-command.js")).runDemoCommand),
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
    name: "recover",
    usage: "[--config shipgate.yaml] [--resume] [--watchdog]",
    load: async () => flagsOnly((await import("./recover-command.js")).runRecoverCommand),
    options: {
      ...OUTPUT,
      config: { type: "string", short: "c" },
      service: { type: "string" },
      resume: { type: "boolean" },
      watchdog: { type: "boolean" },
    },
    help: `shipgate recover [--config shipgate.yaml] [--service name] [--resume] [--watchdog]

Finishes a release whose runner died (kill -9, a pre-empted or timed-out CI job): takes
the lock over from the dead holder, reads the release journal and, if that release did
not finish, aborts and rolls back a started canary, verifies the stable version, writes
the crashed attempt's report (reason recovered_after_crash), files the incident and
releases the lock. The next \`shipgate release\` does the same on its own.

  --resume   continue the release from its last passed canary step instead (after
             checking the deployer is where the journal left it), when its policy has
             resume_after_crash: true; without that policy nothing is changed (exit 1)
  --watchdog for a scheduled job (every few minutes) that makes sure no canary is left
             with nobody watching it: a live release holding the lock is watching its
             own canary, so that is exit 0 as well; the job fails only when it had to
             recover a release (3, or 1) or could not (1). Needs a lock and journal
             every runner sees (a Kubernetes Lease), not a file on a runner that died.

Exit codes: 0 nothing to recover, 1 recovered (nothing had been deployed) or error,
3 recovered and rolled back, 4 a live release holds the lock (0 with --watchdog).`,
  },
  {
    name: "status",
    usage: "[--config shipgate.yaml]",
    load: async () => flagsOnly((await import("./status-command.js")).runStatusCommand),
    options: { ...OUTPUT, config: { type: "string", short: "c" }, service: { type: "string" } },
    help: `shipgate status [--config shipgate.yaml] [--service name]

Shows the journal of the service's current or last release in plain words, who holds the
lock (and whether that holder is alive), and what to do next. Changes nothing.`,
  },
  {
    name: "backtest",
    usage: "[--config shipgate.yaml] [--policy candidate.yaml] [--last 50 | --since date]",
    load: async () => flagsOnly((await import("./backtest-command.js")).runBacktestCommand),
    options: {
      ...OUTPUT,
      config: { type: "string", short: "c" },
      policy: { type: "string", short: "p" },
      last: { type: "string" },
      since: { type: "string" },
      out: { type: "string", short: "o" },
    },
    help: `shipgate backtest [--config shipgate.yaml] [--policy candidate.yaml] [--last 50 | --since 2026-10-01] [--json] [--out FILE]

What a candidate release policy would have decided on past releases. Finds the releases
in the artifacts directory (devops/status/deploy-result.json and the reports' front
matter), asks the configured SLO source again for the same windows (canary and stable, at
the candidate's poll interval), runs the candidate's judge on a virtual clock, and prints
each release: what happened then, what the candidate would decide, at which step and
minute, and why; then totals. Where the source no longer has the metrics, the polls
recorded in deploy-result.json are used; without them the release is "no data".
Never deploys, tags or writes anything but --out.

  -c, --config <file>    config file (default shipgate.yaml): the SLO source, the artifacts
                         directory and the current policy (release.slo, release.policy, …)
  -p, --policy <file>    the candidate: a YAML file with slo/policy/baseline/
                         stabilization_minutes (or a shipgate.yaml); default: the current policy
      --last <n>         the newest n releases (default 50)
      --since <date>     releases started on or after this date (ISO, e.g. 2026-10-01)
      --json             the backtest as one JSON document (format version 1, see the README)
  -o, --out <file>       write the output to this file (never overwritten) instead of stdout

Exit codes: 0 the backtest ran, 1 invalid input, config or an SLO source error.`,
  },
  {
    name: "config validate",
    usage: "[--config shipgate.yaml]",
    load: async () =>
      flagsOnly((await import("./config-validate-command.js")).runConfigValidateCommand),
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
