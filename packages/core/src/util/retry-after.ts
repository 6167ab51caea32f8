/**
 * Parses a `Retry-After` header (seconds, or an HTTP date) into milliseconds from `now`.
 * Returns undefined for a missing or unreadable value; never negative.
 *
 * @example
 * ```ts
 * parseRetryAfterMs("2"); // 2000
 * parseRetryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT", Date.parse("Wed, 21 Oct 2015 07:27:00 GMT")); // 60000
 * ```
 */
export function parseRetryAfterMs(value: unknown, now: number = Date.now()): number | undefined {
  const header = Array.isArray(value) ? value[0] : value;
  if (typeof header === "number")
    return Number.isFinite(header) ? Math.max(0, header * 1000) : undefined;
  if (typeof header !== "string" || header.trim() === "") return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.max(0, Math.round(Number(text) * 1000));
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Exponential backoff with "full jitter": a delay drawn from [base·2^attempt / 2, base·2^attempt],
 * capped. `attempt` counts from 0; `random` is injectable for tests.
 */
export function backoffDelayMs(
  baseMs: number,
  attempt: number,
  capMs = 30_000,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
