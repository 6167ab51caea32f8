import { execFile } from "node:child_process";
import { basename } from "node:path";
import { err, ok, type Result } from "neverthrow";
import type { Clock } from "../contracts/clock.js";
import type { SmokeCheck, SmokeCheckContext } from "../contracts/smoke-check.js";
import { abortedError, ShipgateError } from "../errors/shipgate-error.js";
import type { SmokeCheckSpec } from "../model/release-spec.js";
import { runSmokeAttempts, type SmokeAttemptOutcome, smokeRetryTiming } from "./smoke-attempts.js";

/** A command smoke check as declared in the release spec (defaults applied). */
export type CommandSmokeCheckSpec = Extract<SmokeCheckSpec, { type: "command" }>;

/** Dependencies of {@link createCommandSmokeCheck}; all optional. */
export interface CommandSmokeCheckDeps {
  /** Used only for the pauses between retries; defaults to real time. */
  clock?: Clock;
  /** Pause between a failed attempt and the next, in ms (default 1000). */
  retryDelayMs?: number;
  /** Working directory of the command; defaults to the process's. */
  cwd?: string;
  /** Base environment of the command; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** Output beyond this kills the probe (execFile's `maxBuffer`); a smoke command should be quiet. */
const MAX_OUTPUT_BYTES = 8 * 1024 * 1024;
/** After the process exits, wait this long for its pipes to close (a grandchild may hold them). */
const PIPE_GRACE_MS = 500;
const MAX_STDERR_LINE = 200;

/**
 * A smoke check that runs a program (argv, no shell) and passes when it exits with code 0
 * within `timeout_ms`; on timeout the process is killed (SIGKILL).
 *
 * The command sees the release in its environment: `SHIPGATE_SERVICE`,
 * `SHIPGATE_ENVIRONMENT`, `SHIPGATE_VERSION`, `SHIPGATE_PHASE` and `SHIPGATE_WEIGHT`.
 * `detail` names only the program (never its arguments, which may hold secrets), the exit
 * code and the last line of stderr. A program that cannot be started (not found, not
 * executable) is an `invalid_input` error, not a failed probe: it is a config mistake.
 *
 * @example
 * ```ts
 * const check = createCommandSmokeCheck({
 *   type: "command", name: "checkout-e2e", command: ["./scripts/smoke.sh", "--fast"],
 *   timeout_ms: 30_000, retries: 0,
 * });
 * const result = await check.run(context, { signal });
 * // ok({ name: "checkout-e2e", passed: false, detail: "smoke.sh exited 3 in 812 ms: cart empty", ... })
 * ```
 */
export function createCommandSmokeCheck(
  spec: CommandSmokeCheckSpec,
  deps: CommandSmokeCheckDeps = {},
): SmokeCheck {
  const { clock, retryDelayMs } = smokeRetryTiming(deps);
  const [file, ...args] = spec.command as [string, ...string[]];
  const program = basename(file);

  const attempt = (
    context: SmokeCheckContext,
    signal: AbortSignal,
  ): Promise<Result<SmokeAttemptOutcome, ShipgateError>> =>
    new Promise((resolve) => {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      const env = {
        ...(deps.env ?? process.env),
        SHIPGATE_SERVICE: context.service,
        SHIPGATE_ENVIRONMENT: context.environment,
        SHIPGATE_VERSION: context.version,
        SHIPGATE_PHASE: context.phase,
        SHIPGATE_WEIGHT: String(context.weight),
      };
      let pipeGrace: NodeJS.Timeout | undefined;
      const child = execFile(
        file,
        args,
        {
          cwd: deps.cwd,
          env,
          timeout: spec.timeout_ms,
          killSignal: "SIGKILL",
          signal,
          maxBuffer: MAX_OUTPUT_BYTES,
          encoding: "utf8",
          windowsHide: true,
        },
        (error, _stdout, stderr) => {
          if (pipeGrace) clearTimeout(pipeGrace);
          const lastLine = lastStderrLine(stderr);
          const suffix = lastLine ? `: ${lastLine}` : "";
          if (!error) {
            resolve(
              ok({
                passed: true,
                detail: `${program} exited 0 in ${elapsed()} ms${suffix}`,
                elapsedMs: elapsed(),
              }),
            );
            return;
          }
          if (signal.aborted) {
            resolve(err(abortedError(signal)));
            return;
          }
          const failure = error as NodeJS.ErrnoException & {
            killed?: boolean;
            signal?: string | null;
            code?: unknown;
          };
          if (
            typeof failure.code === "string" &&
            failure.code !== "ERR_CHILD_PROCESS_STDIO_MAXBUFFER"
          ) {
            // spawn failed (ENOENT, EACCES…): the check is misconfigured, it never ran.
            resolve(
              err(
                new ShipgateError(
                  "invalid_input",
                  `smoke check ${spec.name}: cannot start ${program} (${failure.code})`,
                  {
                    field: "smoke_checks.command",
                    hint: "command is an argv list: the first entry must be an executable on PATH or a path to one",
                    cause: error,
                  },
                ),
              ),
            );
            return;
          }
          let why: string;
          if (failure.code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER") {
            why = `${program} wrote more than ${MAX_OUTPUT_BYTES} bytes of output and was killed`;
          } else if (failure.killed) {
            // Only our own kill sets `killed`; the caller's abort was handled above, so this is the timeout.
            why = `${program} timed out after ${spec.timeout_ms} ms and was killed`;
          } else if (typeof failure.code === "number") {
            why = `${program} exited ${failure.code} in ${elapsed()} ms`;
          } else {
            why = `${program} was killed by ${failure.signal ?? "a signal"} after ${elapsed()} ms`;
          }
          resolve(ok({ passed: false, detail: `${why}${suffix}`, elapsedMs: elapsed() }));
        },
      );
      child.stdin?.end();
      child.once("exit", () => {
        pipeGrace = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
        }, PIPE_GRACE_MS);
        pipeGrace.unref();
      });
    });

  return {
    name: spec.name,
    run(context, { signal }) {
      return runSmokeAttempts(spec.name, spec.retries, (s) => attempt(context, s), {
        clock,
        retryDelayMs,
        signal,
      });
    },
  };
}

/** The last non-empty line of stderr, trimmed to {@link MAX_STDERR_LINE} characters. */
function lastStderrLine(stderr: string | undefined): string {
  if (!stderr) return "";
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const last = lines[lines.length - 1] ?? "";
  return last.length > MAX_STDERR_LINE ? `${last.slice(0, MAX_STDERR_LINE - 1)}…` : last;
}
