import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join, posix } from "node:path";
import { errAsync, ResultAsync } from "neverthrow";
import type { ArtifactStore, ArtifactStoreError } from "../contracts/artifact-store.js";
import { fsError } from "./fs-error.js";
import { checkArtifactPath } from "./relative-artifact-path.js";

/** Options of {@link createFsArtifactStore}. */
export interface FsArtifactStoreOptions {
  /** The directory every artifact path is relative to (usually the repository root). */
  rootDir: string;
}

/** Prefix of the temp files {@link ArtifactStore.writeStatus} renames into place; `list` hides them. */
export const STATUS_TEMP_PREFIX = ".shipgate-tmp-";

/**
 * An {@link ArtifactStore} on the local file system. Records (reports, incidents) are
 * created exclusively and never overwritten; status files are replaced atomically with a
 * rename, so a reader never sees half a file.
 *
 * @example
 * ```ts
 * const store = createFsArtifactStore({ rootDir: process.cwd() });
 * await store.createExclusive("devops/reports/release-v1.4.0.md", markdown);
 * ```
 */
export function createFsArtifactStore(options: FsArtifactStoreOptions): ArtifactStore {
  const absolute = (relative: string) => join(options.rootDir, ...relative.split("/"));

  return {
    name: "fs",

    createExclusive(
      path: string,
      content: string,
    ): ResultAsync<{ path: string }, ArtifactStoreError> {
      const checked = checkArtifactPath(path);
      if (checked.isErr()) return errAsync(checked.error);
      return ResultAsync.fromPromise(
        (async () => {
          await makeParent(absolute(posix.dirname(path)));
          await writeFile(absolute(path), content, { encoding: "utf8", flag: "wx" });
          return { path };
        })(),
        (error) => fsError(error, "create", path),
      );
    },

    writeStatus(path: string, content: string): ResultAsync<{ path: string }, ArtifactStoreError> {
      const checked = checkArtifactPath(path);
      if (checked.isErr()) return errAsync(checked.error);
      const dir = posix.dirname(path);
      const temp = `${dir === "." ? "" : `${dir}/`}${STATUS_TEMP_PREFIX}${posix.basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}`;
      return ResultAsync.fromPromise(
        (async () => {
          await makeParent(absolute(dir));
          await writeFile(absolute(temp), content, { encoding: "utf8", flag: "wx" });
          try {
            await rename(absolute(temp), absolute(path));
          } catch (error) {
            await unlink(absolute(temp)).catch(() => undefined);
            throw error;
          }
          return { path };
        })(),
        (error) => fsError(error, "write", path),
      );
    },

    read(path: string): ResultAsync<string | null, ArtifactStoreError> {
      const checked = checkArtifactPath(path);
      if (checked.isErr()) return errAsync(checked.error);
      return ResultAsync.fromPromise(
        readFile(absolute(path), "utf8").catch((error: unknown) => {
          if (isCode(error, "ENOENT")) return null;
          throw error;
        }),
        (error) => fsError(error, "read", path),
      );
    },

    list(dir: string): ResultAsync<string[], ArtifactStoreError> {
      // The root itself may be listed as "" or ".".
      const isRoot = dir === "" || dir === ".";
      if (!isRoot) {
        const checked = checkArtifactPath(dir, "dir");
        if (checked.isErr()) return errAsync(checked.error);
      }
      return ResultAsync.fromPromise(
        readdir(isRoot ? options.rootDir : absolute(dir), { withFileTypes: true })
          .then((entries) =>
            entries
              .filter((entry) => entry.isFile() && !entry.name.startsWith(STATUS_TEMP_PREFIX))
              .map((entry) => entry.name)
              .sort(),
          )
          .catch((error: unknown) => {
            if (isCode(error, "ENOENT") || isCode(error, "ENOTDIR")) return [];
            throw error;
          }),
        (error) => fsError(error, "list", dir),
      );
    },
  };
}

/** `mkdir -p`, where a file in the way is a collision, not an "exists" of the artifact. */
async function makeParent(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    if (isCode(error, "EEXIST"))
      throw Object.assign(new Error("a file is in the way of the directory"), { code: "ENOTDIR" });
    throw error;
  }
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === code;
}
