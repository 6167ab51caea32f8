/**
 * The report's file name for an attempt: `release-v1.4.0.md`, then
 * `release-v1.4.0-retry1.md`, `-retry2`, … (dry runs: `release-v1.4.0-dryrun.md`, …).
 */
export function reportFileName(version: string, attempt: number, dryRun = false): string {
  const base = `release-${version}${dryRun ? "-dryrun" : ""}`;
  return attempt === 0 ? `${base}.md` : `${base}-retry${attempt}.md`;
}

/** The attempt number of a report file for `version`, or null if the name is not one. */
export function attemptOf(fileName: string, version: string, dryRun = false): number | null {
  const base = `release-${version}${dryRun ? "-dryrun" : ""}`;
  if (fileName === `${base}.md`) return 0;
  const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const m = new RegExp(`^${escaped}-retry(\\d+)\\.md$`).exec(fileName);
  return m ? Number(m[1]) : null;
}

/** The next free attempt given the names already in the directory. */
export function nextAttempt(existing: string[], version: string, dryRun = false): number {
  let next = 0;
  for (const name of existing) {
    const a = attemptOf(name, version, dryRun);
    if (a !== null && a + 1 > next) next = a + 1;
  }
  return next;
}

/**
 * The canary chart beside a report: `release-v1.4.0.svg` for `release-v1.4.0.md`, with the
 * same `-retryN` (or `-dryrun`) suffix.
 */
export function chartPathFor(reportPath: string): string {
  return reportPath.replace(/\.md$/, "") + ".svg";
}
