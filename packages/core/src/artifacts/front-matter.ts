import { parse, stringify } from "yaml";

/** Renders YAML front matter (`---` fenced). */
export function renderFrontMatter(data: Record<string, unknown>): string {
  return `---\n${(flatYaml(data) ?? stringify(data, { lineWidth: 0 })).trimEnd()}\n---\n`;
}

/** A key YAML prints as it is. */
const PLAIN_KEY = /^[a-z_][a-z0-9_]*$/;
/** A string YAML prints unquoted: no spaces, quotes, flow or comment characters. */
const PLAIN_STRING = /^[A-Za-z0-9][A-Za-z0-9_./+@:-]*$/;
/** Strings YAML's core schema would read back as something else (numbers, booleans, null). */
const CORE_NOT_A_STRING =
  /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F]+|0o[0-7]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|true|True|TRUE|false|False|FALSE|null|Null|NULL)$/;

function plainScalar(value: unknown): string | null {
  if (value === null) return "null";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number")
    return Number.isFinite(value) && !Object.is(value, -0) ? String(value) : null;
  if (typeof value !== "string") return null;
  return PLAIN_STRING.test(value) && !value.endsWith(":") && !CORE_NOT_A_STRING.test(value)
    ? value
    : null;
}

/**
 * A flat mapping of plain scalars, written line by line exactly as the YAML library
 * writes it (a report is rendered at every state change; the library costs more than the
 * rest of the report). Null when anything needs the library: nesting, quoting, odd keys.
 */
function flatYaml(data: Record<string, unknown>): string | null {
  let out = "";
  for (const key of Object.keys(data)) {
    const value = data[key];
    if (value === undefined) continue;
    const text = plainScalar(value);
    if (text === null || !PLAIN_KEY.test(key)) return null;
    out += `${key}: ${text}\n`;
  }
  return out === "" ? null : out;
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
