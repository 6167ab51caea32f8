/** The last few instants written: a release stamps the same virtual minute many times. */
const recent = new Map<number, string>();
const RECENT_MAX = 8;

/**
 * `new Date(ms).toISOString()`, remembering the last few: every event, SLO reading and
 * evidence row of a poll carries the same instant.
 */
export function isoTime(ms: number): string {
  let text = recent.get(ms);
  if (text === undefined) {
    text = new Date(ms).toISOString();
    if (recent.size >= RECENT_MAX) recent.delete(recent.keys().next().value as number);
    recent.set(ms, text);
  }
  return text;
}
