import { parse, stringify } from "yaml";

/** Renders YAML front matter (`---` fenced). */
export function renderFrontMatter(data: Record<string, unknown>): string {
  return `---\n${stringify(data, { lineWidth: 0 }).trimEnd()}\n---\n`;
}

/** Reads the front matter of a markdown document, or null when it has none or it is not a mapping. */
export function readFrontMatter(markdown: string): Record<string, unknown> | null {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(markdown);
  if (!m) return null;
  try {
    const data = parse(m[1]!);
    return data && typeof data === "object" && !Array.isArray(data)
      ? (data as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
