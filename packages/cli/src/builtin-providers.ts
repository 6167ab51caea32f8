import { resolve } from "node:path";
import {
  createFileReleaseLock,
  createGitSourceControl,
  defineProvider,
  type ShipgateProvider,
} from "@shipgate/core";
import { ok } from "neverthrow";
import { z } from "zod";

/** `use: git` — core's git CLI source control over the local repository. */
export const gitOptionsSchema = z.strictObject({
  /** The repository directory, relative to the config file (default: the config's directory). */
  path: z.string().min(1).optional(),
  /** The branch (or revision, e.g. `origin/main` on CI) releases are cut from. */
  release_branch: z.string().min(1).default("main"),
  /** Web URL of the repository, for pull request links in changelogs and incidents. */
  remote_url: z.url().optional(),
  /** Who signs annotated tags when git has no identity configured (CI runners). */
  tagger: z.strictObject({ name: z.string().min(1), email: z.string().min(3) }).optional(),
  timeout_ms: z.number().int().positive().default(30_000),
  /** Push the release tag to `remote` before the canary (default: when that remote exists). */
  push: z.boolean().optional(),
  /** The remote tags are pushed to. */
  remote: z.string().min(1).default("origin"),
  /** Sign the tag: `ssh`, `gpg` or `false` (default: git's `tag.gpgSign` / `gpg.format`). */
  sign: z.union([z.enum(["ssh", "gpg"]), z.literal(false)]).optional(),
  /** SSH key file (relative to the repository) or GPG key id, or `{ env: NAME }` holding it. */
  signing_key: z.union([z.string().min(1), z.strictObject({ env: z.string().min(1) })]).optional(),
});

/** `use: file` for `lock:` — a lock file next to the artifacts. */
export const fileLockOptionsSchema = z.strictObject({
  /** Directory of lock files, relative to `artifacts_dir`. */
  dir: z.string().min(1).default("devops/status"),
  /** A lock held from another host is taken over after this long. */
  stale_after_minutes: z.number().positive().default(360),
});

/** Names `use:` accepts without loading a package. */
export const BUILTIN_PROVIDER_NAMES = ["git", "file"] as const;

/**
 * The providers built into the CLI, over core's embedded defaults: `git` (source control)
 * and `file` (release lock). They are loaded and validated exactly like a package's
 * `shipgateProvider`, so `use: git` with a typo in `with:` gets the same errors.
 */
export function builtinProviders(options: {
  artifactsRoot: string;
}): Record<(typeof BUILTIN_PROVIDER_NAMES)[number], ShipgateProvider> {
  return {
    git: defineProvider({
      name: "git",
      optionsSchema: gitOptionsSchema,
      create(o, context) {
        return ok({
          sourceControl: createGitSourceControl({
            cwd: resolve(context.cwd, o.path ?? "."),
            releaseBranch: o.release_branch,
            remoteUrl: o.remote_url,
            tagger: o.tagger,
            timeoutMs: o.timeout_ms,
            push: o.push,
            remote: o.remote,
            sign: o.sign,
            signingKey: o.signing_key,
          }),
        });
      },
    }) as ShipgateProvider,
    file: defineProvider({
      name: "file",
      optionsSchema: fileLockOptionsSchema,
      create(o) {
        return ok({
          lock: createFileReleaseLock({
            rootDir: options.artifactsRoot,
            dir: o.dir,
            staleAfterMs: o.stale_after_minutes * 60_000,
          }),
        });
      },
    }) as ShipgateProvider,
  };
}
