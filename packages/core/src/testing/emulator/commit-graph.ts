/**
 * Every commit reachable from `start` through `parentsOf`, `start` included: what
 * emulators of Git hosts compute ranges, merge bases and "is on branch" from. Pure.
 */
export function reachableCommits(
  start: string,
  parentsOf: (id: string) => readonly string[] | undefined,
): Set<string> {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const p of parentsOf(id) ?? []) stack.push(p);
  }
  return seen;
}
