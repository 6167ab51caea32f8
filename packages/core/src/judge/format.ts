/** Formats a fraction as a percentage with two decimals (`0.0412` → `4.12%`). */
export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}

/** Formats milliseconds for a latency (`123.4` → `123 ms`). */
export function formatMs(ms: number): string {
  return Number.isFinite(ms) ? `${Math.round(ms)} ms` : "∞";
}
