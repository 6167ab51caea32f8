import { errAsync, okAsync } from "neverthrow";
import type { ArtifactStore } from "../../contracts/artifact-store.js";
import { checkArtifactPath } from "../../defaults/relative-artifact-path.js";
import { ShipgateError } from "../../errors/shipgate-error.js";

/** An {@link ArtifactStore} in memory; `files` lets tests read what was written. */
export interface MemoryArtifactStore extends ArtifactStore {
  readonly files: Map<string, string>;
}

/** Creates an in-memory artifact store. */
export function createMemoryArtifactStore(
  initial: Record<string, string> = {},
): MemoryArtifactStore {
  const files = new Map(Object.entries(initial));
  return {
    name: "memory",
    files,
    createExclusive(path, content) {
      const bad = checkArtifactPath(path);
      if (bad.isErr()) return errAsync(bad.error);
      if (files.has(path))
        return errAsync(
          new ShipgateError("exists", `artifact ${path} exists and is never overwritten`, {
            field: "path",
          }),
        );
      files.set(path, content);
      return okAsync({ path });
    },
    writeStatus(path, content) {
      const bad = checkArtifactPath(path);
      if (bad.isErr()) return errAsync(bad.error);
      files.set(path, content);
      return okAsync({ path });
    },
    read(path) {
      const bad = checkArtifactPath(path);
      if (bad.isErr()) return errAsync(bad.error);
      return okAsync(files.get(path) ?? null);
    },
    list(dir) {
      const prefix = `${dir.replace(/\/+$/, "")}/`;
      const names = new Set<string>();
      for (const key of files.keys()) {
        if (key.startsWith(prefix)) names.add(key.slice(prefix.length).split("/")[0]!);
      }
      return okAsync([...names].sort());
    },
  };
}
