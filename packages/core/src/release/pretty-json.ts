/**
 * `JSON.stringify(value, null, 2)`, character for character, except that an object for
 * which `reuse` has a text is not walked again: a file rewritten after every step (see
 * deploy-result.ts) serializes each finished step once, not once per write.
 *
 * `reuse(object, depth)` gets the object and its nesting depth, and returns its text there
 * (continuation lines indented by `depth` levels), or undefined to walk it. `depth`: how
 * deep `value` itself is, for a text to be placed inside another.
 */
export function prettyJson(
  value: unknown,
  reuse: (object: object, depth: number) => string | undefined = () => undefined,
  depth = 0,
): string {
  return write(value, depth, reuse) ?? "undefined";
}

/** `JSON.stringify(value, null, 2)` as it reads `depth` levels deep. */
export function indentedJson(value: unknown, depth: number): string {
  if (depth === 0) return JSON.stringify(value, null, 2);
  // Nested in `depth` arrays, JSON.stringify indents it itself; the text is then cut out of
  // the wrapping, which is cheaper than re-indenting every line.
  let wrapped: unknown = value;
  for (let i = 0; i < depth; i++) wrapped = [wrapped];
  const text = JSON.stringify(wrapped, null, 2);
  // Each level opens with "[\n" and its indent (2 + 2·level) and closes with "\n", an indent and "]".
  const open = depth * (depth + 3);
  const close = depth * (depth + 1);
  return text.slice(open, text.length - close);
}

// Strings are built with `+`, not joined from arrays: V8 then links the parts instead of
// copying the whole text again at every level.
function write(
  value: unknown,
  depth: number,
  reuse: (object: object, depth: number) => string | undefined,
): string | undefined {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if ("toJSON" in value) return indentedJson(value, depth);
  const known = reuse(value, depth);
  if (known !== undefined) return known;
  const inner = `\n${"  ".repeat(depth + 1)}`;
  const outer = `\n${"  ".repeat(depth)}`;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    let text = "[";
    for (let i = 0; i < value.length; i++)
      text += `${i === 0 ? "" : ","}${inner}${write(value[i], depth + 1, reuse) ?? "null"}`;
    return `${text}${outer}]`;
  }
  let text = "";
  for (const key of Object.keys(value)) {
    const member = write((value as Record<string, unknown>)[key], depth + 1, reuse);
    if (member !== undefined)
      text += `${text === "" ? "" : ","}${inner}${JSON.stringify(key)}: ${member}`;
  }
  return text === "" ? "{}" : `{${text}${outer}}`;
}
