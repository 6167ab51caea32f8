// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI_AT = /\x1b\[[0-9;?]*[A-Za-z]/y;

/** Cursor and screen control sequences (ECMA-48). */
export const CSI = {
  hideCursor: "\x1b[?25l",
  showCursor: "\x1b[?25h",
  /** To the start of the line `n` lines up. */
  up: (n: number) => (n > 0 ? `\x1b[${n}F` : "\r"),
  clearLineEnd: "\x1b[K",
  clearBelow: "\x1b[J",
  reset: "\x1b[0m",
} as const;

/** The text without ANSI escapes. */
export const stripAnsi = (text: string) => text.replace(ANSI, "");

/** Printed width, counting each code point as one column. */
export const visibleLength = (text: string) => [...stripAnsi(text)].length;

/**
 * Cuts a line to `width` columns, keeping escape sequences intact and ending with `…`,
 * so a redraw never wraps (a wrapped line would break the cursor arithmetic).
 */
export function fitLine(text: string, width: number): string {
  if (width <= 0 || visibleLength(text) <= width) return text;
  let out = "";
  let shown = 0;
  let i = 0;
  while (i < text.length && shown < width - 1) {
    if (text[i] === "\x1b") {
      ANSI_AT.lastIndex = i;
      const match = ANSI_AT.exec(text);
      if (match) {
        out += match[0];
        i += match[0].length;
        continue;
      }
    }
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    out += ch;
    i += ch.length;
    shown += 1;
  }
  return `${out}…${CSI.reset}`;
}
