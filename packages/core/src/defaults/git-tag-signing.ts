import { homedir } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import type { TagSignature } from "../contracts/source-control.js";
import { ShipgateError } from "../errors/shipgate-error.js";
import { type GitRunnerOptions, runGit } from "./run-git.js";

/** How tags are signed: `ssh`, `gpg` (OpenPGP), or not at all. */
export type TagSigningMode = "ssh" | "gpg" | false;

/** Where the signing key comes from: a key file path (SSH) or key id (GPG), or an env var holding it. */
export type SigningKeyOption = string | { env: string };

/** What signing a tag needs: the `-c` settings for `git tag -s`, and what the report records. */
export interface TagSigningPlan {
  format: TagSignature["format"];
  /** `git -c …` arguments that make `git tag -s` use this key and format. */
  configArgs: string[];
  fingerprint: string;
  /** The key's comment (SSH) or user id (GPG), for when the tag has no tagger to name. */
  keyLabel: string;
}

/** Inputs of {@link resolveTagSigning}. */
export interface TagSigningRequest {
  /** The option as given; `undefined` follows git's `tag.gpgSign` / `gpg.format`. */
  sign: TagSigningMode | undefined;
  signingKey: SigningKeyOption | undefined;
  /** Runs git in the repository (reads config). */
  git: GitRunnerOptions;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
}

const gitConfig = (
  git: GitRunnerOptions,
  key: string,
  signal: AbortSignal,
  type?: "bool",
): ResultAsync<string | null, ShipgateError> =>
  runGit(git, ["config", ...(type ? [`--type=${type}`] : []), "--get", key], {
    signal,
    okExitCodes: [1],
  }).map((out) => (out.exitCode === 0 ? out.stdout.trim() || null : null));

/**
 * Decides whether and how a tag is signed, and checks the key before anything is tagged:
 * a missing key, a key file that is not a key, or a GPG key without its secret half is a
 * `precondition_failed` error naming the `signingKey` field. Returns null when tags are
 * not signed.
 *
 * Without an explicit `sign`, git's own configuration decides: `tag.gpgSign=true` signs,
 * in `gpg.format` (`openpgp` → gpg, `ssh` → ssh). The key is `signingKey` (a path or
 * `{ env }` naming the variable that holds it), else git's `user.signingkey`.
 */
export function resolveTagSigning(
  request: TagSigningRequest,
): ResultAsync<TagSigningPlan | null, ShipgateError> {
  const { git, signal } = request;
  const mode: ResultAsync<TagSigningMode, ShipgateError> =
    request.sign !== undefined
      ? okAsync(request.sign)
      : gitConfig(git, "tag.gpgSign", signal, "bool").andThen((on) => {
          if (on !== "true") return okAsync<TagSigningMode, ShipgateError>(false);
          return gitConfig(git, "gpg.format", signal).andThen((format) => {
            if (format === null || format === "openpgp") return okAsync<TagSigningMode>("gpg");
            if (format === "ssh") return okAsync<TagSigningMode>("ssh");
            return errAsync(
              new ShipgateError(
                "unsupported",
                `git is configured to sign tags with gpg.format=${format}, which shipgate cannot sign with`,
                {
                  field: "sign",
                  hint: "Set sign: ssh or sign: gpg, or sign: false to tag without a signature",
                },
              ),
            );
          });
        });
  return mode.andThen((format) => {
    if (format === false) return okAsync(null);
    return signingKey(request, format).andThen((key) =>
      format === "ssh" ? planSsh(request, key) : planGpg(request, key),
    );
  });
}

/** The key named by the option (path or env var), else git's `user.signingkey`. */
function signingKey(
  request: TagSigningRequest,
  format: "ssh" | "gpg",
): ResultAsync<string | null, ShipgateError> {
  const option = request.signingKey;
  if (typeof option === "object" && option !== null) {
    const value = request.env[option.env]?.trim();
    if (!value) {
      return errAsync(
        new ShipgateError(
          "precondition_failed",
          `signingKey names the environment variable ${option.env}, which is not set`,
          {
            field: "signingKey",
            hint: `Set ${option.env} to the ${format === "ssh" ? "SSH key file's path" : "GPG key id"}`,
          },
        ),
      );
    }
    return okAsync(value);
  }
  if (typeof option === "string" && option.trim()) return okAsync(option.trim());
  return gitConfig(request.git, "user.signingkey", request.signal);
}

function expandPath(path: string, cwd: string): string {
  const home = path === "~" || path.startsWith("~/") ? homedir() + path.slice(1) : path;
  return isAbsolute(home) ? home : resolve(cwd, home);
}

function planSsh(
  request: TagSigningRequest,
  key: string | null,
): ResultAsync<TagSigningPlan, ShipgateError> {
  if (!key) {
    return errAsync(
      new ShipgateError("precondition_failed", "Tags are to be signed with SSH but no key is set", {
        field: "signingKey",
        hint: "Set signingKey to the SSH key file (or { env: NAME }), or git config user.signingkey",
      }),
    );
  }
  if (key.startsWith("key::") || key.startsWith("ssh-")) {
    return errAsync(
      new ShipgateError(
        "unsupported",
        "A literal SSH public key as the signing key is not supported; name the key file",
        { field: "signingKey", hint: "Set signingKey to the path of the private key file" },
      ),
    );
  }
  const path = expandPath(key, request.git.cwd);
  const sshKeygen: GitRunnerOptions = {
    ...request.git,
    gitBinary: "ssh-keygen",
    toolName: "ssh-keygen",
  };
  return runGit(sshKeygen, ["-l", "-f", path], { signal: request.signal })
    .mapErr((error) =>
      error.kind === "unavailable" || error.kind === "aborted"
        ? error
        : new ShipgateError("precondition_failed", `The SSH signing key ${key} cannot be used`, {
            field: "signingKey",
            vendorMessage: error.vendorMessage,
            request: error.request,
            hint: "Point signingKey at an existing SSH private key file (made with ssh-keygen)",
          }),
    )
    .andThen((out) => {
      // `256 SHA256:… comment (ED25519)`
      const m = /^\d+\s+(\S+)\s+(.*?)\s*\(([^)]+)\)\s*$/m.exec(out.stdout);
      if (!m) {
        return errAsync(
          new ShipgateError("invalid_response", "ssh-keygen printed no fingerprint", {
            request: `ssh-keygen -l -f ${key}`,
            vendorMessage: out.stdout.slice(0, 200),
          }),
        );
      }
      return okAsync({
        format: "ssh" as const,
        configArgs: ["-c", "gpg.format=ssh", "-c", `user.signingkey=${path}`],
        fingerprint: m[1]!,
        keyLabel: m[2]!,
      });
    });
}

function planGpg(
  request: TagSigningRequest,
  key: string | null,
): ResultAsync<TagSigningPlan, ShipgateError> {
  // Without a key id, git signs with the key of the committer's email: look that one up.
  const keyId: ResultAsync<string, ShipgateError> = key
    ? okAsync(key)
    : runGit(request.git, ["var", "GIT_COMMITTER_IDENT"], { signal: request.signal })
        .map((out) => /<([^>]*)>/.exec(out.stdout)?.[1] ?? "")
        .orElse(() => okAsync(""));
  return keyId.andThen((id) => {
    if (!id) {
      return errAsync(
        new ShipgateError(
          "precondition_failed",
          "Tags are to be signed with GPG but no key is set",
          {
            field: "signingKey",
            hint: "Set signingKey to the GPG key id, or git config user.signingkey",
          },
        ),
      );
    }
    return gitConfig(request.git, "gpg.program", request.signal).andThen((program) => {
      const gpg: GitRunnerOptions = {
        ...request.git,
        gitBinary: program ?? "gpg",
        toolName: "gpg",
      };
      return runGit(gpg, ["--batch", "--with-colons", "--list-secret-keys", "--", id], {
        signal: request.signal,
      })
        .mapErr((error) =>
          error.kind === "unavailable" || error.kind === "aborted"
            ? error
            : new ShipgateError("precondition_failed", `No GPG secret key for ${id}`, {
                field: "signingKey",
                vendorMessage: error.vendorMessage,
                request: error.request,
                hint: "Import the signing key into the runner's keyring, or fix signingKey",
              }),
        )
        .andThen((out) => {
          const lines = out.stdout.split("\n");
          const sec = lines.findIndex((l) => l.startsWith("sec:"));
          const fpr = lines.slice(sec + 1).find((l) => l.startsWith("fpr:"));
          const uid = lines.find((l) => l.startsWith("uid:"));
          const fingerprint = fpr?.split(":")[9];
          if (sec < 0 || !fingerprint) {
            return errAsync(
              new ShipgateError("precondition_failed", `No GPG secret key for ${id}`, {
                field: "signingKey",
                hint: "Import the signing key into the runner's keyring, or fix signingKey",
              }),
            );
          }
          return okAsync({
            format: "gpg" as const,
            configArgs: ["-c", "gpg.format=openpgp", "-c", `user.signingkey=${id}`],
            fingerprint,
            keyLabel: uid?.split(":")[9] ?? id,
          });
        });
    });
  });
}
