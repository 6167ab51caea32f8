import type { ResultAsync } from "neverthrow";
import type { ShipgateError } from "../errors/shipgate-error.js";

/** Errors an {@link ArtifactStore} may return; `exists` from an exclusive create. */
export type ArtifactStoreError = ShipgateError;

/**
 * Where reports, incidents and status files go. Paths are relative, `/`-separated, and
 * never leave the store's root.
 */
export interface ArtifactStore {
  readonly name: string;
  /** Create a new artifact; fails with `exists` if there is one already. Never overwrites. */
  createExclusive(path: string, content: string): ResultAsync<{ path: string }, ArtifactStoreError>;
  /** Write a status file, replacing it atomically (status files are live state, not records). */
  writeStatus(path: string, content: string): ResultAsync<{ path: string }, ArtifactStoreError>;
  /** The artifact's content, or null when there is none. */
  read(path: string): ResultAsync<string | null, ArtifactStoreError>;
  /** File names (not paths) directly inside `dir`; `[]` for a missing dir. */
  list(dir: string): ResultAsync<string[], ArtifactStoreError>;
}
