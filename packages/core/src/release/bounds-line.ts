/** A step's recorded histogram bounds: numbers, and `"+Inf"` last. */
type Bounds = readonly (number | "+Inf")[];

/**
 * The last bounds written and their line. A source counts every histogram over the same
 * bounds, so every step of every release writes the same ~130 numbers: comparing them is
 * far cheaper than formatting them again (most are fractions, each printed digit by digit).
 */
let last: { bounds: Bounds; text: string } | null = null;

/**
 * The bounds as one line: `JSON.stringify`'s text with a space after each comma (no bound
 * holds a comma: the only string is "+Inf"). Equal values give equal text (0 and -0 both
 * print as 0), so a line kept for other bounds with the same values is the same line.
 */
export function boundsLine(bounds: Bounds): string {
  const known = last;
  if (known && sameValues(known.bounds, bounds)) return known.text;
  const text = JSON.stringify(bounds).replaceAll(",", ", ");
  // A copy: the caller's array is not ours to keep.
  last = { bounds: [...bounds], text };
  return text;
}

function sameValues(a: Bounds, b: Bounds): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
