import { errAsync, okAsync } from "neverthrow";
import type { ArtifactStore } from "../../contracts/artifact-store.js";
import { ShipgateError } from "../../errors/shipgate-error.js";

/** An {@link ArtifactStore} in memory; `files` lets tests read what was written. */
export interface MemoryArtifactStore extends ArtifactStore {
  readonly files: Map<string, string>;
}

/** Validates an artifact path: relative, `/`-separated, no `..`, no empty segments. */
export function checkArtifactPath(path: string): ShipgateError | null {
  if (
    !path ||
    path.startsWith("/") ||
    /^[A-Za-z]:/.test(path) ||
    path.includes("\\") ||
    path.split("/").some((s) => s === "" || s === "." || s === "..")
  ) {
    return new ShipgateError(
      "invalid_input",
      `artifact path must be relative and stay inside the store: ${JSON.stringify(path)}`,
      { field: "path" },
    );
  }
  return null;
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
      if (bad) return errAsync(bad);
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
      if (bad) return errAsync(bad);
      files.set(path, content);
      return okAsync({ path });
    },
    read(path) {
      const bad = checkArtifactPath(path);
      if (bad) return errAsync(bad);
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
