/**
 * Text helpers for Slack's `mrkdwn` and `plain_text`: escaping, markdown conversion and
 * truncation that never leaves a broken link, entity or surrogate pair behind.
 */

/** Appended to anything cut short, so readers see the text was truncated. */
export const ELLIPSIS = "…";

/**
 * Escapes the three characters Slack treats as control sequences in `mrkdwn` (and in the
 * top-level `text`). Everything user-provided goes through this, so a PR title such as
 * `Fix <script> & co` cannot turn into a broken link or a mention.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * A Slack link `<url|label>`, or the escaped label alone when `url` is not http(s): Slack
 * would render other schemes as raw text, and a relative path is not clickable anyway.
 */
export function mrkdwnLink(url: string, label: string): string {
  if (!/^https?:\/\//i.test(url)) return escapeMrkdwn(label);
  // `|` and `>` end the link early; percent-encoding them keeps the URL equivalent.
  const safeUrl = url.replace(/\|/g, "%7C").replace(/>/g, "%3E").replace(/</g, "%3C");
  const safeLabel = escapeMrkdwn(label.replace(/[|]/g, "/")).trim();
  return safeLabel ? `<${safeUrl}|${safeLabel}>` : `<${safeUrl}>`;
}

/**
 * Converts the short markdown of a deploy note to Slack `mrkdwn`: headings and `**bold**`
 * become `*bold*`, `[label](url)` becomes `<url|label>`, list bullets become `•`, and all
 * other text is escaped. Unknown markdown is left as it is (readable either way).
 */
export function markdownToMrkdwn(markdown: string): string {
  return markdown
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) => {
      const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
      if (heading) {
        // Slack has no headings and no nested bold: a heading becomes one bold line.
        const inner = convertInline(heading[1] ?? "").replace(/\*/g, "");
        return inner ? `*${inner}*` : "";
      }
      const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(line);
      if (bullet) return `${bullet[1] ?? ""}• ${convertInline(bullet[2] ?? "")}`;
      return convertInline(line);
    })
    .join("\n");
}

const LINK = /\[([^\]\n]*)\]\(([^)\s]+)\)/g;

function convertInline(text: string): string {
  let out = "";
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    out += convertEmphasis(escapeMrkdwn(text.slice(last, match.index)));
    out += mrkdwnLink(match[2] ?? "", match[1] ?? "");
    last = (match.index ?? 0) + match[0].length;
  }
  return out + convertEmphasis(escapeMrkdwn(text.slice(last)));
}

function convertEmphasis(text: string): string {
  return text
    .replace(/\*\*(?=\S)([^*\n]*?\S)\*\*/g, "*$1*")
    .replace(/__(?=\S)([^_\n]*?\S)__/g, "*$1*")
    .replace(/~~(?=\S)([^~\n]*?\S)~~/g, "~$1~");
}

/**
 * Cuts `text` to at most `max` UTF-16 code units (what JavaScript and Slack's limits count),
 * ending with {@link ELLIPSIS}. Never splits a surrogate pair, so emoji stay valid.
 */
export function truncatePlain(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= ELLIPSIS.length) return ELLIPSIS.slice(0, max);
  return `${cutSafely(text, max - ELLIPSIS.length).trimEnd()}${ELLIPSIS}`;
}

/**
 * Like {@link truncatePlain} for `mrkdwn`: additionally drops a link (`<…|…>`) or an entity
 * (`&amp;`) that the cut would leave half-open, which Slack would show as garbage.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= ELLIPSIS.length) return ELLIPSIS.slice(0, max);
  let cut = cutSafely(text, max - ELLIPSIS.length);
  const open = cut.lastIndexOf("<");
  if (open > cut.lastIndexOf(">")) cut = cut.slice(0, open);
  cut = cut.replace(/&[a-z]{0,4}$/i, "");
  // An odd number of backticks would open a code span that swallows the ellipsis.
  if ((cut.match(/`/g)?.length ?? 0) % 2 === 1) cut = cut.slice(0, cut.lastIndexOf("`"));
  return `${cut.trimEnd()}${ELLIPSIS}`;
}

function cutSafely(text: string, length: number): string {
  let cut = text.slice(0, length);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut;
}
