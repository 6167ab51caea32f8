/** The last two instants written: a poll stamps "now" and its interval's start many times. */
let lastMs = Number.NaN;
let lastText = "";
let previousMs = Number.NaN;
let previousText = "";

/**
 * `new Date(ms).toISOString()`, remembering the last two: every event, SLO reading and
 * evidence row of a poll carries the same instant, and the next poll starts where it ended.
 */
export function isoTime(ms: number): string {
  if (ms === lastMs) return lastText;
  if (ms === previousMs) return previousText;
  const text = new Date(ms).toISOString();
  previousMs = lastMs;
  previousText = lastText;
  lastMs = ms;
  lastText = text;
  return text;
}
