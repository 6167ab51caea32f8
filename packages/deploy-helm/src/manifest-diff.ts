import type { ManifestObject } from "./manifest-objects.js";

/** What a chart would change, by object (`Kind/name`), against the release's manifest. */
export interface ManifestDiff {
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: string[];
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** A `helm diff`-like comparison by kind and name (pure). */
export function diffManifests(
  current: readonly ManifestObject[],
  next: readonly ManifestObject[],
): ManifestDiff {
  const key = (o: ManifestObject) => `${o.kind}/${o.name}`;
  const before = new Map(current.map((o) => [key(o), JSON.stringify(sorted(o.object))]));
  const after = new Map(next.map((o) => [key(o), JSON.stringify(sorted(o.object))]));
  const diff: ManifestDiff = { added: [], changed: [], removed: [], unchanged: [] };
  for (const [k, v] of after) {
    if (!before.has(k)) diff.added.push(k);
    else if (before.get(k) !== v) diff.changed.push(k);
    else diff.unchanged.push(k);
  }
  for (const k of before.keys()) if (!after.has(k)) diff.removed.push(k);
  return diff;
}

/** `+ Deployment/shop-canary; ~ Deployment/shop; - ConfigMap/old; = Service/shop`. */
export function describeDiff(diff: ManifestDiff): string {
  const parts = [
    ...diff.added.map((k) => `+ ${k}`),
    ...diff.changed.map((k) => `~ ${k}`),
    ...diff.removed.map((k) => `- ${k}`),
    ...diff.unchanged.map((k) => `= ${k}`),
  ];
  return parts.length ? parts.join("; ") : "no objects";
}
