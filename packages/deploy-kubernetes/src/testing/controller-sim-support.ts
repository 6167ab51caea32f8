/*
 * Test-only: helpers shared by the controller simulation (hashes, conditions, time).
 */

const safeAlphabet = "bcdfghjklmnpqrstvwxz2456789";

/** JSON with sorted keys, for comparing states. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/** FNV-32a, encoded like Kubernetes' `rand.SafeEncodeString(fmt.Sprint(hash))`. */
export function podTemplateHash(value: unknown): string {
  let hash = 0x811c9dc5;
  for (const ch of Buffer.from(stableJson(value), "utf8")) {
    hash ^= ch;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return [...String(hash)].map((c) => safeAlphabet[c.charCodeAt(0) % safeAlphabet.length]).join("");
}

/** A status condition as the controllers write it. */
export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime: string;
  lastUpdateTime: string;
}

/** RFC 3339 without fractional seconds. */
export function rfc3339(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Sets (or keeps) a condition, moving lastTransitionTime only on a status change. */
export function setCondition(
  conditions: Condition[],
  type: string,
  status: string,
  reason: string,
  message: string,
): Condition[] {
  const now = rfc3339();
  const existing = conditions.find((c) => c.type === type);
  if (
    existing &&
    existing.status === status &&
    existing.reason === reason &&
    existing.message === message
  ) {
    return conditions;
  }
  const next: Condition = {
    type,
    status,
    reason,
    message,
    lastUpdateTime: now,
    lastTransitionTime: existing && existing.status === status ? existing.lastTransitionTime : now,
  };
  return [...conditions.filter((c) => c.type !== type), next];
}

/** Marks a workload as stuck: `Progressing` false, its ReplicaSet `rsName` timed out. */
export function setProgressDeadlineExceeded(conditions: Condition[], rsName: string): Condition[] {
  return setCondition(
    conditions,
    "Progressing",
    "False",
    "ProgressDeadlineExceeded",
    `ReplicaSet "${rsName}" has timed out progressing.`,
  );
}

/** The container images of a pod template. */
export function imagesOf(template: unknown): string[] {
  const spec = (template as { spec?: { containers?: { image?: string }[] } } | undefined)?.spec;
  return (spec?.containers ?? []).map((c) => c.image ?? "");
}
