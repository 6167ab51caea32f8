import { execFile } from "node:child_process";
import { abortedError, ShipgateError } from "@shipgate/core";
import { err, ok, type Result, ResultAsync } from "neverthrow";

/** How {@link runHelm} reaches helm and the cluster. */
export interface HelmRunner {
  /** The helm binary (default `helm` on PATH). */
  helmBinary: string;
  /** Directory relative chart paths and values files are resolved against. */
  cwd: string;
  /** The kube context — always passed explicitly, never helm's current context. */
  kubeContext: string;
  namespace: string;
  /** A kubeconfig file; default: helm's own rules (`$KUBECONFIG`, `~/.kube/config`). */
  kubeconfig?: string;
  /** Bound on one helm process (its own `--timeout` is set separately). */
  processTimeoutMs: number;
  /** Extra environment for every call (e.g. `HELM_CACHE_HOME`). */
  env?: Record<string, string>;
}

/** What one helm process printed. */
export interface HelmOutput {
  stdout: string;
  stderr: string;
}

// A chart's manifest and history can be large; the default 1 MiB would cut them off.
const MAX_BUFFER = 256 * 1024 * 1024;

/**
 * Hides what must never be echoed: passwords given as flags and credentials inside URLs
 * (`https://user:token@host`). Applied to every command line and every message of helm
 * that shipgate repeats.
 */
export function redactCredentials(text: string): string {
  return text
    .replace(/(--(?:password|pass|token|key-password)[= ])\S+/g, "$1***")
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi, "$1***:***@");
}

/** The flags that pin every call to the configured cluster, context and namespace. */
export function clusterFlags(runner: HelmRunner): string[] {
  return [
    "--kube-context",
    runner.kubeContext,
    "--namespace",
    runner.namespace,
    ...(runner.kubeconfig ? ["--kubeconfig", runner.kubeconfig] : []),
  ];
}

interface ExecFailure extends Error {
  code?: number | string;
  killed?: boolean;
}

/**
 * Runs `helm <args> <cluster flags>` without a shell. Resolves to helm's output, or to a
 * {@link ShipgateError} carrying helm's own stderr verbatim (credentials redacted) as
 * `vendorMessage`: `not_found` for a missing release, `conflict` for another operation in
 * progress, `timeout` when helm's wait ran out, `unavailable` when helm cannot be started,
 * `aborted` when the signal fired, `internal` otherwise. Never rejects.
 */
export function runHelm(
  runner: HelmRunner,
  args: readonly string[],
  signal: AbortSignal,
  options: { cluster?: boolean } = {},
): ResultAsync<HelmOutput, ShipgateError> {
  const full = [...args, ...(options.cluster === false ? [] : clusterFlags(runner))];
  const request = redactCredentials(`helm ${full.join(" ")}`).slice(0, 500);
  if (signal.aborted) return new ResultAsync(Promise.resolve(err(abortedError(signal))));
  const promise = new Promise<Result<HelmOutput, ShipgateError>>((resolve) => {
    try {
      execFile(
        runner.helmBinary,
        full,
        {
          cwd: runner.cwd,
          signal,
          timeout: runner.processTimeoutMs,
          maxBuffer: MAX_BUFFER,
          encoding: "utf8",
          windowsHide: true,
          env: { ...process.env, LC_ALL: "C", LANG: "C", ...runner.env },
        },
        (error, stdout, stderr) => {
          const out = String(stdout ?? "");
          const errText = redactCredentials(String(stderr ?? "").trim());
          if (!error) {
            resolve(ok({ stdout: out, stderr: errText }));
            return;
          }
          const failure = error as ExecFailure;
          if (signal.aborted || failure.name === "AbortError" || failure.code === "ABORT_ERR") {
            resolve(err(abortedError(signal)));
          } else if (failure.code === "ENOENT") {
            resolve(
              err(
                new ShipgateError(
                  "unavailable",
                  `Cannot run helm: "${runner.helmBinary}" was not found`,
                  {
                    request,
                    retryable: false,
                    hint: "Install helm (>= 3.12) or set helm_binary to its path",
                  },
                ),
              ),
            );
          } else if (failure.killed && typeof failure.code !== "number") {
            resolve(
              err(
                new ShipgateError(
                  "timeout",
                  `helm did not finish within ${runner.processTimeoutMs} ms`,
                  {
                    request,
                    vendorMessage: errText || undefined,
                  },
                ),
              ),
            );
          } else {
            resolve(err(helmFailure(request, errText, failure)));
          }
        },
      );
    } catch (thrown) {
      resolve(
        err(
          new ShipgateError("invalid_input", "helm could not be started with these arguments", {
            request,
            cause: thrown,
          }),
        ),
      );
    }
  });
  return new ResultAsync(promise);
}

/** Maps a failed helm run onto an error kind by what helm said; its words stay verbatim. */
function helmFailure(request: string, stderr: string, cause: ExecFailure): ShipgateError {
  const firstLine =
    stderr.split("\n").find((line) => line.trim().length > 0) ?? `exit ${String(cause.code)}`;
  const message = firstLine.replace(/^Error:\s*/, "");
  const options = { request, vendorMessage: stderr || undefined, retryable: false };
  if (/release: not found|has no deployed releases/.test(stderr)) {
    return new ShipgateError("not_found", `helm: ${message}`, options);
  }
  if (/another operation \(install\/upgrade\/rollback\) is in progress/.test(stderr)) {
    return new ShipgateError("conflict", `helm: ${message}`, {
      ...options,
      hint: "Another helm operation holds the release; wait for it, or clear a stuck one (see preflight)",
    });
  }
  if (/context deadline exceeded|timed out waiting for the condition/.test(stderr)) {
    return new ShipgateError("timeout", `helm: ${message}`, {
      ...options,
      hint: "The release's resources did not become ready within the timeout; look at their pods",
    });
  }
  return new ShipgateError("internal", `helm failed: ${message}`, options);
}
