import type { HelmRevision, HelmValues } from "./helm-release.js";
import { valueAt } from "./helm-release.js";

/** A revision with its user-supplied values. */
export interface RevisionWithValues {
  revision: HelmRevision;
  values: HelmValues;
}

/**
 * True when a revision was made by the release of `version`: one of the image values
 * paths (`image.tag`, the canary's tag) holds that version.
 */
export function isRevisionOf(
  values: HelmValues,
  version: string,
  paths: readonly string[],
): boolean {
  return paths.some((p) => valueAt(values, p) === version);
}

/**
 * The revision to roll back to: the newest one below the top revision that belongs to the
 * release of `version`, skipping failed ones (a failed revision never served) and older
 * attempts at the same version. `null` when the top revision is not the release's (nothing to roll back) or
 * nothing older is left.
 *
 * @example
 * previousRevision([{rev 3, image.tag v1.3.2}, {rev 4, canary.image.tag v1.4.0}], "v1.4.0", paths)
 * // → revision 3
 */
export function previousRevision(
  newestFirst: readonly RevisionWithValues[],
  version: string,
  paths: readonly string[],
): HelmRevision | null {
  if (newestFirst.length === 0 || !isRevisionOf(newestFirst[0]!.values, version, paths))
    return null;
  let i = 0;
  while (i < newestFirst.length && isRevisionOf(newestFirst[i]!.values, version, paths)) i += 1;
  for (; i < newestFirst.length; i++) {
    const { revision: candidate, values } = newestFirst[i]!;
    // An older attempt at the same version is no better a target than the newest one.
    if (isRevisionOf(values, version, paths)) continue;
    if (candidate.status !== "failed" && !candidate.status.startsWith("pending-")) return candidate;
  }
  return null;
}

/** The revision a `helm rollback` revision went back to (its description says so). */
export function rolledBackTo(revision: HelmRevision): number | null {
  const m = /^Rollback to (\d+)$/.exec(revision.description.trim());
  return m ? Number(m[1]) : null;
}
