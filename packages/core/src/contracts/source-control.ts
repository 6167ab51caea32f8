import type { ResultAsync } from "neverthrow";
import type { ShipgateError } from "../errors/shipgate-error.js";
import type { CallOptions } from "./call-options.js";

/** What the source control knows about one commit. */
export interface CommitLookup {
  /** The full 40-hex sha asked for. */
  sha: string;
  exists: boolean;
  /** The branch releases are cut from, as the adapter is configured. */
  releaseBranch: string;
  /** True when the commit is an ancestor of (or equal to) the release branch head. */
  onReleaseBranch: boolean;
}

/** How an annotated tag is signed: the format and the key that made the signature. */
export interface TagSignature {
  /** `ssh` (`gpg.format=ssh`) or `gpg` (OpenPGP). */
  format: "ssh" | "gpg";
  /** The signing key's fingerprint (`SHA256:…` for SSH, the 40-hex OpenPGP fingerprint). */
  fingerprint: string;
  /** Who signed: the tagger identity (`Name <email>`), or the key's comment / user id. */
  signer: string;
}

/** A tag and the commit it points to (peeled: for an annotated tag, the tagged commit). */
export interface TagInfo {
  name: string;
  sha: string;
  annotated: boolean;
  message?: string;
  /**
   * Set by `createAnnotatedTag` when the tag is on the shared remote as well: the remote's
   * name (`origin`). A forge API (GitHub, GitLab, Azure) creates the tag on the remote
   * itself and says `origin` too. Absent: the tag exists only in the local clone.
   */
  pushedTo?: string;
  /** Set by `createAnnotatedTag` when it signed the tag. */
  signature?: TagSignature;
}

/** One pull / merge request merged into the release. */
export interface ChangeRecord {
  number: number;
  title: string;
  /** Web URL of the pull request, or null where the backend has none (plain git). */
  url: string | null;
  author: string;
  /** Who approved it (distinct logins, in review order). */
  reviewers: string[];
  labels: string[];
  /** ISO 8601. */
  mergedAt: string;
  /** The commit that landed it on the release branch. */
  mergeSha: string;
  /** Paths changed, relative to the repository root. */
  files: string[];
}

/** Errors a {@link SourceControl} may return. */
export type SourceControlError = ShipgateError;

/**
 * Where the code lives: commits, tags and the pull requests between two points.
 * Adapters answer facts; core decides whether they allow a release.
 */
export interface SourceControl {
  readonly name: string;
  /** Does `sha` exist, and is it on the release branch? A missing commit is a value, not an error. */
  getCommit(sha: string, options: CallOptions): ResultAsync<CommitLookup, SourceControlError>;
  /** The tag and its (peeled) commit, or `null` when no such tag exists. */
  getTag(name: string, options: CallOptions): ResultAsync<TagInfo | null, SourceControlError>;
  /**
   * Creates an annotated tag. An existing tag of that name is a `conflict` error. An
   * adapter that also publishes the tag (pushes it, or creates it through the forge) does so
   * before resolving, and removes what it created when publishing fails, so a retry starts
   * clean.
   */
  createAnnotatedTag(
    request: { name: string; sha: string; message: string },
    options: CallOptions,
  ): ResultAsync<TagInfo, SourceControlError>;
  /**
   * Every change merged after `fromTag` up to and including `toSha`, complete (however
   * many), oldest merge first. `fromTag` null means "from the beginning of history".
   */
  listChanges(
    range: { fromTag: string | null; toSha: string },
    options: CallOptions,
  ): ResultAsync<ChangeRecord[], SourceControlError>;
  /**
   * Optional: who is running the release as the source control knows them (git's
   * `user.name`), or null. The release captain falls back to it.
   */
  currentUser?(options: CallOptions): ResultAsync<string | null, SourceControlError>;
}
