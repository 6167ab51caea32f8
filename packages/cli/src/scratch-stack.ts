import {
  type ArtifactStore,
  type LockHandle,
  type ReleaseLock,
  ShipgateError,
} from "@shipgate/core";
import { errAsync, okAsync } from "neverthrow";

/**
 * An {@link ArtifactStore} that keeps what a dry run writes in memory, so `shipgate plan`
 * changes nothing on disk, while reads and listings still see the real store (previous
 * reports for the duration line).
 */
export function createScratchArtifactStore(backing: ArtifactStore | null): ArtifactStore & {
  readonly written: ReadonlyMap<string, string>;
} {
  const files = new Map<string, string>();
  return {
    name: "scratch",
    written: files,
    createExclusive(path, content) {
      if (files.has(path))
        return errAsync(new ShipgateError("exists", `${path} exists`, { field: "path" }));
      files.set(path, content);
      return okAsync({ path });
    },
    writeStatus(path, content) {
      files.set(path, content);
      return okAsync({ path });
    },
    read(path) {
      const mine = files.get(path);
      if (mine !== undefined) return okAsync(mine);
      return backing ? backing.read(path) : okAsync(null);
    },
    list(dir) {
      const prefix = `${dir.replace(/\/+$/, "")}/`;
      const mine = [...files.keys()]
        .filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes("/"))
        .map((p) => p.slice(prefix.length));
      if (!backing) return okAsync(mine);
      return backing.list(dir).map((names) => [...new Set([...names, ...mine])]);
    },
  };
}

/**
 * A lock that is always free and leaves no trace: the plan must not create a lock file
 * (the real release takes the configured lock).
 */
export function createScratchLock(): ReleaseLock {
  return {
    name: "scratch",
    acquire(request) {
      const handle: LockHandle = {
        service: request.service,
        holder: request.holder,
        ref: "(plan: no lock taken)",
      };
      return okAsync(handle);
    },
    release() {
      return okAsync(undefined);
    },
  };
}
