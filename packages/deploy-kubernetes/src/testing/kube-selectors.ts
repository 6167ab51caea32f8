import type { KubeObject } from "./kube-object.js";

/*
 * Test-only: label and field selectors as the API server matches them.
 */

/** Label selector: `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x,y)`. */
export function matchesLabelSelector(
  selector: string | undefined,
  labels: Record<string, string> = {},
): boolean {
  if (!selector) return true;
  const terms = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  return terms.every((raw) => {
    const term = raw.trim();
    if (!term) return true;
    let m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) {
      const values = m[3]!.split(",").map((v) => v.trim());
      const has = m[1]! in labels && values.includes(labels[m[1]!]!);
      return m[2] === "in" ? has : !has;
    }
    m = /^(\S+?)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (m) return m[2] === "!=" ? labels[m[1]!] !== m[3] : labels[m[1]!] === m[3];
    if (term.startsWith("!")) return !(term.slice(1) in labels);
    return term in labels;
  });
}

/** Field selector on `metadata.name` / `metadata.namespace` (the fields every kind supports). */
export function matchesFieldSelector(selector: string | undefined, object: KubeObject): boolean {
  if (!selector) return true;
  return selector.split(",").every((term) => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(term.trim());
    if (!m) return false;
    const field = m[1]!;
    const actual =
      field === "metadata.name"
        ? object.metadata.name
        : field === "metadata.namespace"
          ? object.metadata.namespace
          : undefined;
    return m[2] === "!=" ? actual !== m[3] : actual === m[3];
  });
}
