import { execFile } from "node:child_process";
import { err, ok, type Result, ResultAsync } from "neverthrow";
import { abortedError, ShipgateError } from "../errors/shipgate-error.js";

/** How {@link runGit} reaches git. */
export interface GitRunnerOptions {
  cwd: string;
  gitBinary: string;
  timeoutMs: number;
  /** Extra environment for every call (e.g. the tagger identity). */
  env?: Record<string, string>;
  /**
   * What the binary is called in messages, when it is not git (`ssh-keygen`, `gpg` for tag
   * signing reuse this runner). Default `git`.
   */
  toolName?: string;
}

/** What one git process printed. */
export interface GitOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Per-call options of {@link runGit}. */
export interface RunGitCallOptions {
  signal: AbortSignal;
  /** Exit codes other than 0 that are answers, not failures (`merge-base --is-ancestor` → 1). */
  okExitCodes?: readonly number[];
  /** Written to git's stdin (for `--stdin` forms that avoid argv length limits). */
  input?: string;
}

// Large histories print megabytes with --name-only; the default 1 MiB would cut them off.
const MAX_BUFFER = 512 * 1024 * 1024;

interface ExecFailure extends Error {
  code?: number | string;
  killed?: boolean;
  signal?: NodeJS.Signals | null;
}

/**
 * Runs `git <args>` without a shell and resolves to its output, or to a
 * {@link ShipgateError}: `aborted` when the signal fired, `timeout`, `unavailable` when the
 * binary cannot be started, and `internal` with git's stderr as `vendorMessage` for any
 * other non-zero exit. Never rejects.
 */
export function runGit(
  runner: GitRunnerOptions,
  args: readonly string[],
  options: RunGitCallOptions,
): ResultAsync<GitOutput, ShipgateError> {
  const tool = runner.toolName ?? "git";
  const request = `${tool} ${args.join(" ")}`.slice(0, 300);
  if (options.signal.aborted) {
    return new ResultAsync(Promise.resolve(errResult(abortedError(options.signal))));
  }
  const promise = new Promise<ResultLike<GitOutput>>((resolve) => {
    let child: ReturnType<typeof execFile>;
    try {
      child = execFile(
        runner.gitBinary,
        [...args],
        {
          cwd: runner.cwd,
          signal: options.signal,
          timeout: runner.timeoutMs,
          maxBuffer: MAX_BUFFER,
          encoding: "utf8",
          windowsHide: true,
          env: {
            ...process.env,
            // Stable, English, non-interactive output whatever the user's setup.
            LC_ALL: "C",
            LANG: "C",
            GIT_TERMINAL_PROMPT: "0",
            GIT_PAGER: "cat",
            ...runner.env,
          },
        },
        (error, stdout, stderr) => {
          const out = String(stdout ?? "");
          const errText = String(stderr ?? "").trim();
          if (!error) {
            resolve(okResult({ exitCode: 0, stdout: out, stderr: errText }));
            return;
          }
          const failure = error as ExecFailure;
          if (
            options.signal.aborted ||
            failure.name === "AbortError" ||
            failure.code === "ABORT_ERR"
          ) {
            resolve(errResult(abortedError(options.signal)));
            return;
          }
          if (failure.killed && typeof failure.code !== "number") {
            resolve(
              errResult(
                new ShipgateError(
                  "timeout",
                  `${tool} did not finish within ${runner.timeoutMs} ms`,
                  {
                    request,
                    hint: "Raise timeoutMs, or check the repository is local and not locked",
                  },
                ),
              ),
            );
            return;
          }
          if (failure.code === "ENOENT") {
            resolve(
              errResult(
                new ShipgateError(
                  "unavailable",
                  `Cannot run ${tool}: "${runner.gitBinary}" was not found`,
                  {
                    request,
                    retryable: false,
                    hint:
                      tool === "git"
                        ? "Install git or set gitBinary to its path"
                        : `Install ${tool} (it is needed to sign tags)`,
                    cause: error,
                  },
                ),
              ),
            );
            return;
          }
          if (failure.code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER") {
            resolve(
              errResult(
                new ShipgateError(
                  "internal",
                  `${tool} printed more output than shipgate can buffer`,
                  {
                    request,
                    cause: error,
                  },
                ),
              ),
            );
            return;
          }
          if (typeof failure.code === "number") {
            if (options.okExitCodes?.includes(failure.code)) {
              resolve(okResult({ exitCode: failure.code, stdout: out, stderr: errText }));
              return;
            }
            resolve(errResult(gitFailure(tool, request, failure.code, errText, error)));
            return;
          }
          resolve(
            errResult(
              new ShipgateError("internal", `${tool} failed: ${failure.message}`, {
                request,
                vendorMessage: errText || undefined,
                cause: error,
              }),
            ),
          );
        },
      );
    } catch (thrown) {
      // execFile throws synchronously only for invalid arguments (e.g. a NUL byte).
      resolve(
        errResult(
          new ShipgateError("invalid_input", `${tool} could not be started with these arguments`, {
            request,
            cause: thrown,
          }),
        ),
      );
      return;
    }
    if (options.input !== undefined && child.stdin) {
      child.stdin.on("error", () => {
        // git may exit before reading all of stdin; the exit code tells the story.
      });
      child.stdin.end(options.input);
    }
  });
  return new ResultAsync(promise);
}

type ResultLike<T> = Result<T, ShipgateError>;

function okResult<T>(value: T): ResultLike<T> {
  return ok(value);
}

function errResult<T>(error: ShipgateError): ResultLike<T> {
  return err(error);
}

/** Maps a non-zero git exit onto an error kind by what git said. */
function gitFailure(
  tool: string,
  request: string,
  exitCode: number,
  stderr: string,
  cause: unknown,
): ShipgateError {
  const firstLine = stderr.split("\n").find((line) => line.trim().length > 0) ?? `exit ${exitCode}`;
  const message = firstLine.replace(/^(fatal|error):\s*/, "");
  if (/not a git repository/i.test(stderr)) {
    return new ShipgateError("precondition_failed", `Not a git repository: ${message}`, {
      request,
      vendorMessage: stderr,
      hint: "Run shipgate inside the service's repository, or set cwd to it",
      cause,
    });
  }
  if (
    /unknown revision|bad revision|not a valid object name|ambiguous argument|bad object/i.test(
      stderr,
    )
  ) {
    return new ShipgateError("not_found", `git does not know this revision: ${message}`, {
      request,
      vendorMessage: stderr,
      hint: "Fetch the missing history (a shallow CI checkout needs fetch-depth: 0 and tags)",
      cause,
    });
  }
  return new ShipgateError("internal", `${tool} failed (exit ${exitCode}): ${message}`, {
    request,
    vendorMessage: stderr,
    cause,
  });
}
