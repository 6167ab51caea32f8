/** Edit distance between two strings (insert, delete, substitute: cost 1 each). */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The known word closest to `word`, if it is close enough to be a typo: at most a third of
 * its length away (at least 2 edits allowed, never the whole word), compared case-insensitively with `-`/`_`
 * treated alike, so `window-minutes` finds `window_minutes`.
 *
 * @example
 * ```ts
 * didYouMean("windw_minutes", ["window_minutes", "error_rate_max"]); // "window_minutes"
 * didYouMean("colour", ["deployer"]); // null
 * ```
 */
export function didYouMean(word: string, known: readonly string[]): string | null {
  const norm = (s: string) => s.toLowerCase().replace(/-/g, "_");
  const target = norm(word);
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = levenshtein(target, norm(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(2, Math.floor(target.length / 3));
  // Replacing the whole word is not a typo (`m` is not a misspelt `n`).
  return best !== null && bestDistance <= allowed && bestDistance < target.length ? best : null;
}

/** ` (did you mean "x"?)`, or an empty string when nothing is close. */
export function didYouMeanSuffix(word: string, known: readonly string[]): string {
  const match = didYouMean(word, known);
  return match ? ` (did you mean "${match}"?)` : "";
}
