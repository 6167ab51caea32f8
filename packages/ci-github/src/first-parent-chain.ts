/** A commit as the compare and list-commits endpoints describe it. */
export interface CommitLink {
  sha: string;
  parents: string[];
}

/**
 * The commits that landed on the branch within a range: the first-parent chain from the
 * range's head, oldest first. Squash and rebase merges put each landed commit on that
 * chain; a merge commit is on it while the pull request's own commits hang off its second
 * parent, so they are left out (their pull request is found through the merge commit).
 *
 * The head is the one commit of the range that no other commit of the range has as a
 * parent. If the range has no single head (it should always have one), every commit counts.
 */
export function firstParentChain(commits: CommitLink[]): string[] {
  if (commits.length === 0) return [];
  const bySha = new Map(commits.map((c) => [c.sha, c]));
  const referenced = new Set(commits.flatMap((c) => c.parents));
  const heads = commits.filter((c) => !referenced.has(c.sha));
  if (heads.length !== 1) return commits.map((c) => c.sha);
  const chain: string[] = [];
  const seen = new Set<string>();
  let current = heads[0];
  while (current && !seen.has(current.sha)) {
    seen.add(current.sha);
    chain.push(current.sha);
    const parent = current.parents[0];
    current = parent === undefined ? undefined : bySha.get(parent);
  }
  return chain.reverse();
}
