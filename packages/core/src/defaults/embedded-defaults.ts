import type { ReleaseStack } from "../release/release-stack.js";
import { createPreparationRunner } from "../verification/preparation-runner.js";
import { createFileReleaseLock } from "./file-release-lock.js";
import { createFsArtifactStore } from "./fs-artifact-store.js";
import { createGitSourceControl, type GitSourceControlOptions } from "./git-source-control.js";
import { createMarkdownChangelogRenderer } from "./markdown-changelog-renderer.js";
import { createSystemClock } from "./system-clock.js";

/** Options of {@link createEmbeddedDefaults}. */
export interface EmbeddedDefaultsOptions {
  /** The git repository (and where manifests are read from). */
  cwd: string;
  /** Where `devops/…` and `incidents/…` are written; default `cwd`. */
  artifactsDir?: string;
  releaseBranch?: string;
  remoteUrl?: string;
  tagger?: GitSourceControlOptions["tagger"];
  /** Push the release tag (default: when `remote` is configured); see {@link GitSourceControlOptions}. */
  push?: GitSourceControlOptions["push"];
  remote?: GitSourceControlOptions["remote"];
  /** Sign the release tag (`ssh`, `gpg`, `false`; default: git's `tag.gpgSign`). */
  sign?: GitSourceControlOptions["sign"];
  signingKey?: GitSourceControlOptions["signingKey"];
}

/**
 * The embedded default parts of a stack, needing no vendor SDK: git CLI source control,
 * file lock, filesystem artifacts (the file incident is always written by the
 * orchestrator), markdown changelog, the wall clock and preparation checks. Add a CI
 * provider, a deployer and an SLO source to make a full stack.
 *
 * @example
 * ```ts
 * const stack: ReleaseStack = { ...createEmbeddedDefaults({ cwd: process.cwd() }), ci, deployer, slo };
 * ```
 */
export function createEmbeddedDefaults(
  options: EmbeddedDefaultsOptions,
): Pick<ReleaseStack, "sourceControl" | "lock" | "artifacts" | "changelog" | "clock" | "prepare"> {
  const rootDir = options.artifactsDir ?? options.cwd;
  return {
    sourceControl: createGitSourceControl({
      cwd: options.cwd,
      releaseBranch: options.releaseBranch,
      remoteUrl: options.remoteUrl,
      tagger: options.tagger,
      push: options.push,
      remote: options.remote,
      sign: options.sign,
      signingKey: options.signingKey,
    }),
    lock: createFileReleaseLock({ rootDir }),
    artifacts: createFsArtifactStore({ rootDir }),
    changelog: createMarkdownChangelogRenderer(),
    clock: createSystemClock(),
    prepare: createPreparationRunner({ cwd: options.cwd }),
  };
}
