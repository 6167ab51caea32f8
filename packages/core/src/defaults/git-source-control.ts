import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import type { CallOptions } from "../contracts/call-options.js";
import type {
  ChangeRecord,
  CommitLookup,
  SourceControl,
  SourceControlError,
  TagInfo,
} from "../contracts/source-control.js";
import { abortedError, ShipgateError } from "../errors/shipgate-error.js";
import {
  resolveTagSigning,
  type SigningKeyOption,
  type TagSigningMode,
  type TagSigningPlan,
} from "./git-tag-signing.js";
import {
  type ForgeFlavour,
  parseChangeTrailers,
  parseLandedChange,
  toLogin,
} from "./landed-change-message.js";
import { type GitRunnerOptions, runGit } from "./run-git.js";

/** Options of {@link createGitSourceControl}. */
export interface GitSourceControlOptions {
  /** The repository (any directory inside its work tree). */
  cwd: string;
  /** The branch (or any revision, e.g. `origin/main` in a CI checkout) releases are cut from. */
  releaseBranch?: string;
  /**
   * The repository's web URL (`https://github.com/acme/shop`), used to build pull request
   * links (`<remoteUrl>/pull/<n>`, GitLab: `<remoteUrl>/-/merge_requests/<n>`). Without it,
   * change URLs are null.
   */
  remoteUrl?: string;
  /** The git executable. */
  gitBinary?: string;
  /** Per git process. */
  timeoutMs?: number;
  /**
   * Who signs annotated tags, when git has no `user.name` / `user.email` configured (typical
   * on CI runners).
   */
  tagger?: { name: string; email: string };
  /**
   * Push the annotated tag to {@link remote} right after creating it (before any deploy).
   * Default: true when that remote is configured in the repository. A rejected push fails
   * the tag step and deletes the local tag, so a retry starts clean.
   */
  push?: boolean;
  /** The remote tags are pushed to. Default `origin`. */
  remote?: string;
  /**
   * Sign the tag: `ssh`, `gpg`, or `false`. Default: what git is configured to do
   * (`tag.gpgSign`, in `gpg.format`). The key is checked before anything is tagged.
   */
  sign?: TagSigningMode;
  /**
   * The signing key: for SSH a key file path, for GPG a key id; or `{ env: "NAME" }` for
   * the environment variable that holds it. Default: git's `user.signingkey`.
   */
  signingKey?: SigningKeyOption;
  /** Where `signingKey: { env }` is read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

const SHA = /^[0-9a-f]{40}$/i;
const FIELD = "\x1f";
const RECORD = "\x1e";

/**
 * A {@link SourceControl} that reads the local git repository with the git CLI: no network,
 * no forge API. Pull requests are recognised from the messages GitHub, GitLab and Bitbucket
 * write when they land a change (see {@link parseLandedChange}).
 *
 * @example
 * ```ts
 * const sourceControl = createGitSourceControl({
 *   cwd: process.cwd(),
 *   releaseBranch: "origin/main",
 *   remoteUrl: "https://github.com/acme/shop",
 * });
 * const changes = await sourceControl.listChanges({ fromTag: "v1.3.2", toSha }, { signal });
 * ```
 */
export function createGitSourceControl(options: GitSourceControlOptions): SourceControl {
  const releaseBranch = options.releaseBranch ?? "main";
  const remoteUrl = options.remoteUrl?.replace(/\/+$/, "");
  const runner: GitRunnerOptions = {
    cwd: options.cwd,
    gitBinary: options.gitBinary ?? "git",
    timeoutMs: options.timeoutMs ?? 30_000,
  };
  const git = (
    args: readonly string[],
    signal: AbortSignal,
    okExitCodes?: readonly number[],
    input?: string,
  ) =>
    runGit(runner, ["-c", "log.showSignature=false", "-c", "core.quotePath=false", ...args], {
      signal,
      ...(okExitCodes ? { okExitCodes } : {}),
      ...(input !== undefined ? { input } : {}),
    });

  const changeUrl = (flavour: ForgeFlavour, number: number): string | null => {
    if (!remoteUrl) return null;
    if (flavour === "gitlab") return `${remoteUrl}/-/merge_requests/${number}`;
    if (flavour === "bitbucket") return `${remoteUrl}/pull-requests/${number}`;
    return `${remoteUrl}/pull/${number}`;
  };

  const checkTagName = (
    name: string,
    field: string,
    signal: AbortSignal,
  ): ResultAsync<void, ShipgateError> => {
    if (typeof name !== "string" || name.length === 0 || name.startsWith("-")) {
      return errAsync(
        new ShipgateError("invalid_input", `Invalid tag name ${JSON.stringify(name)}`, {
          field,
          hint: "Use a name such as v1.4.0",
        }),
      );
    }
    return git(["check-ref-format", `refs/tags/${name}`], signal, [1]).andThen((out) =>
      out.exitCode === 0
        ? okAsync(undefined)
        : errAsync(
            new ShipgateError(
              "invalid_input",
              `Invalid tag name ${JSON.stringify(name)}: git check-ref-format rejects it`,
              {
                field,
                hint: "Tag names cannot contain spaces, `..`, `~`, `^`, `:`, `?`, `*`, `[` or end in `.lock`",
              },
            ),
          ),
    );
  };

  const readTag = (
    name: string,
    signal: AbortSignal,
  ): ResultAsync<TagInfo | null, ShipgateError> => {
    const ref = `refs/tags/${name}`;
    const format = [
      "%(refname)",
      "%(objecttype)",
      "%(objectname)",
      "%(*objecttype)",
      "%(*objectname)",
      "%(contents)",
    ]
      .map((f) => `${f}%00`)
      .join("");
    return git(["for-each-ref", `--format=${format}`, ref], signal).andThen((out) => {
      // Records are 6 NUL-terminated fields followed by a newline; the pattern also matches
      // `refs/tags/<name>/…`, so keep only the exact ref.
      const fields = out.stdout.split("\0");
      for (let i = 0; i + 5 < fields.length; i += 6) {
        const refname = fields[i]!.replace(/^\n/, "");
        if (refname !== ref) continue;
        const type = fields[i + 1]!;
        const object = fields[i + 2]!;
        const peeledType = fields[i + 3]!;
        const peeled = fields[i + 4]!;
        const contents = fields[i + 5]!;
        const annotated = type === "tag";
        const info = (sha: string): TagInfo => {
          const tag: TagInfo = { name, sha, annotated };
          if (annotated) tag.message = contents.replace(/\n+$/, "");
          return tag;
        };
        if (type === "commit") return okAsync(info(object));
        if (annotated && peeledType === "commit") return okAsync(info(peeled));
        // A tag of a tag (or of a tree): let git peel it all the way, or say it is no commit.
        return git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], signal, [1]).andThen(
          (peeledOut) =>
            peeledOut.exitCode === 0
              ? okAsync(info(peeledOut.stdout.trim()))
              : errAsync(
                  new ShipgateError("invalid_response", `Tag ${name} does not point to a commit`, {
                    request: `git rev-parse ${ref}^{commit}`,
                  }),
                ),
        );
      }
      return okAsync(null);
    });
  };

  const checkSha = (sha: string, field: string): ShipgateError | null =>
    typeof sha === "string" && SHA.test(sha)
      ? null
      : new ShipgateError(
          "invalid_input",
          `Expected a full 40-hex commit sha, got ${JSON.stringify(sha)}`,
          {
            field,
          },
        );

  const remote = options.remote ?? "origin";

  /** The remote to push to, null for no push; an explicit push to a missing remote is refused. */
  const pushTarget = (signal: AbortSignal): ResultAsync<string | null, ShipgateError> => {
    if (options.push === false) return okAsync(null);
    return git(["config", "--get", `remote.${remote}.url`], signal, [1]).andThen((out) => {
      if (out.exitCode === 0 && out.stdout.trim()) return okAsync(remote);
      if (options.push === undefined) return okAsync(null);
      return errAsync(
        new ShipgateError(
          "precondition_failed",
          `Cannot push the tag: the repository has no remote named ${remote}`,
          {
            field: "remote",
            request: `git config --get remote.${remote}.url`,
            hint: `Add it (git remote add ${remote} <url>), set remote to one that exists, or push: false`,
          },
        ),
      );
    });
  };

  /** Pushes the tag; on refusal deletes the local tag so the next attempt creates it afresh. */
  const pushTag = (
    tag: TagInfo,
    to: string,
    signal: AbortSignal,
  ): ResultAsync<void, ShipgateError> => {
    const ref = `refs/tags/${tag.name}`;
    return git(["push", to, `${ref}:${ref}`], signal)
      .map(() => undefined)
      .orElse((error) =>
        // Clean-up must run even when the push was cancelled.
        git(["tag", "-d", tag.name], new AbortController().signal)
          .orElse(() => okAsync({ exitCode: 0, stdout: "", stderr: "" }))
          .andThen(() => errAsync(mapPushError(error, tag.name, to))),
      );
  };

  /** Records the signature of a tag just signed: format, key fingerprint, and the tagger. */
  const withSignature = (
    tag: TagInfo,
    signing: TagSigningPlan,
    signal: AbortSignal,
  ): ResultAsync<TagInfo, ShipgateError> =>
    git(
      ["for-each-ref", "--format=%(taggername) %(taggeremail)", `refs/tags/${tag.name}`],
      signal,
    ).map((out) => ({
      ...tag,
      signature: {
        format: signing.format,
        fingerprint: signing.fingerprint,
        signer: out.stdout.trim() || signing.keyLabel,
      },
    }));

  return {
    name: "git",

    getCommit(sha: string, { signal }: CallOptions): ResultAsync<CommitLookup, SourceControlError> {
      if (signal.aborted) return errAsync(abortedError(signal));
      const invalid = checkSha(sha, "sha");
      if (invalid) return errAsync(invalid);
      const full = sha.toLowerCase();
      return git(["rev-parse", "--verify", "--quiet", `${full}^{commit}`], signal, [1]).andThen(
        (found) => {
          if (found.exitCode !== 0) {
            return okAsync<CommitLookup, ShipgateError>({
              sha: full,
              exists: false,
              releaseBranch,
              onReleaseBranch: false,
            });
          }
          return git(["merge-base", "--is-ancestor", full, releaseBranch], signal, [1])
            .mapErr((error) =>
              error.kind === "not_found"
                ? new ShipgateError(
                    "not_found",
                    `Release branch ${releaseBranch} not found in the repository`,
                    {
                      request: error.request,
                      vendorMessage: error.vendorMessage,
                      hint: "Fetch the branch, or set releaseBranch to the ref CI has (e.g. origin/main)",
                      field: "releaseBranch",
                    },
                  )
                : error,
            )
            .map((ancestor) => ({
              sha: full,
              exists: true,
              releaseBranch,
              onReleaseBranch: ancestor.exitCode === 0,
            }));
        },
      );
    },

    getTag(name: string, { signal }: CallOptions): ResultAsync<TagInfo | null, SourceControlError> {
      if (signal.aborted) return errAsync(abortedError(signal));
      return checkTagName(name, "name", signal).andThen(() => readTag(name, signal));
    },

    createAnnotatedTag(
      request: { name: string; sha: string; message: string },
      { signal }: CallOptions,
    ): ResultAsync<TagInfo, SourceControlError> {
      if (signal.aborted) return errAsync(abortedError(signal));
      const invalid = checkSha(request.sha, "sha");
      if (invalid) return errAsync(invalid);
      const sha = request.sha.toLowerCase();
      const tagRunner: GitRunnerOptions = options.tagger
        ? {
            ...runner,
            env: {
              GIT_COMMITTER_NAME: options.tagger.name,
              GIT_COMMITTER_EMAIL: options.tagger.email,
            },
          }
        : runner;
      // Everything that can refuse is asked before the tag exists: the name, the remote, the key.
      const prepared = checkTagName(request.name, "name", signal)
        .andThen(() => pushTarget(signal))
        .andThen((pushTo) =>
          resolveTagSigning({
            sign: options.sign,
            signingKey: options.signingKey,
            git: tagRunner,
            env: options.env ?? process.env,
            signal,
          }).map((signing) => ({ pushTo, signing })),
        );
      return prepared.andThen(({ pushTo, signing }) =>
        runGit(
          tagRunner,
          [
            ...(signing ? signing.configArgs : ["-c", "tag.gpgSign=false"]),
            "tag",
            signing ? "-s" : "-a",
            // verbatim-ish cleanup: the default would drop lines starting with `#` (`#123 fixed`).
            "--cleanup=whitespace",
            "-m",
            request.message,
            request.name,
            `${sha}^{commit}`,
          ],
          { signal },
        )
          .mapErr((error) => mapTagError(error, request.name, sha, signing))
          .andThen(() => readTag(request.name, signal))
          .andThen((tag) =>
            tag
              ? okAsync(tag)
              : errAsync(
                  new ShipgateError(
                    "invalid_response",
                    `git tag succeeded but tag ${request.name} cannot be read back`,
                  ),
                ),
          )
          .andThen((tag) => (signing ? withSignature(tag, signing, signal) : okAsync(tag)))
          .andThen((tag) =>
            pushTo
              ? pushTag(tag, pushTo, signal).map(() => ({ ...tag, pushedTo: pushTo }))
              : okAsync(tag),
          ),
      );
    },

    currentUser({ signal }: CallOptions): ResultAsync<string | null, SourceControlError> {
      if (signal.aborted) return errAsync(abortedError(signal));
      return git(["config", "--get", "user.name"], signal, [1]).map((out) =>
        out.exitCode === 0 ? out.stdout.trim() || null : null,
      );
    },

    listChanges(
      range: { fromTag: string | null; toSha: string },
      { signal }: CallOptions,
    ): ResultAsync<ChangeRecord[], SourceControlError> {
      if (signal.aborted) return errAsync(abortedError(signal));
      const invalid = checkSha(range.toSha, "toSha");
      if (invalid) return errAsync(invalid);
      const toSha = range.toSha.toLowerCase();
      const fromTag = range.fromTag;
      const checked: ResultAsync<void, ShipgateError> =
        fromTag === null ? okAsync(undefined) : checkTagName(fromTag, "fromTag", signal);
      const revision = fromTag === null ? toSha : `refs/tags/${fromTag}..${toSha}`;
      const format = `${RECORD}%H${FIELD}%P${FIELD}%aN${FIELD}%aE${FIELD}%ct${FIELD}%B${FIELD}`;
      return checked
        .andThen(() =>
          git(
            [
              "log",
              "--first-parent",
              // Merges are diffed against the first parent: what the merge brought to the branch.
              "--diff-merges=first-parent",
              "--no-renames",
              "--no-color",
              "-z",
              "--name-only",
              `--format=${format}`,
              revision,
              "--",
            ],
            signal,
          ),
        )
        .andThen((out) => {
          const landed = parseLog(out.stdout);
          const secondParents = [
            ...new Set(landed.filter((c) => c.mergeParent).map((c) => c.mergeParent!)),
          ];
          if (secondParents.length === 0)
            return okAsync({ landed, authors: new Map<string, string>() });
          // One process for every merged branch head, shas on stdin so argv never overflows.
          return git(
            ["log", "--no-walk=unsorted", "--stdin", `--format=%H${FIELD}%aN${FIELD}%aE${RECORD}`],
            signal,
            undefined,
            `${secondParents.join("\n")}\n`,
          ).map((heads) => {
            const authors = new Map<string, string>();
            for (const row of heads.stdout.split(RECORD)) {
              const [sha, name, email] = row.replace(/^\n/, "").split(FIELD);
              if (sha && SHA.test(sha)) authors.set(sha, toLogin(`${name ?? ""} <${email ?? ""}>`));
            }
            return { landed, authors };
          });
        })
        .map(({ landed, authors }) =>
          landed.reverse().map(
            (c): ChangeRecord => ({
              number: c.reference.number,
              title: c.reference.title,
              url: changeUrl(c.reference.flavour, c.reference.number),
              author: (c.mergeParent && authors.get(c.mergeParent)) || c.author,
              reviewers: c.trailers.reviewers,
              labels: c.trailers.labels,
              mergedAt: c.mergedAt,
              mergeSha: c.sha,
              files: c.files,
            }),
          ),
        );
    },
  };
}

interface LandedCommit {
  sha: string;
  /** The merged branch head, for a true merge. */
  mergeParent: string | null;
  author: string;
  mergedAt: string;
  reference: NonNullable<ReturnType<typeof parseLandedChange>>;
  trailers: ReturnType<typeof parseChangeTrailers>;
  files: string[];
}

/** Parses `git log -z --name-only --format=<RECORD>%H<FIELD>…%B<FIELD>`, newest first. */
function parseLog(stdout: string): LandedCommit[] {
  const commits: LandedCommit[] = [];
  for (const record of stdout.split(RECORD)) {
    if (record.length === 0) continue;
    const fields = record.split(FIELD);
    if (fields.length < 7) continue;
    const [sha, parents, name, email, committed] = fields as [
      string,
      string,
      string,
      string,
      string,
    ];
    // The message may (absurdly) contain the field separator: everything between is message.
    const message = fields.slice(5, -1).join(FIELD);
    const reference = parseLandedChange(message);
    if (!reference) continue;
    const files = fields[fields.length - 1]!.split("\0")
      .map((f) => f.replace(/^\n/, ""))
      .filter((f) => f.length > 0);
    const parentList = parents.split(" ").filter((p) => p.length > 0);
    commits.push({
      sha,
      mergeParent: parentList.length >= 2 ? parentList[1]! : null,
      author: toLogin(`${name} <${email}>`),
      mergedAt: new Date(Number(committed) * 1000).toISOString(),
      reference,
      trailers: parseChangeTrailers(message),
      files,
    });
  }
  return commits;
}

function mapPushError(error: ShipgateError, name: string, remote: string): ShipgateError {
  if (error.kind === "aborted" || error.kind === "timeout" || error.kind === "unavailable") {
    return error;
  }
  const said = error.vendorMessage ?? "";
  const rejected =
    /!\s*\[(?:remote )?rejected\][^\n]*/.exec(said)?.[0] ??
    /^(?:error|fatal): [^\n]*/m.exec(said)?.[0];
  const exists = /already exists/i.test(said);
  return new ShipgateError(
    exists ? "conflict" : "precondition_failed",
    `The tag ${name} could not be pushed to ${remote}${rejected ? `: ${rejected.trim()}` : ""}; the local tag was removed, nothing was deployed`,
    {
      field: "push",
      request: error.request,
      vendorMessage: said,
      hint: exists
        ? `${remote} already has a tag ${name}: bump the version`
        : `Check the credentials and the rules of ${remote} (protected tags, hooks), then run the release again`,
      cause: error,
    },
  );
}

function mapTagError(
  error: ShipgateError,
  name: string,
  sha: string,
  signing: TagSigningPlan | null,
): ShipgateError {
  const said = error.vendorMessage ?? "";
  if (signing && /sign|gpg|ssh-keygen/i.test(said) && !/already exists/i.test(said)) {
    return new ShipgateError(
      "precondition_failed",
      `git could not sign the tag ${name} with the ${signing.format} key ${signing.fingerprint}`,
      {
        field: "signingKey",
        request: error.request,
        vendorMessage: said,
        hint:
          signing.format === "ssh"
            ? "signingKey must name the private key file (or a key loaded in ssh-agent)"
            : "Check the GPG key is in the keyring and needs no passphrase prompt (use gpg-agent)",
      },
    );
  }
  if (/already exists/i.test(said)) {
    return new ShipgateError("conflict", `Tag ${name} already exists`, {
      request: error.request,
      vendorMessage: said,
      hint: "Release versions are never re-tagged; bump the version",
    });
  }
  if (
    /failed to resolve|not a valid|unknown revision|bad object/i.test(said) ||
    error.kind === "not_found"
  ) {
    return new ShipgateError("not_found", `Cannot tag ${sha}: no such commit in the repository`, {
      request: error.request,
      vendorMessage: said,
      field: "sha",
    });
  }
  if (/tell me who you are|empty ident|unable to auto-detect email/i.test(said)) {
    return new ShipgateError(
      "precondition_failed",
      "git has no identity to sign the annotated tag with",
      {
        request: error.request,
        vendorMessage: said,
        hint: "Set the tagger option, or git config user.name / user.email on the runner",
      },
    );
  }
  return error;
}
