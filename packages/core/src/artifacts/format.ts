/** `1h 02m 03s`, `4m 05s`, `12s` — for durations in reports. */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? "-" : "";
  let s = Math.round(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (h > 0) return `${sign}${h}h ${pad(m)}m ${pad(s)}s`;
  if (m > 0) return `${sign}${m}m ${pad(s)}s`;
  return `${sign}${s}s`;
}

/** Text on one line: each line break, with the spaces around it, becomes one space. */
export function oneLine(text: string): string {
  const s = String(text);
  // Most text has no line break: skip the regular expression (which scans every space).
  return s.includes("\n") || s.includes("\r") ? s.replace(/\s*[\r\n]+\s*/g, " ") : s;
}

/** Escapes a value for a markdown table cell. */
export function cell(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  return String(value).replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** `1 m 42 s`, `1 h 02 m 03 s`, `12 s` — durations as a postmortem reads them. */
export function formatSpacedDuration(ms: number): string {
  let s = Math.round(Math.max(0, ms) / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (h > 0) return `${h} h ${pad(m)} m ${pad(s)} s`;
  if (m > 0) return `${m} m ${pad(s)} s`;
  return `${s} s`;
}

// The SLO formatters live with the judge, which writes its reasons with them.
export { formatCount, formatMs, formatPercent } from "../judge/format.js";
