import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { appendFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import type { ReleaseEvent } from "@shipgate/core";
import { z } from "zod";
import { type CliIo, outputMode } from "./cli-io.js";
import { loadConfigFile } from "./config-file.js";
import { collectEvent, newRunSummary, renderJobSummary } from "./job-summary.js";
import { createPlainReporter } from "./plain-reporter.js";
import { displayPath } from "./reporter.js";
import { zodIssuesToProblems } from "./zod-problems.js";

/** The action's inputs, as the runner passes them (`INPUT_*`, strings). */
export const actionInputsSchema = z.object({
  INPUT_COMMAND: z
    .enum(["release", "watchdog", ""], { message: 'command must be "release" or "watchdog"' })
    .default(""),
  INPUT_VERSION: z.string().default(""),
  INPUT_SHA: z.string().default(""),
  INPUT_CONFIG: z.string().default(""),
  INPUT_DRY_RUN: z
    .enum(["true", "false", ""], { message: 'dry-run must be "true" or "false"' })
    .default(""),
  GITHUB_SHA: z.string().default(""),
});

/** Options of {@link runGitHubAction}. */
export interface GitHubActionOptions {
  /** The `shipgate` executable (the built `dist/bin.js`), run with this process's Node. */
  cliBin: string;
  io: CliIo;
  /** The process to relay SIGINT/SIGTERM from (default: this one). */
  signals?: NodeJS.EventEmitter;
}

/** Every exit code the action sets: shipgate's, or 128 + the signal that killed it. */
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGKILL: 137 };

/**
 * The GitHub Action's entry point: runs `shipgate release --json` (or, with the input
 * `command: watchdog`, `shipgate recover --watchdog --json`) with the runner's Node,
 * shows its events as plain log lines, writes the job summary (`$GITHUB_STEP_SUMMARY`) and
 * the outputs `status`, `exit-code`, `report`, `incident` (`$GITHUB_OUTPUT`), and resolves
 * to shipgate's exit code. Secrets reach shipgate only through the environment. A cancelled
 * job (SIGINT, then SIGTERM) is relayed to shipgate, which rolls a running canary back.
 */
export async function runGitHubAction(options: GitHubActionOptions): Promise<number> {
  const { io } = options;
  const env = io.env;
  const mode = outputMode(io, { "no-color": true });
  const inputs = actionInputsSchema.safeParse(env);
  if (!inputs.success) {
    for (const p of zodIssuesToProblems(inputs.error.issues, {
      prefix: "",
      schema: actionInputsSchema,
      input: env,
    }))
      io.stdout.write(`::error title=shipgate::${p.key}: ${p.message}\n`);
    await writeOutputs(env, { status: "FAILED", "exit-code": "1", report: "", incident: "" });
    return 1;
  }
  const input = inputs.data;
  const config = input.INPUT_CONFIG || "shipgate.yaml";
  const sha = input.INPUT_SHA || input.GITHUB_SHA;
  const watchdog = input.INPUT_COMMAND === "watchdog";
  const args = watchdog
    ? ["recover", "--watchdog", "--json", "--config", config]
    : ["release", "--json", "--config", config];
  if (!watchdog) {
    if (input.INPUT_VERSION) args.push("--version", input.INPUT_VERSION);
    if (sha) args.push("--sha", sha);
    if (input.INPUT_DRY_RUN === "true") args.push("--dry-run");
  }

  const child = spawn(process.execPath, [options.cliBin, ...args], {
    cwd: io.cwd,
    env: { ...env } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const signals = options.signals ?? process;
  let cancelled = 0;
  const relay = (signal: NodeJS.Signals) => {
    cancelled += 1;
    if (cancelled === 1)
      io.stdout.write(
        `::warning title=shipgate::${signal}: the job was cancelled; shipgate rolls a running canary back, writes the report and releases the lock\n`,
      );
    child.kill(signal);
  };
  const onInt = () => relay("SIGINT");
  const onTerm = () => relay("SIGTERM");
  signals.on("SIGINT", onInt);
  signals.on("SIGTERM", onTerm);

  const summary = newRunSummary();
  const reporter = createPlainReporter(io, mode);
  child.stderr.on("data", (chunk: Buffer) => io.stderr.write(chunk.toString()));
  const lines = createInterface({ input: child.stdout });
  lines.on("line", (line) => {
    let event: { type?: unknown; message?: unknown };
    try {
      event = JSON.parse(line);
    } catch {
      io.stdout.write(`${line}\n`);
      return;
    }
    if (typeof event.type !== "string") return;
    collectEvent(summary, event as ReleaseEvent);
    if (event.type === "recover.nothing" || event.type === "recover.watched")
      io.stdout.write(`nothing to recover: ${summary.nothingToRecover}\n`);
    else if (event.type === "cli.notice") reporter.notice(String(event.message));
    else if (event.type !== "cli.error") reporter.onEvent(event as ReleaseEvent);
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) =>
    child.on("close", (c, s) => done([c, s])),
  );
  signals.off("SIGINT", onInt);
  signals.off("SIGTERM", onTerm);

  const exitCode = code ?? (signal ? (SIGNAL_EXIT[signal] ?? 1) : 1);
  const outcome = summary.outcome;
  const root = await artifactsRoot(config, io.cwd);
  const workspace = env.GITHUB_WORKSPACE || io.cwd;
  const show = (p: string) => displayPath(root, p, workspace);
  if (outcome) reporter.finish(outcome, { artifactsRoot: root });

  const status = outcome
    ? outcome.reason === "cancelled"
      ? "CANCELLED"
      : outcome.status
    : exitCode === 130
      ? "CANCELLED"
      : exitCode === 0 && summary.nothingToRecover !== undefined
        ? "NOTHING_TO_RECOVER"
        : "FAILED";
  const incident =
    summary.incidents.find((i) => i.url)?.url ??
    (outcome?.paths.incident ? show(outcome.paths.incident) : "");
  await writeOutputs(env, {
    status,
    "exit-code": String(exitCode),
    report: outcome?.paths.report ? show(outcome.paths.report) : "",
    incident,
  });
  const runUrl =
    env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
      ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined;
  if (env.GITHUB_STEP_SUMMARY)
    await appendFile(
      env.GITHUB_STEP_SUMMARY,
      renderJobSummary(summary, { show, ...(runUrl ? { runUrl } : {}) }),
    );
  if (exitCode !== 0 && outcome)
    io.stdout.write(`::error title=shipgate ${status}::${outcome.summary}\n`);
  return exitCode;
}

/** Where the config puts its artifacts (its `artifacts_dir`, from the config's directory). */
async function artifactsRoot(config: string, cwd: string): Promise<string> {
  const loaded = await loadConfigFile(config, { cwd });
  if (!loaded.ok) return cwd;
  return resolve(loaded.loaded.dir, loaded.loaded.config.artifacts_dir);
}

/**
 * Appends outputs to `$GITHUB_OUTPUT` in the multi-line form (`name<<delimiter`), so a value
 * can never end one output and start another.
 */
export async function writeOutputs(
  env: Readonly<Record<string, string | undefined>>,
  outputs: Record<string, string>,
): Promise<void> {
  if (!env.GITHUB_OUTPUT) return;
  let text = "";
  for (const [name, value] of Object.entries(outputs)) {
    const delimiter = `ghadelimiter_${randomUUID()}`;
    text += `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
  }
  await appendFile(env.GITHUB_OUTPUT, text);
}
