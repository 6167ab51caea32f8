import type { ChangeRecord, SourceControl, TagInfo } from "../../contracts/source-control.js";
import { ShipgateError } from "../../errors/shipgate-error.js";
import { guarded } from "./guard.js";

/** The repository a fake source control pretends to be. */
export interface FakeRepository {
  releaseBranch: string;
  /** tag → sha. */
  tags: Record<string, string>;
  /** Shas that exist but are not on the release branch. */
  offBranchCommits?: string[];
  /** Shas that do not exist. Every other 40-hex sha exists and is on the release branch. */
  missingCommits?: string[];
  /** Changes returned by `listChanges`, whatever the range (sorted oldest first). */
  changes: ChangeRecord[];
}

/** A {@link SourceControl} over plain data, for tests and scenarios. `calls` counts method calls. */
export function createFakeSourceControl(
  repo: FakeRepository,
): SourceControl & { readonly tags: Map<string, TagInfo>; calls: Record<string, number> } {
  const tags = new Map<string, TagInfo>(
    Object.entries(repo.tags).map(([name, sha]) => [name, { name, sha, annotated: true }]),
  );
  const off = new Set(repo.offBranchCommits ?? []);
  const missing = new Set(repo.missingCommits ?? []);
  const calls: Record<string, number> = {};
  const count = (m: string) => {
    calls[m] = (calls[m] ?? 0) + 1;
  };
  return {
    name: "fake-git",
    tags,
    calls,
    getCommit(sha, { signal }) {
      count("getCommit");
      return guarded(signal, () => {
        const exists = /^[0-9a-f]{40}$/.test(sha) && !missing.has(sha);
        return {
          sha,
          exists,
          releaseBranch: repo.releaseBranch,
          onReleaseBranch: exists && !off.has(sha),
        };
      });
    },
    getTag(name, { signal }) {
      count("getTag");
      return guarded(signal, () => tags.get(name) ?? null);
    },
    createAnnotatedTag({ name, sha, message }, { signal }) {
      count("createAnnotatedTag");
      return guarded(signal, () => {
        if (tags.has(name))
          return new ShipgateError("conflict", `tag ${name} already exists`, { field: "version" });
        const tag = { name, sha, annotated: true, message };
        tags.set(name, tag);
        return tag;
      });
    },
    listChanges(_range, { signal }) {
      count("listChanges");
      return guarded(signal, () =>
        [...repo.changes].sort((a, b) => Date.parse(a.mergedAt) - Date.parse(b.mergedAt)),
      );
    },
  };
}
